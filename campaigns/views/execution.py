"""The Execution section: the queue of approved posts, a posting page per post (manual, proof
and live), posting sessions and the campaign checklist.

Every action is a real form POST; with htmx it swaps its region in place, without JavaScript it
redirects back to the page (post, redirect, get).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from aicmo_site.decorators import section_view
from campaigns.attribution import creative_apply_utm
from campaigns.library import set_filter_choices
from campaigns.models import Campaign, Creative, CreativeStatus, PublicationStatus
from campaigns.publishing.budgets import budget_remaining, budget_summary
from campaigns.publishing.forms import (
    CredentialForm,
    PostUrlForm,
    QueueFilterForm,
    SessionForm,
    SkipForm,
)
from campaigns.publishing.platforms import PLATFORMS
from campaigns.publishing.selectors import (
    QueuePages,
    campaign_checklist,
    configured_adapters,
    creative_for_posting,
    credential_list,
    due_flags,
    execution_overview,
    session_creatives,
    session_next,
    waiting_posts,
    with_due_flags,
)
from campaigns.publishing.services import (
    PublishingConflict,
    campaign_complete,
    credential_for,
    credential_save,
    publication_record_manual,
    publication_simulate,
    publication_skip,
)
from campaigns.tasks import NotPosted, PostingConflict, operator_error, publish_live
from jobs.models import Job
from jobs.selectors import job_get_for_user
from jobs.services import job_enqueue

POST_PERMISSION = "campaigns.change_publication"


def _messages_of(error: ValidationError) -> list[str]:
    return error.messages


# --- the queue ------------------------------------------------------------------------------

EXECUTION_PAGE_SIZE = 50


@vary_on_headers("HX-Request")
@require_GET
@section_view("execution")
def execution(request: HttpRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET or None)
    set_filter_choices(form)
    filters = form.cleaned_data if form.is_valid() else {}
    now = timezone.now()
    waiting = waiting_posts(
        campaign_id=getattr(filters.get("campaign"), "pk", None),
        brand_id=getattr(filters.get("brand"), "pk", None),
        platform=filters.get("platform", ""),
        day=filters.get("date"),
        when=filters.get("when", ""),
        now=now,
    )
    # A page of posts; the counts and the posting sessions cover the whole selection.
    overview = execution_overview(waiting, now)
    page = Paginator(QueuePages(waiting), EXECUTION_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = with_due_flags(page.object_list, now)
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        **overview,
        "campaign": filters.get("campaign"),
    }
    template = "campaigns/execution.html#results" if request.htmx else "campaigns/execution.html"
    return render(request, template, context)


# --- the posting page -----------------------------------------------------------------------


def _get_creative(platform: str, pk: int) -> Creative:
    if platform not in PLATFORMS:
        raise Http404("No such platform.")
    creative = creative_for_posting(pk=pk, platform=platform)
    if creative is None:
        raise Http404("No such post on this platform.")
    return creative


def _in_session(request: HttpRequest) -> bool:
    return (request.GET.get("session") or request.POST.get("session")) in ("1", "True", "on")


def _post_url(creative: Creative, session: bool) -> str:
    url = reverse("campaigns:execution_post", args=[creative.platform, creative.pk])
    return url + "?session=1" if session else url


def _post_context(request: HttpRequest, creative: Creative, job: Job | None = None,
                  **forms) -> dict:
    rules = creative.rules
    brand = creative.campaign.brand
    # What is shown and copied carries the UTM parameters, even for a post written before
    # tagging existed (in memory only: tagging is idempotent and saved on the next edit).
    creative_apply_utm(creative=creative)
    text = creative.full_text()
    publication = getattr(creative, "publication", None)
    session = _in_session(request)
    compose = ""
    if (
        rules.compose_url
        and (rules.slug != "mastodon" or brand.mastodon_instance)
        and ("{text}" in rules.compose_url or creative.link)
    ):
        compose = rules.compose_link(text, creative.link, brand.mastodon_instance)
    position = None
    if session:
        waiting = session_creatives(campaign_id=creative.campaign_id, platform=creative.platform)
        ids = [item.pk for item in waiting]
        position = {
            "index": ids.index(creative.pk) + 1 if creative.pk in ids else None,
            "waiting": len(ids),
            "checklist": reverse("campaigns:execution_checklist", args=[creative.campaign_id]),
        }
    done = publication is not None and publication.status in (
        PublicationStatus.PUBLISHED, PublicationStatus.SKIPPED)
    next_creative = session_next(creative=creative) if (session and done) else None
    credential = credential_for(creative)
    due_today, overdue = due_flags(creative)
    job_error = operator_error(job)[1] if job is not None and job.status == "failed" else ""
    return {
        "job": job,
        "job_busy": job is not None and not job.is_finished,
        "job_error": job_error,
        "job_poll_url": _with_job(_post_url(creative, session), job) if job else "",
        "image_problems": _image_problems(creative),
        "due_today": due_today,
        "overdue": overdue,
        "creative": creative,
        "rules": rules,
        "text": text,
        "length": rules.count(text),
        "over_limit": creative.over_limit(),
        "compose_link": compose,
        "publication": publication,
        "attempts": list(publication.attempts.all()) if publication else [],
        "approved": creative.status == CreativeStatus.APPROVED,
        "done": done,
        "can_post": request.user.has_perm(POST_PERMISSION),
        "credential": credential,
        "budget_note": budget_summary(brand, creative.platform) if credential else "",
        "budget_waiting": bool(credential) and budget_remaining(brand, creative.platform) == 0,
        "session": session,
        "position": position,
        "next_url": _post_url(next_creative, True) if next_creative else "",
        "url_form": forms.get("url_form") or PostUrlForm(initial={"session": session}),
        "skip_form": forms.get("skip_form") or SkipForm(initial={"session": session}),
        "session_form": SessionForm(initial={"session": session}),
    }


def _image_problems(creative: Creative) -> list[str]:
    if not creative.image:
        return []
    try:
        width, height, size = creative.image.width, creative.image.height, creative.image.size
    except (OSError, ValueError):
        return ["The image file cannot be read; upload it again in Creatives."]
    return creative.rules.image_problems(width=width or 0, height=height or 0, size=size,
                                         alt=creative.image_alt)


@vary_on_headers("HX-Request")
@require_GET
@section_view("execution")
def post_page(request: HttpRequest, platform: str, pk: int) -> HttpResponse:
    """The posting page; with `?job=<id>` it follows a live posting job, and htmx polls its
    posting panel until that job is finished."""
    creative = _get_creative(platform, pk)
    context = _post_context(request, creative, job=_posting_job(request, creative))
    if request.htmx:
        return render(request, "campaigns/execution_post.html#posting", context)
    return render(request, "campaigns/execution_post.html", context)


def _posting_job(request: HttpRequest, creative: Creative) -> Job | None:
    """The live posting job named in `?job=`, when the user may see it."""
    task_result_id = request.GET.get("job", "")[:64]
    if not task_result_id:
        return None
    job = job_get_for_user(task_result_id, request.user)
    if job is None or job.task_path != publish_live.module_path:
        return None
    return job


def _after_action(request: HttpRequest, creative: Creative, job: Job | None = None,
                  **forms) -> HttpResponse:
    """htmx: the posting region again; plain POST: back to the page (or the form's errors).
    A job still queued or running is followed by the page (`?job=<id>`)."""
    creative = _get_creative(creative.platform, creative.pk)  # fresh, with its publication
    invalid = any(form.errors for form in forms.values())
    if request.htmx:
        return render(request, "campaigns/execution_post.html#posting",
                      _post_context(request, creative, job=job, **forms))
    if invalid:
        return render(request, "campaigns/execution_post.html",
                      _post_context(request, creative, job=job, **forms), status=400)
    return redirect(_with_job(_post_url(creative, _in_session(request)), job))


def _with_job(url: str, job: Job | None) -> str:
    if job is None:
        return url
    return f"{url}{'&' if '?' in url else '?'}{urlencode({'job': job.task_result_id})}"


def _run(request: HttpRequest, action, form=None) -> bool:
    """Calls the service; puts its refusal in the form or in a message. True on success."""
    try:
        action()
    except ValidationError as exc:
        if form is not None and hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            for message in _messages_of(exc):
                messages.error(request, message)
        return False
    except PublishingConflict as exc:
        messages.info(request, exc.message)
        return False
    return True


@vary_on_headers("HX-Request")
@require_POST
@section_view("execution")
@permission_required(POST_PERMISSION, raise_exception=True)
def post_mark_posted(request: HttpRequest, platform: str, pk: int) -> HttpResponse:
    creative = _get_creative(platform, pk)
    form = PostUrlForm(request.POST)
    if form.is_valid() and _run(request, lambda: publication_record_manual(
            creative=creative, user=request.user, url=form.cleaned_data["url"]), form):
        messages.success(request, "Recorded as posted.")
    return _after_action(request, creative, url_form=form)


@vary_on_headers("HX-Request")
@require_POST
@section_view("execution")
@permission_required(POST_PERMISSION, raise_exception=True)
def post_skip(request: HttpRequest, platform: str, pk: int) -> HttpResponse:
    creative = _get_creative(platform, pk)
    form = SkipForm(request.POST)
    if form.is_valid() and _run(request, lambda: publication_skip(
            creative=creative, user=request.user, reason=form.cleaned_data["reason"]), form):
        messages.success(request, "Skipped; the reason is on the campaign's checklist.")
    return _after_action(request, creative, skip_form=form)


@vary_on_headers("HX-Request")
@require_POST
@section_view("execution")
@permission_required(POST_PERMISSION, raise_exception=True)
def post_simulate(request: HttpRequest, platform: str, pk: int) -> HttpResponse:
    creative = _get_creative(platform, pk)
    if _run(request, lambda: publication_simulate(creative=creative, user=request.user)):
        messages.success(request, "Simulated: nothing was posted; SIMULATED metrics are ready "
                                  "in Monitoring.")
    return _after_action(request, creative)


@vary_on_headers("HX-Request")
@require_POST
@section_view("execution")
@permission_required(POST_PERMISSION, raise_exception=True)
def post_publish_live(request: HttpRequest, platform: str, pk: int) -> HttpResponse:
    """Live posting runs as a background job (campaigns.tasks.publish_live). With the immediate
    backend it has finished here and its outcome is a message; with workers the posting panel
    follows the job (`?job=<id>`) until the post is published or failed."""
    creative = _get_creative(platform, pk)
    job = job_enqueue(task=publish_live, args=[creative.pk, request.user.pk],
                      started_by=request.user,
                      label=f"Post {creative.pk} on {PLATFORMS[platform].name}")
    if job.status == Job.Status.DONE:
        messages.success(request, "Posted by the adapter.")
    elif job.status == Job.Status.FAILED:
        error_class, message = operator_error(job)
        if error_class is not None and issubclass(error_class, PostingConflict):
            messages.info(request, message)
        elif error_class is not None and issubclass(error_class, NotPosted):
            messages.error(request, f"Not posted: {message}")
        else:
            messages.error(request, message)
    return _after_action(request, creative, job=None if job.is_finished else job)


@require_GET
@section_view("execution")
def session_start(request: HttpRequest, pk: int, platform: str) -> HttpResponse:
    """A posting session: the campaign's waiting posts on one platform, one after another."""
    campaign = get_object_or_404(Campaign, pk=pk)
    if platform not in PLATFORMS:
        raise Http404("No such platform.")
    waiting = session_creatives(campaign_id=campaign.pk, platform=platform)
    if not waiting:
        messages.info(request, f"Every approved {PLATFORMS[platform].name} post of this campaign "
                               "is published or skipped.")
        return redirect("campaigns:execution_checklist", pk=campaign.pk)
    return redirect(_post_url(waiting[0], True))


# --- the checklist --------------------------------------------------------------------------


def _checklist_context(campaign: Campaign, request: HttpRequest) -> dict:
    return {
        "checklist": campaign_checklist(campaign=campaign),
        "campaign": campaign,
        "can_complete": request.user.has_perm("campaigns.change_campaign"),
    }


@vary_on_headers("HX-Request")
@require_GET
@section_view("execution")
def checklist(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign.objects.select_related("brand"), pk=pk)
    return render(request, "campaigns/execution_checklist.html",
                  _checklist_context(campaign, request))


@vary_on_headers("HX-Request")
@require_POST
@section_view("execution")
@permission_required("campaigns.change_campaign", raise_exception=True)
def checklist_complete(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign.objects.select_related("brand"), pk=pk)
    if _run(request, lambda: campaign_complete(campaign=campaign, user=request.user)):
        messages.success(request, "The campaign is complete.")
    campaign.refresh_from_db()
    if request.htmx:
        return render(request, "campaigns/execution_checklist.html#completion",
                      _checklist_context(campaign, request))
    return redirect("campaigns:execution_checklist", pk=campaign.pk)


# --- live adapters' credentials -------------------------------------------------------------


def _credentials_context(request: HttpRequest, form: CredentialForm | None = None) -> dict:
    return {
        "credentials": list(credential_list()),
        "adapters": configured_adapters(),
        "form": form or CredentialForm(),
        "can_edit": request.user.has_perm("campaigns.change_publishingcredential")
        and request.user.has_perm("campaigns.add_publishingcredential"),
    }


@vary_on_headers("HX-Request")
@require_GET
@section_view("execution")
def credentials(request: HttpRequest) -> HttpResponse:
    return render(request, "campaigns/execution_credentials.html",
                  _credentials_context(request))


@vary_on_headers("HX-Request")
@require_POST
@section_view("execution")
@permission_required(("campaigns.add_publishingcredential",
                      "campaigns.change_publishingcredential"), raise_exception=True)
def credential_save_view(request: HttpRequest) -> HttpResponse:
    form = CredentialForm(request.POST)
    saved = form.is_valid() and _run(request, lambda: credential_save(
        user=request.user, **form.cleaned_data), form)
    if saved:
        messages.success(request, f"Saved the {form.cleaned_data['brand']} credential for "
                                  f"{PLATFORMS[form.cleaned_data['platform']].name}.")
        form = None
    if request.htmx:
        return render(request, "campaigns/execution_credentials.html#credentials",
                      _credentials_context(request, form))
    if not saved:
        return render(request, "campaigns/execution_credentials.html",
                      _credentials_context(request, form), status=400)
    return redirect("campaigns:execution_credentials")
