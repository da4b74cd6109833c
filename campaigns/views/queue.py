"""The approval queue: every post awaiting review or revision, across campaigns.

Approve, reject and revise answer an htmx request with the creative's card, swapped in place,
and a plain form post with a redirect back to the page it came from (post → redirect → get).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from aicmo_site.decorators import section_view
from aicmo_site.params import positive_id
from aicmo_site.redirects import safe_next
from campaigns import choices, selectors
from campaigns.forms import DecisionForm, RejectForm, ReviseForm
from campaigns.models import Creative, CreativeStatus
from campaigns.publishing.platforms import PLATFORM_CHOICES
from campaigns.services import (
    DecisionConflict,
    creative_bulk_approve,
    creative_decide,
    creative_revise,
)

PAGE_SIZE = 20
CARD = "campaigns/queue_page.html#creative-card"


def _int(value: str | None) -> int | None:
    return positive_id(value)


def _next_url(request: HttpRequest) -> str:
    """Where a plain form post returns to: the page it came from, if it is ours."""
    return safe_next(request, reverse("campaigns:queue"))


GONE = "This post no longer exists: it was replaced when the campaign was generated again."


def _gone(request: HttpRequest, pk: int) -> HttpResponse:
    """A post that disappeared under the reviewer (regenerated): say so, in place or by message."""
    if not request.htmx:
        messages.warning(request, GONE)
        return redirect(_next_url(request))
    return render(request, "campaigns/queue_page.html#creative-gone", {"pk": pk, "message": GONE})


def queue_context(request: HttpRequest, *, campaign_id: int | None, brand_id: int | None,
                  platform: str, known: choices.Choices | None = None) -> dict:
    page = selectors.queue_page(campaign_id=campaign_id, brand_id=brand_id, platform=platform,
                                page_number=request.GET.get("page"), per_page=PAGE_SIZE,
                                known=known)
    cards = page.object_list
    return {
        "page": page,
        "cards": cards,
        "pending": [c for c in cards if c.status == CreativeStatus.PENDING],
        "next_url": request.get_full_path(),
        "self_approval": settings.ALLOW_SELF_APPROVAL,
    }


@require_GET
@section_view("campaigns")
def queue(request: HttpRequest) -> HttpResponse:
    campaign_id = _int(request.GET.get("campaign"))
    brand_id = _int(request.GET.get("brand"))
    platform = request.GET.get("platform", "")
    if platform not in dict(PLATFORM_CHOICES):
        platform = ""
    known = choices.current()
    context = queue_context(request, campaign_id=campaign_id, brand_id=brand_id, platform=platform,
                            known=known)
    return render(request, "campaigns/queue_page.html", {
        **context,
        "campaign_options": known.options("campaign", campaign_id),
        "brand_options": known.options("brand", brand_id),
        "platform_options": PLATFORM_CHOICES,
        "filters": {"campaign": campaign_id, "brand": brand_id, "platform": platform},
    })


def _card(request: HttpRequest, pk: int, *, error: str = "", reject_form=None) -> HttpResponse:
    try:
        creative = selectors.creative_card(pk)
    except Creative.DoesNotExist:
        return _gone(request, pk)
    return render(request, CARD, {
        "creative": creative, "card_error": error, "reject_form": reject_form,
        "next_url": _next_url(request), "self_approval": settings.ALLOW_SELF_APPROVAL,
    })


@vary_on_headers("HX-Request")
@require_GET
@section_view("campaigns")
def card(request: HttpRequest, pk: int) -> HttpResponse:
    """One card (htmx: e.g. "cancel" while revising); without JavaScript, the queue."""
    if not request.htmx:
        return redirect(_next_url(request))
    return _card(request, pk)


def _decide(request: HttpRequest, pk: int, *, approve: bool) -> HttpResponse:
    creative = Creative.objects.select_related("campaign").filter(pk=pk).first()
    if creative is None:
        return _gone(request, pk)
    form = (DecisionForm if approve else RejectForm)(request.POST)
    error = ""
    if form.is_valid():
        try:
            creative_decide(
                creative=creative, reviewer=request.user, approve=approve,
                reason=form.cleaned_data.get("reason", ""), version=form.cleaned_data["version"],
            )
        except Creative.DoesNotExist:
            return _gone(request, pk)
        except DecisionConflict as exc:
            error = str(exc)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            word = "Approved" if approve else "Rejected"
            if not request.htmx:
                messages.success(request, f"{word}: {creative.get_platform_display()} post "
                                          f"v{form.cleaned_data['version']} of {creative.campaign.name}.")
                return redirect(_next_url(request))
            return _card(request, pk)
    else:
        error = " ".join(
            message for errors in form.errors.values() for message in errors
        )
    if not request.htmx:
        messages.error(request, f"Post {creative.pk}: {error}")
        return redirect(_next_url(request))
    return _card(request, pk, error=error, reject_form=None if approve else form)


@vary_on_headers("HX-Request")
@require_POST
@section_view("campaigns")
@permission_required("campaigns.review_creative", raise_exception=True)
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, approve=True)


@vary_on_headers("HX-Request")
@require_POST
@section_view("campaigns")
@permission_required("campaigns.review_creative", raise_exception=True)
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, approve=False)


@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
@section_view("campaigns")
@permission_required("campaigns.change_creative", raise_exception=True)
def revise(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        creative = selectors.creative_card(pk)
    except Creative.DoesNotExist:
        return _gone(request, pk)
    if creative.status != CreativeStatus.REJECTED:
        message = "Only a rejected post is revised from the queue."
        if not request.htmx:
            messages.warning(request, message)
            return redirect(_next_url(request))
        return _card(request, pk, error=message)
    form = ReviseForm(request.POST or None, creative=creative)
    if request.method == "POST" and form.is_valid():
        try:
            creative_revise(creative=creative, editor=request.user, changes=form.cleaned_data)
        except ValidationError as exc:
            form.add_error("caption", exc.messages)
        else:
            if not request.htmx:
                messages.success(request, f"Revised: the post is back in the queue as "
                                          f"version {creative.version + 1}.")
                return redirect(_next_url(request))
            return _card(request, pk)
    template = "campaigns/queue_revise.html"
    if request.htmx:
        template += "#revise-form"
    return render(request, template, {
        "creative": creative, "form": form, "next_url": _next_url(request),
    })


@require_POST
@section_view("campaigns")
@permission_required("campaigns.review_creative", raise_exception=True)
def bulk_approve(request: HttpRequest) -> HttpResponse:
    """Approves the chosen posts at the versions the reviewer saw ("pk:version" values)."""
    seen: dict[int, int] = {}
    for value in request.POST.getlist("creative"):
        pk, _, version = value.partition(":")
        if pk.isdigit() and version.isdigit():
            seen[int(pk)] = int(version)
    if not seen:
        messages.warning(request, "Choose at least one post to approve.")
        return redirect(_next_url(request))
    creatives = list(Creative.objects.filter(pk__in=seen).order_by("scheduled_at", "pk"))
    for creative in creatives:
        creative.version = seen[creative.pk]  # decide on what the reviewer saw, nothing newer
    result = creative_bulk_approve(creatives=creatives, reviewer=request.user)
    if result.approved:
        messages.success(request, f"Approved {result.approved} post"
                                  f"{'s' if result.approved != 1 else ''}.")
    for skipped in result.skipped:
        messages.warning(request, skipped)
    return redirect(_next_url(request))
