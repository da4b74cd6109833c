"""Client review links: the agency's page to make and revoke them, and the client's page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aicmo_site.decorators import section_view
from aicmo_site.params import positive_id
from campaigns import client_review
from campaigns.diffs import creative_rounds
from campaigns.models import Campaign, ClientReviewLink, Creative, CreativeStatus, Review
from campaigns.services import DecisionConflict


@require_GET
@section_view("campaigns")
def links(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign.objects.select_related("brand"), pk=pk)
    return render(request, "campaigns/client_review_links.html", {
        "campaign": campaign,
        "links": campaign.review_links.select_related("created_by", "revoked_by"),
        "new_token": request.session.pop("new_review_token", None),
    })


@require_POST
@section_view("campaigns")
@permission_required("campaigns.review_creative", raise_exception=True)
def link_create(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=pk)
    days_text = (request.POST.get("days") or "").strip()
    days = positive_id(days_text)
    if days_text and days is None:
        messages.error(request, "The number of days must be a whole number from 1 to 90.")
        return redirect("campaigns:review_links", pk=campaign.pk)
    try:
        _, token = client_review.review_link_create(
            campaign=campaign, label=request.POST.get("label", ""), user=request.user, days=days
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        # Shown once on the next page; only its hash is stored.
        request.session["new_review_token"] = request.build_absolute_uri(f"/review/{token}/")
        messages.success(request, "Link made. Copy it now: it will not be shown again.")
    return redirect("campaigns:review_links", pk=campaign.pk)


@require_POST
@section_view("campaigns")
@permission_required("campaigns.review_creative", raise_exception=True)
def link_revoke(request: HttpRequest, pk: int, link_pk: int) -> HttpResponse:
    link = get_object_or_404(ClientReviewLink, pk=link_pk, campaign_id=pk)
    client_review.review_link_revoke(link=link, user=request.user)
    messages.success(request, f"The link for {link.label} no longer works.")
    return redirect("campaigns:review_links", pk=pk)


@require_POST
@section_view("campaigns")
@permission_required("campaigns.review_creative", raise_exception=True)
def approval_policy(request: HttpRequest, pk: int) -> HttpResponse:
    """The "client approval is final" toggle (Approvers only)."""
    campaign = get_object_or_404(Campaign, pk=pk)
    final = request.POST.get("client_approval_final") in ("on", "true", "1")
    if client_review.campaign_set_client_approval_final(
        campaign=campaign, final=final, user=request.user
    ):
        messages.success(
            request,
            "A client's approval is now final for this campaign." if final
            else "A client's approval now needs an Approver's as well.",
        )
    return redirect("campaigns:review_links", pk=campaign.pk)


def _client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "unknown")


def _refused(request: HttpRequest, status: int, message: str) -> HttpResponse:
    return render(request, "campaigns/client_review_closed.html", {"message": message}, status=status)


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def client_page(request: HttpRequest, token: str) -> HttpResponse:
    if client_review.rate_limited(token, _client_address(request)):
        return _refused(request, 429, "Too many requests from here. Wait a minute and reload.")
    link = client_review.review_link_for_token(token)
    if link is None:
        return _refused(request, 404, "This review link does not work: it may have expired or "
                                      "been withdrawn. Ask the agency for a new one.")
    errors: dict[int, str] = {}
    if request.method == "POST":
        creative_id, version = positive_id(request.POST.get("creative")), positive_id(request.POST.get("version"))
        creative = Creative.objects.filter(pk=creative_id).first() if creative_id else None
        if creative is None or creative.campaign_id != link.campaign_id:
            return _refused(request, 404, "That post is not part of this review.")
        try:
            client_review.client_decide(
                link=link, creative=creative, decision=request.POST.get("decision", ""),
                reason=request.POST.get("reason", ""),
                version=version or 0,
            )
        except (ValidationError, DecisionConflict) as exc:
            errors[creative.pk] = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        else:
            return redirect(request.path + "?answered=1")
    creatives = (
        Creative.objects.filter(campaign=link.campaign, status=CreativeStatus.PENDING)
        .select_related("campaign__brand")
        .prefetch_related("versions", Prefetch("reviews", queryset=Review.objects.order_by("reviewed_at")))
        .order_by("scheduled_at", "pk")
    )
    items = [
        {"creative": creative, "rounds": creative_rounds(creative), "error": errors.get(creative.pk)}
        for creative in creatives
    ]
    return render(request, "campaigns/client_review.html", {
        "link": link, "campaign": link.campaign, "items": items,
        "answered": request.GET.get("answered") == "1",
    }, status=400 if errors else 200)
