"""Reference pages the benchmark measures the product against. Never mounted in production."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.template.loader import render_to_string

from leads.models import Lead


@login_not_required
def bare(request):
    """The framework's floor: a fixed short response, no template, no query."""
    return HttpResponse("ok")


@login_not_required
def minimal_leads(request):
    """The cost of the data alone: the same 50 leads as the Lead Gen page, one query, no layout.

    Rendered without the request, so none of the layout's context processors (navigation by
    permission, status banner, kill switch) run: they are the layout's cost, not the data's."""
    leads = Lead.objects.order_by("-score", "-created_at")[:50]
    return HttpResponse(render_to_string("bench/minimal_leads.html", {"leads": leads}))
