"""Reference pages the benchmark measures the product against. Never mounted in production."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import render

from leads.models import Lead


@login_not_required
def bare(request):
    """The framework's floor: a fixed short response, no template, no query."""
    return HttpResponse("ok")


@login_not_required
def minimal_leads(request):
    """The cost of the data alone: the same 50 leads as the Lead Gen page, one query, no layout."""
    leads = Lead.objects.order_by("-score", "-created_at")[:50]
    return render(request, "bench/minimal_leads.html", {"leads": leads})
