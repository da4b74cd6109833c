"""The Campaigns section: the campaign list, the campaign page and the four-step wizard.

1 Create → 2 Generate plan and creatives → 3 Review and approve → 4 Execute. Steps cannot be
skipped: a step whose prerequisite is missing says so and sends the operator back.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from aicmo_site.decorators import section_view
from aicmo_site.params import positive_id
from campaigns import choices, funnel, selectors
from campaigns.forms import CampaignForm, PostingModeForm
from campaigns.models import Campaign
from campaigns.services import campaign_create, campaign_set_posting_mode
from campaigns.tasks import generate_campaign, operator_error
from jobs.models import Job
from jobs.selectors import job_get_for_user
from jobs.services import job_enqueue

STEP_TITLES = {
    1: "Create",
    2: "Generate plan and creatives",
    3: "Review and approve",
    4: "Execute",
}


def _campaign(pk: int) -> Campaign:
    try:
        return selectors.campaign_get(pk)
    except Campaign.DoesNotExist:
        raise Http404("No such campaign.") from None


def stepper(campaign: Campaign | None, current: int) -> list[dict]:
    """Each step: done, current, open (reachable) or locked, for the stepper at the top."""
    if campaign is None:
        done = set()
        reachable = {1}
    else:
        done = {1}
        reachable = {1, 2}
        if campaign.n_creatives:
            done.add(2)
            reachable.add(3)
        if campaign.n_approved:
            reachable.add(4)
            if not campaign.n_pending and not campaign.n_rejected:
                done.add(3)
        if campaign.posting_mode and campaign.n_approved:
            done.add(4)
    steps = []
    for number, title in STEP_TITLES.items():
        if campaign is None:
            url = reverse("campaigns:new") if number == 1 else ""
        else:
            url = reverse("campaigns:step", args=[campaign.pk, number])
        state = "done" if number in done else ("open" if number in reachable else "locked")
        steps.append({
            "number": number, "title": title, "url": url if number in reachable else "",
            "state": state, "current": number == current,
        })
    next_open = next((s for s in steps if s["state"] == "open" and s["number"] > current), None)
    if next_open:
        next_open["next"] = True
    return steps


@require_GET
@section_view("campaigns")
def index(request: HttpRequest) -> HttpResponse:
    brand_id = request.GET.get("brand", "")
    brand_id = positive_id(brand_id)
    known = choices.current()
    page = selectors.campaign_page(brand_id=brand_id, page_number=request.GET.get("page"),
                                   known=known)
    return render(request, "campaigns/campaign_index.html", {
        "page": page,
        "campaigns": page.object_list,
        "brand_options": known.options("brand", brand_id),
        "brand_id": brand_id,
    })


@require_http_methods(["GET", "POST"])
@section_view("campaigns")
@permission_required("campaigns.add_campaign", raise_exception=True)
def new(request: HttpRequest) -> HttpResponse:
    form = CampaignForm(request.POST or None, initial={"platforms": ["linkedin"]})
    if request.method == "POST" and form.is_valid():
        try:
            campaign = campaign_create(owner=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"Campaign “{campaign.name}” created. Next: generate its plan.")
            return redirect("campaigns:step", pk=campaign.pk, step=2)
    return render(request, "campaigns/wizard_create.html", {
        "form": form, "steps": stepper(None, 1), "step": 1,
        "has_brands": bool(form.fields["brand"].queryset.exists()),
    })


@require_GET
@section_view("campaigns")
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(pk)
    return render(request, "campaigns/campaign_detail.html", {
        "campaign": campaign, "steps": stepper(campaign, 1), "step": 1,
        "creatives": selectors.campaign_creatives(campaign),
        **funnel.campaign_funnel_context(campaign),
    })


def _guard(request: HttpRequest, campaign: Campaign, step: int) -> HttpResponse | None:
    """Sends the operator back, with a reason, when a step's prerequisite is missing."""
    if step >= 3 and not campaign.n_creatives:
        messages.warning(request, "Generate the plan and creatives before reviewing them.")
        return redirect("campaigns:step", pk=campaign.pk, step=2)
    if step == 4 and not campaign.n_approved:
        messages.warning(request, "Nothing is approved yet: approve at least one post before "
                                  "executing.")
        return redirect("campaigns:step", pk=campaign.pk, step=3)
    return None


@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
@section_view("campaigns")
def step(request: HttpRequest, pk: int, step: int) -> HttpResponse:
    if step not in STEP_TITLES:
        raise Http404("The wizard has four steps.")
    campaign = _campaign(pk)
    if step == 1:
        if request.method == "POST":
            return HttpResponseNotAllowed(["GET"])
        return redirect(campaign)
    blocked = _guard(request, campaign, step)
    if blocked:
        return blocked
    if step == 2:
        return _generate_step(request, campaign)
    if step == 3:
        if request.method == "POST":
            return HttpResponseNotAllowed(["GET"])
        return _review_step(request, campaign)
    return _execute_step(request, campaign)


def _generation_job(request: HttpRequest) -> Job | None:
    """The generation job named in `?job=`, when the user may see it (None otherwise)."""
    task_result_id = request.GET.get("job", "")[:64]
    if not task_result_id:
        return None
    job = job_get_for_user(task_result_id, request.user)
    if job is None or job.task_path != generate_campaign.module_path:
        return None
    return job


def generation_summary(campaign: Campaign) -> str:
    """What the latest generation left: the plan in force and the posts awaiting review."""
    plan = campaign.current_plan
    if plan is None:
        return ""
    decided = campaign.n_creatives - campaign.n_pending
    kept = f" {decided} reviewed post{'s' if decided != 1 else ''} kept." if decided else ""
    return (f"Plan v{plan.version} written by the {plan.engine} engine: {campaign.n_pending} "
            f"post{'s' if campaign.n_pending != 1 else ''} ready for review.{kept}")


def _generate_step(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    """Generation runs as a background job (campaigns.tasks.generate_campaign). With the
    immediate backend it has finished when the POST returns, and the page answers as if it ran
    in the request; with workers the POST redirects to `?job=<id>` and the page (polled by
    htmx, or reloaded with "Check again") follows the job until it is done or failed."""
    job = None
    if request.method == "POST":
        if not request.user.has_perm("campaigns.add_creative"):
            raise PermissionDenied("Only operators generate plans and creatives.")
        job = job_enqueue(task=generate_campaign, args=[campaign.pk, request.user.pk],
                          started_by=request.user,
                          label=f"{campaign.name}: plan and creatives")
        if job.status == Job.Status.DONE:
            messages.success(request, generation_summary(_campaign(campaign.pk)))
            return redirect("campaigns:step", pk=campaign.pk, step=2)
        if job.status != Job.Status.FAILED:
            url = reverse("campaigns:step", args=[campaign.pk, 2])
            return redirect(f"{url}?{urlencode({'job': job.task_result_id})}")
        campaign = _campaign(campaign.pk)
    else:
        job = _generation_job(request)
    error = ""
    if job is not None and job.status == Job.Status.FAILED:
        _, error = operator_error(job)
        if job.attempts > 1:
            error = f"{error} (after {job.attempts} attempts)"
    context = {
        "campaign": campaign, "steps": stepper(campaign, 2), "step": 2, "error": error,
        "job": job, "busy": job is not None and not job.is_finished,
        "summary": generation_summary(campaign) if job and job.status == Job.Status.DONE else "",
        "poll_url": (f"{reverse('campaigns:step', args=[campaign.pk, 2])}?"
                     f"{urlencode({'job': job.task_result_id})}" if job else ""),
    }
    if request.htmx and request.method == "GET":
        return render(request, "campaigns/wizard_generate.html#generation", context)
    context["creatives"] = selectors.campaign_creatives(campaign) if campaign.n_creatives else []
    return render(request, "campaigns/wizard_generate.html", context)


def _review_step(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    from campaigns.views.queue import queue_context

    context = queue_context(request, campaign_id=campaign.pk, brand_id=None, platform="")
    return render(request, "campaigns/wizard_review.html", {
        **context, "campaign": campaign, "steps": stepper(campaign, 3), "step": 3,
    })


def _execute_step(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    form = PostingModeForm(request.POST or None,
                           initial={"posting_mode": campaign.posting_mode or None})
    if request.method == "POST":
        if not request.user.has_perm("campaigns.change_campaign"):
            raise PermissionDenied("Only operators choose how a campaign is posted.")
        if form.is_valid():
            try:
                campaign_set_posting_mode(campaign=campaign,
                                          mode=form.cleaned_data["posting_mode"])
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                messages.success(request, "Posting mode saved. The approved posts are ready in "
                                          "Execution.")
                return redirect("campaigns:step", pk=campaign.pk, step=4)
    return render(request, "campaigns/wizard_execute.html", {
        "campaign": campaign, "steps": stepper(campaign, 4), "step": 4, "form": form,
        "approved": selectors.approved_creatives(campaign),
        "execution_url": f"{reverse('campaigns:execution')}?campaign={campaign.pk}",
    })
