"""Strategy: every active campaign's plan (versioned) and the content calendar across brands."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from aicmo_site.decorators import section_view
from campaigns.models import Campaign, Plan
from campaigns.planning import (
    active_plan_page,
    calendar_view,
    plan_revise,
    plan_versions,
    platform_legend,
)
from campaigns.strategy_forms import CalendarForm, PlanForm


def _calendar_context(request: HttpRequest) -> dict:
    form = CalendarForm(request.GET or None)
    if form.is_bound:
        form.is_valid()  # an invalid field is shown and left out; the rest still filters
    calendar = calendar_view(
        mode=form.value("view") or "month",
        anchor=form.value("date"),
        brand=form.value("brand"),
        platform=form.value("platform") or "",
    )
    base = request.GET.copy()
    base.pop("date", None)
    base.pop("view", None)
    return {
        "calendar": calendar,
        "calendar_form": form,
        "filter_suffix": f"&{base.urlencode()}" if base else "",
        "legend": platform_legend(),
    }


def _plans_context(request: HttpRequest) -> dict:
    """A page of the active campaigns' plans; its links keep the calendar's parameters."""
    others = request.GET.copy()
    others.pop("plans_page", None)
    return {
        "plans": active_plan_page(request.GET.get("plans_page")),
        "plans_link": f"?{others.urlencode()}&plans_page=" if others else "?plans_page=",
    }


@vary_on_headers("HX-Request")
@require_GET
@section_view("strategy")
def strategy(request: HttpRequest) -> HttpResponse:
    context = _calendar_context(request)
    if request.htmx:
        return render(request, "campaigns/strategy_index.html#calendar", context)
    context.update(_plans_context(request))
    return render(request, "campaigns/strategy_index.html", context)


def _plan_page(request, campaign: Campaign, *, shown: Plan | None, form: PlanForm | None):
    versions = list(plan_versions(campaign))
    current = versions[0] if versions else None
    can_edit = request.user.has_perm("campaigns.add_plan") and not campaign.is_complete
    if can_edit and form is None:
        form = PlanForm.for_plan(current)
    return render(request, "campaigns/strategy_plan.html", {
        "campaign": campaign,
        "plan": shown if shown is not None else current,
        "current": current,
        "versions": versions,
        "form": form if can_edit else None,
    }, status=400 if form is not None and form.errors else 200)


@require_GET
@section_view("strategy")
def plan_detail(request: HttpRequest, pk: int, version: int | None = None) -> HttpResponse:
    campaign = get_object_or_404(Campaign.objects.select_related("brand"), pk=pk)
    shown = None
    if version is not None:
        shown = get_object_or_404(
            Plan.objects.select_related("created_by"), campaign=campaign, version=version
        )
    return _plan_page(request, campaign, shown=shown, form=None)


@require_POST
@section_view("strategy")
@permission_required("campaigns.add_plan", raise_exception=True)
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign.objects.select_related("brand"), pk=pk)
    if campaign.is_complete:
        messages.error(request, "This campaign is complete; its plan is kept as it was.")
        return redirect("campaigns:plan", pk=campaign.pk)
    form = PlanForm(request.POST)
    if not form.is_valid():
        return _plan_page(request, campaign, shown=None, form=form)
    plan = plan_revise(
        campaign=campaign,
        editor=request.user,
        pillars=form.cleaned_data["pillars"],
        audience=form.cleaned_data["audience"],
        key_messages=form.cleaned_data["key_messages"],
        rationale=form.cleaned_data["rationale"],
    )
    messages.success(request, f"Saved as plan version {plan.version}; earlier versions are kept.")
    return redirect("campaigns:plan", pk=campaign.pk)
