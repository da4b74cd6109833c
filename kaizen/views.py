from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from aicmo_site.decorators import section_view


@require_GET
@section_view("learn")
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "kaizen/index.html")
