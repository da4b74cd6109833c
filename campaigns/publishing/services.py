"""Every write of the Execution section: recording, simulating, posting and skipping
publications, and completing a campaign.

Never twice: a creative has at most one Publication (OneToOne). Every writer first locks the
creative's row (SELECT … FOR UPDATE), so a double submit or two workers are serialised; live
posting also claims the publication (status POSTING, committed before any HTTP request), so
a second worker sees the claim and stops, and a retry looks the post up before posting again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from campaigns.attribution import creative_apply_utm
from campaigns.models import (
    Campaign,
    Creative,
    CreativeStatus,
    MetricSnapshot,
    MetricSource,
    PostingMode,
    Publication,
    PublicationStatus,
    PublishAttempt,
    PublishingCredential,
)
from campaigns.publishing.adapters import PublishError, PublishResult, adapter_for
from campaigns.publishing.adapters.base import wait
from campaigns.publishing.budgets import budget_wait_reason
from campaigns.publishing.simulation import simulated_external_id, simulated_figures

logger = logging.getLogger(__name__)

DONE = (PublicationStatus.PUBLISHED, PublicationStatus.SKIPPED)


class PublishingConflict(Exception):
    """The post is already recorded, skipped or being posted by someone else."""

    def __init__(self, message: str, publication: Publication | None = None):
        super().__init__(message)
        self.message = message
        self.publication = publication


def _who(user) -> str:
    if user is None:
        return "an adapter"
    return user.get_full_name() or user.username


def _describe(publication: Publication) -> str:
    when = timezone.localtime(publication.published_at or publication.updated_at)
    who = _who(publication.published_by) if publication.published_by_id else "someone"
    if publication.status == PublicationStatus.SKIPPED:
        return f"{who} skipped this post at {when:%d %b %H:%M}: {publication.skip_reason}"
    label = "simulated" if publication.simulated else "recorded"
    return f"{who} already {label} this post at {when:%d %b %H:%M}."


def _lock_approved(creative: Creative) -> tuple[Creative, Publication | None]:
    locked = (
        Creative.objects.select_for_update(of=("self",))
        .select_related("campaign__brand")
        .get(pk=creative.pk)
    )
    if locked.status != CreativeStatus.APPROVED:
        raise ValidationError("Only approved posts can be posted, simulated or skipped.")
    return locked, Publication.objects.filter(creative=locked).first()


def _refuse_if_posting(publication: Publication | None) -> None:
    if publication is not None and publication.status == PublicationStatus.POSTING:
        raise PublishingConflict("An adapter is posting this right now; wait for it.", publication)


@transaction.atomic
def publication_record_manual(*, creative: Creative, user, url: str) -> Publication:
    """Records a post made by hand: who, when, and the post's URL (checked for the platform)."""
    url = url.strip()
    locked, publication = _lock_approved(creative)
    problem = locked.rules.validate_post_url(url, locked.campaign.brand.mastodon_instance)
    if problem:
        raise ValidationError({"url": problem})
    _refuse_if_posting(publication)
    if publication is not None and publication.status == PublicationStatus.PUBLISHED:
        if publication.url or publication.simulated:
            raise PublishingConflict(_describe(publication), publication)
        # Posted by an adapter that could not tell us the link: fill it in.
        publication.url = url
        publication.save(update_fields=["url", "updated_at"])
        return publication
    now = timezone.now()
    fields = dict(
        platform=locked.platform, mode=PostingMode.MANUAL, status=PublicationStatus.PUBLISHED,
        simulated=False, url=url, external_id="", published_at=now, published_by=user,
        skip_reason="", last_error="",
    )
    if publication is None:
        publication = Publication(creative=locked, **fields)
    else:
        for name, value in fields.items():
            setattr(publication, name, value)
    publication.full_clean()
    publication.save()
    logger.info("Publication %s recorded by hand for creative %s", publication.pk, locked.pk)
    return publication


@transaction.atomic
def publication_simulate(*, creative: Creative, user) -> Publication:
    """Proof mode: a SIMULATED publication with deterministic simulated metrics."""
    locked, publication = _lock_approved(creative)
    _refuse_if_posting(publication)
    if publication is not None and publication.status == PublicationStatus.PUBLISHED:
        raise PublishingConflict(_describe(publication), publication)
    now = timezone.now()
    fields = dict(
        platform=locked.platform, mode=PostingMode.PROOF, status=PublicationStatus.PUBLISHED,
        simulated=True, url="", external_id=simulated_external_id(locked), published_at=now,
        published_by=user, skip_reason="", last_error="",
    )
    if publication is None:
        publication = Publication.objects.create(creative=locked, **fields)
    else:
        for name, value in fields.items():
            setattr(publication, name, value)
        publication.save()
        publication.snapshots.filter(source=MetricSource.SIMULATED).delete()
    MetricSnapshot.objects.bulk_create(
        MetricSnapshot(publication=publication, captured_at=now + after,
                       source=MetricSource.SIMULATED, created_by=user, **figures)
        for after, figures in simulated_figures(locked)
    )
    return publication


@transaction.atomic
def publication_skip(*, creative: Creative, user, reason: str) -> Publication:
    """Leaves an approved post out of the campaign, with the reason on the checklist."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why this post is skipped."})
    locked, publication = _lock_approved(creative)
    _refuse_if_posting(publication)
    if publication is not None and publication.status in DONE:
        raise PublishingConflict(_describe(publication), publication)
    fields = dict(
        platform=locked.platform, mode=locked.campaign.posting_mode or PostingMode.MANUAL,
        status=PublicationStatus.SKIPPED, skip_reason=reason, published_by=user,
        published_at=None, last_error="",
    )
    if publication is None:
        return Publication.objects.create(creative=locked, **fields)
    for name, value in fields.items():
        setattr(publication, name, value)
    publication.save()
    return publication


# --- live mode ------------------------------------------------------------------------------


class BudgetWait(PublishingConflict):
    """The account has used its posting budget for the last 24 hours; the post waits."""


@dataclass(frozen=True)
class LiveOutcome:
    publication: Publication
    ok: bool
    message: str


def credential_for(creative: Creative) -> PublishingCredential | None:
    return (
        PublishingCredential.objects.select_related("brand")
        .filter(brand_id=creative.campaign.brand_id, platform=creative.platform, enabled=True)
        .first()
    )


@transaction.atomic
def _claim(creative: Creative) -> tuple[Creative, Publication, PublishingCredential]:
    locked, publication = _lock_approved(creative)
    if publication is not None and publication.status in DONE:
        raise PublishingConflict(_describe(publication), publication)
    credential = credential_for(locked)
    if credential is None:
        raise ValidationError(
            f"No live adapter is set up for {locked.campaign.brand} on "
            f"{locked.get_platform_display()}; ask staff to add its credential."
        )
    problem = adapter_for(credential).configuration_problem()
    if problem:
        raise ValidationError(f"The {credential.get_adapter_display()} is not ready: {problem}")
    # The account's posting budget: its credential row is locked while the budget is counted
    # and the claim written, so two workers cannot both take the last slot.
    PublishingCredential.objects.select_for_update().filter(pk=credential.pk).exists()
    reason = budget_wait_reason(
        locked.campaign.brand_id, locked.platform, exclude_creative=locked.pk
    )
    if reason:
        raise BudgetWait(reason, publication)
    if publication is not None and publication.status == PublicationStatus.POSTING:
        # A claim older than the timeout belongs to a worker that died; take it over (the
        # adapter looks the post up before posting, so a post it made is found, not repeated).
        stale = timezone.now() - timedelta(seconds=settings.PUBLISHING_CLAIM_TIMEOUT_SECONDS)
        if publication.updated_at > stale:
            raise PublishingConflict(
                "Another worker is posting this right now; its result will appear here.",
                publication,
            )
    if publication is None:
        publication = Publication(creative=locked, platform=locked.platform)
    publication.mode = PostingMode.LIVE
    publication.status = PublicationStatus.POSTING
    publication.simulated = False
    publication.last_error = ""
    publication.save()
    return locked, publication, credential


def _attempt(publication: Publication, adapter, creative: Creative):
    attempt = PublishAttempt.objects.create(publication=publication)
    try:
        result = adapter.publish(creative, publication)
    except PublishError as exc:
        attempt.message, attempt.status_code = exc.message, exc.status_code
        return attempt, None, exc
    except Exception as exc:  # an adapter bug must fail the post, not leave it "posting"
        logger.exception("Adapter %s crashed on publication %s", adapter.kind, publication.pk)
        error = PublishError(f"Unexpected error in the {adapter.label} adapter "
                             f"({type(exc).__name__}); the post was not confirmed.")
        attempt.message = error.message
        return attempt, None, error
    finally:
        attempt.finished_at = timezone.now()
    attempt.ok, attempt.message = True, result.url or result.external_id
    return attempt, result, None


def _finish(publication: Publication, result: PublishResult | None, error: str, user) -> None:
    with transaction.atomic():
        row = Publication.objects.select_for_update().get(pk=publication.pk)
        if result is not None:
            row.status = PublicationStatus.PUBLISHED
            row.external_id = result.external_id[:300]
            row.url = result.url[:500]
            row.published_at = timezone.now()
            row.published_by = user
            row.last_error = ""
        else:
            row.status = PublicationStatus.FAILED
            row.last_error = error
        row.save()
    publication.refresh_from_db()


def publication_publish_live(*, creative: Creative, user=None) -> LiveOutcome:
    """Posts through the brand's adapter for the platform, retrying what may be retried.

    Not atomic on purpose: the claim commits before any request, each attempt is recorded as
    it ends, and the result commits last, so other workers and pages see each step.
    """
    locked, publication, credential = _claim(creative)
    # What goes out carries the UTM parameters, even for a post written before tagging.
    creative_apply_utm(creative=locked)
    adapter = adapter_for(credential)
    max_attempts = max(1, settings.PUBLISHING_MAX_ATTEMPTS)
    error = ""
    for number in range(1, max_attempts + 1):
        attempt, result, failure = _attempt(publication, adapter, locked)
        attempt.save()
        if result is not None:
            _finish(publication, result, "", user)
            logger.info("Publication %s posted via %s", publication.pk, adapter.kind)
            return LiveOutcome(publication, True, "Posted.")
        error = failure.message
        logger.warning("Publication %s attempt %s failed: %s", publication.pk, number, error)
        if not failure.retryable or number == max_attempts:
            break
        delay = settings.PUBLISHING_BACKOFF_SECONDS * 2 ** (number - 1)
        if failure.retry_after is not None:
            if failure.retry_after > settings.PUBLISHING_MAX_WAIT_SECONDS:
                error += f" It asks us to wait {failure.retry_after:.0f} seconds; retry later."
                break
            delay = max(delay, failure.retry_after)
        wait(delay)
    if number == max_attempts and failure.retryable:
        error = error.rstrip(".") + f" (gave up after {max_attempts} attempts)."
    _finish(publication, None, error, user)
    return LiveOutcome(publication, False, error)


# --- credentials ----------------------------------------------------------------------------


@transaction.atomic
def credential_save(
    *, brand, platform: str, adapter: str, config: dict, secret: str = "", enabled: bool = True,
    user=None,
) -> PublishingCredential:
    """Creates or updates the brand's credential for a platform. A blank secret keeps the
    stored one (the form never shows it back)."""
    credential = (
        PublishingCredential.objects.select_for_update()
        .filter(brand=brand, platform=platform)
        .first()
    ) or PublishingCredential(brand=brand, platform=platform)
    credential.adapter = adapter
    credential.config = config
    credential.enabled = enabled
    if secret:
        credential.secret = secret
        credential.session = {}  # a new password or token: the old session is not ours
    if not credential.secret:
        raise ValidationError({"secret": "Enter the secret (token, app password or signing "
                                         "secret)."})
    credential.full_clean()
    credential.save()
    logger.info("Credential %s (%s/%s) saved by %s", credential.pk, brand.pk, platform, _who(user))
    return credential


# --- the campaign ---------------------------------------------------------------------------


@transaction.atomic
def campaign_complete(*, campaign: Campaign, user) -> Campaign:
    """Marks the campaign complete, only when every approved post is published or skipped."""
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if locked.completed_at is not None:
        return locked
    outstanding = (
        Creative.objects.filter(campaign=locked, status=CreativeStatus.APPROVED)
        .exclude(publication__status__in=DONE)
        .count()
    )
    if outstanding:
        noun = "post is" if outstanding == 1 else "posts are"
        raise ValidationError(
            f"{outstanding} approved {noun} neither published nor skipped; post or skip "
            "them first."
        )
    locked.completed_at = timezone.now()
    locked.save(update_fields=["completed_at", "updated_at"])
    logger.info("Campaign %s marked complete by %s", locked.pk, _who(user))
    from kaizen.services import retrospective_open

    # Every finished campaign gets its retrospective, opened in the same transaction.
    retrospective_open(campaign=locked)
    return locked
