"""The landing pages of the sections the campaigns app serves."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from aicmo_site.decorators import section_view


@require_GET
@section_view("execution")
def execution(request: HttpRequest) -> HttpResponse:
    return render(request, "campaigns/execution.html")


@require_GET
@section_view("monitoring")
def monitoring(request: HttpRequest) -> HttpResponse:
    return render(request, "campaigns/monitoring.html")


@require_GET
@section_view("campaigns")
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "campaigns/index.html")
