from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from aicmo_site.decorators import section_view
from diagnostics.status import banner_results


@require_GET
@section_view("system")
def system(request: HttpRequest) -> HttpResponse:
    return render(request, "diagnostics/system.html", {"results": banner_results()})
