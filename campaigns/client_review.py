"""Client review links: a client approves, asks for changes or rejects without an account."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from campaigns.models import (
    Campaign,
    ClientReviewLink,
    Creative,
    CreativeStatus,
    Review,
    ReviewDecision,
    ReviewSource,
)
from campaigns.services import DecisionConflict

TOKEN_BYTES = 32  # 256 bits; the issue asks for at least 128


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def review_link_create(
    *, campaign: Campaign, label: str, user, days: int | None = None
) -> tuple[ClientReviewLink, str]:
    """Returns the link and its token; the token is not stored and cannot be shown again."""
    label = label.strip()
    if not label:
        raise ValidationError({"label": "Say who the link is for."})
    if len(label) > ClientReviewLink._meta.get_field("label").max_length:
        raise ValidationError({"label": "Keep the name under 120 characters."})
    days = days or settings.CLIENT_REVIEW_LINK_DAYS
    if not 1 <= days <= 90:
        raise ValidationError({"days": "A link lasts between 1 and 90 days."})
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = ClientReviewLink.objects.create(
        campaign=campaign,
        label=label,
        token_hash=hash_token(token),
        token_hint=token[-6:],
        created_by=user,
        expires_at=timezone.now() + timedelta(days=days),
    )
    return link, token


def review_link_revoke(*, link: ClientReviewLink, user) -> ClientReviewLink:
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.revoked_by = user
        link.save(update_fields=["revoked_at", "revoked_by"])
    return link


def review_link_for_token(token: str) -> ClientReviewLink | None:
    """The usable link behind a token, or None (unknown, expired or revoked look the same)."""
    if not token or len(token) > 100:
        return None
    link = (
        ClientReviewLink.objects.select_related("campaign__brand")
        .filter(token_hash=hash_token(token))
        .first()
    )
    return link if link is not None and link.is_usable() else None


def rate_limited(token: str, address: str) -> bool:
    """True once a token and address pair has made too many requests this minute."""
    key = f"review-link-rate:{hash_token(token)[:16]}:{address}"
    cache.add(key, 0, 60)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, 60)
        count = 1
    return count > settings.CLIENT_REVIEW_RATE_PER_MINUTE


CLIENT_DECISIONS = {
    "approve": ReviewDecision.APPROVED,
    "changes": ReviewDecision.CHANGES_REQUESTED,
    "reject": ReviewDecision.REJECTED,
}


@transaction.atomic
def client_decide(
    *, link: ClientReviewLink, creative: Creative, decision: str, reason: str, version: int
) -> Review:
    """Records the client's answer in the creative's history.

    Request changes and Reject send the post back to the operator. Approve is final when the
    campaign says a client's approval counts; otherwise the post waits for an Approver too.
    """
    if decision not in CLIENT_DECISIONS:
        raise ValidationError("Choose Approve, Request changes or Reject.")
    reason = reason.strip()
    if decision == "changes" and not reason:
        raise ValidationError({"reason": "Say what should change."})
    if decision == "reject" and not reason:
        raise ValidationError({"reason": "Say why the post is rejected."})
    locked = Creative.objects.select_for_update().get(pk=creative.pk)
    if locked.campaign_id != link.campaign_id:
        raise ValidationError("This post is not part of the campaign this link is for.")
    if locked.version != version or locked.status != CreativeStatus.PENDING:
        raise DecisionConflict("This post changed or was decided since you opened the page; reload it.")
    try:
        with transaction.atomic():
            review = Review.objects.create(
                creative=locked,
                version=locked.version,
                decision=CLIENT_DECISIONS[decision],
                reason=reason,
                source=ReviewSource.CLIENT,
                client_link=link,
            )
    except IntegrityError as exc:
        raise DecisionConflict("You have already answered for this version of the post.") from exc
    if decision != "approve":
        locked.status = CreativeStatus.REJECTED
    elif link.campaign.client_approval_final:
        locked.status = CreativeStatus.APPROVED
    locked.save(update_fields=["status", "updated_at"])
    link.last_used_at = timezone.now()
    link.save(update_fields=["last_used_at"])
    return review


@transaction.atomic
def campaign_set_client_approval_final(*, campaign, final: bool, user) -> bool:
    """Chooses whether a client's approval through a review link is final for the campaign or
    needs an Approver's as well; returns whether the policy changed."""
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if locked.client_approval_final == final:
        return False
    locked.client_approval_final = final
    locked.save(update_fields=["client_approval_final", "updated_at"])
    campaign.client_approval_final = final
    return True
