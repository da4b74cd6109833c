from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from aicmo_site.decorators import section_view
from aicmo_site.params import positive_id
from autonomy import selectors, services
from autonomy.forms import PolicyForm
from autonomy.models import AgentAction, AutonomyPolicy
from autonomy.policy import global_policy
from autonomy.worker import next_steps
from campaigns.models import Brand


def _page_context(request: HttpRequest, form: PolicyForm | None = None) -> dict:
    policy, overrides = selectors.policies()
    suggestions, recent = selectors.worker_actions()
    return {
        "policy": policy,
        "form": form or PolicyForm(instance=policy),
        "overrides": overrides,
        "brands_without_policy": selectors.brands_without_policy(),
        "suggestions": suggestions,
        "recent": recent,
        "kill_events": selectors.recent_kill_events(),
    }


@require_GET
@section_view("autonomy")
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "autonomy/index.html", _page_context(request))


@require_GET
@section_view("autonomy")
def dry_run(request: HttpRequest) -> HttpResponse:
    """What the worker would do on its next tick. Loaded after the page (it asks every kind of
    work for candidates), and a page of its own without JavaScript."""
    template = "autonomy/dry_run.html#plan" if request.htmx else "autonomy/dry_run.html"
    return render(request, template, {"next_steps": next_steps()})


@require_POST
@section_view("autonomy")
@permission_required("autonomy.change_autonomypolicy", raise_exception=True)
def policy_edit(request: HttpRequest) -> HttpResponse:
    """The global policy, or with `brand` in the form, that brand's override."""
    brand_id = request.POST.get("brand") or None
    if brand_id is None:
        policy = global_policy()
    else:
        brand = get_object_or_404(Brand, pk=positive_id(brand_id) or 0)
        policy = AutonomyPolicy.objects.filter(brand=brand).first() or AutonomyPolicy(
            brand=brand, level=global_policy().level
        )
    form = PolicyForm(request.POST, instance=policy)
    if form.is_valid():
        form.save()
        messages.success(request, f"Saved the autonomy policy for {policy.brand or 'all brands'}.")
        return redirect("autonomy:index")
    if brand_id is not None:
        messages.error(request, " ".join(form.errors.get("__all__", [])) or "Check the brand policy.")
        return redirect("autonomy:index")
    return render(request, "autonomy/index.html", _page_context(request, form), status=400)


@require_POST
@section_view("autonomy")
@permission_required("autonomy.toggle_kill_switch", raise_exception=True)
def kill_switch(request: HttpRequest) -> HttpResponse:
    turn_on = request.POST.get("on") == "1"
    try:
        services.kill_switch_set(on=turn_on, user=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if turn_on:
            messages.warning(request, "Kill switch on: no autonomous action will start anywhere.")
        else:
            messages.success(request, "Kill switch off: autonomy acts again within its policy.")
    return redirect(request.POST.get("next") or "autonomy:index")


@require_POST
@section_view("autonomy")
def suggestion_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    action = get_object_or_404(AgentAction, pk=pk)
    try:
        if decision == "accept":
            action = services.suggestion_accept(action=action, user=request.user)
            messages.success(request, action.outcome)
        else:
            if not request.user.has_perm("autonomy.change_agentaction"):
                messages.error(request, "Your role cannot dismiss suggestions.")
                return redirect("autonomy:index")
            services.suggestion_dismiss(action=action, user=request.user)
            messages.info(request, "Suggestion dismissed.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("autonomy:index")
