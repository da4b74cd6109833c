"""Every state change of a creative lives here: views, commands and workers call these.

Status transitions:
    draft   → pending   (creative_submit)
    pending → approved  (creative_decide, approve)
    pending → rejected  (creative_decide, reject with a reason)
    rejected/approved/pending → pending as the next version (creative_revise)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone
from django.utils.text import slugify

from campaigns.attribution import creative_apply_utm, tag_text, tag_url, utm_values
from campaigns.models import (
    Brand,
    Campaign,
    Creative,
    CreativeStatus,
    CreativeVersion,
    Plan,
    PostingMode,
    Publication,
    Review,
    ReviewDecision,
    ReviewSource,
)
from campaigns.validation import normalise_hashtags, post_problems

EDITABLE_FIELDS = ("caption", "hashtags", "link", "call_to_action", "scheduled_at", "image", "image_alt",
                   "image_brief")


class DecisionConflict(Exception):
    """Someone else decided this version first, or it changed since the reviewer saw it."""

    def __init__(self, message: str, review: Review | None = None):
        super().__init__(message)
        self.review = review


def creative_snapshot(*, creative: Creative, author=None) -> CreativeVersion:
    """Stores what the creative says at its current version (idempotent per version)."""
    version, _ = CreativeVersion.objects.update_or_create(
        creative=creative,
        version=creative.version,
        defaults={
            "caption": creative.caption,
            "hashtags": creative.hashtags,
            "link": creative.link,
            "call_to_action": creative.call_to_action,
            "scheduled_at": creative.scheduled_at,
            "image_alt": creative.image_alt,
            "author": author or creative.author,
        },
    )
    return version


@transaction.atomic
def creative_submit(*, creative: Creative, user=None) -> Creative:
    creative = Creative.objects.select_for_update().get(pk=creative.pk)
    if creative.status != CreativeStatus.DRAFT:
        return creative  # already in review or decided: submitting twice changes nothing
    creative.status = CreativeStatus.PENDING
    creative.save(update_fields=["status", "updated_at"])
    creative_snapshot(creative=creative, author=user)
    return creative


def _latest_review(creative: Creative, version: int) -> Review | None:
    return (
        Review.objects.select_related("reviewer")
        .filter(creative=creative, version=version, source=ReviewSource.AGENCY)
        .first()
    )


@transaction.atomic
def creative_decide(
    *,
    creative: Creative,
    reviewer,
    approve: bool,
    reason: str = "",
    version: int | None = None,
    source: str = ReviewSource.AGENCY,
) -> Review:
    """Approve or reject the version the reviewer saw. Exactly one decision per version: the
    row lock serialises two approvers, and the unique constraint catches anything else."""
    reason = reason.strip()
    if not approve and not reason:
        raise ValidationError({"reason": "Say why the post is rejected, so it can be revised."})
    locked = Creative.objects.select_for_update().get(pk=creative.pk)
    seen_version = version or locked.version
    if locked.version != seen_version or locked.status != CreativeStatus.PENDING:
        earlier = _latest_review(locked, seen_version)
        if earlier is not None:
            who = earlier.reviewer.get_full_name() or earlier.reviewer.username if earlier.reviewer else "someone"
            raise DecisionConflict(
                f"{who} already {earlier.get_decision_display().lower()} this version "
                f"at {timezone.localtime(earlier.reviewed_at):%H:%M}.",
                earlier,
            )
        raise DecisionConflict("This post changed since you opened it; look at it again.")
    if (
        approve
        and not settings.ALLOW_SELF_APPROVAL
        and reviewer is not None
        and locked.author_id == getattr(reviewer, "pk", None)
    ):
        raise ValidationError("You wrote this version; another approver must approve it.")
    try:
        with transaction.atomic():
            review = Review.objects.create(
                creative=locked,
                version=locked.version,
                decision=ReviewDecision.APPROVED if approve else ReviewDecision.REJECTED,
                reason=reason,
                source=source,
                reviewer=reviewer,
            )
    except IntegrityError as exc:
        raise DecisionConflict("This version has already been decided.") from exc
    locked.status = CreativeStatus.APPROVED if approve else CreativeStatus.REJECTED
    locked.save(update_fields=["status", "updated_at"])
    return review


@transaction.atomic
def creative_revise(*, creative: Creative, editor, changes: dict) -> Creative:
    """Applies an operator's edit. A draft changes in place; a post in review or decided comes
    back as the next version awaiting review, and its history keeps the earlier version."""
    locked = Creative.objects.select_for_update().get(pk=creative.pk)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}")
    if "hashtags" in changes:
        changes = {**changes, "hashtags": normalise_hashtags(changes["hashtags"])}
    merged = {field: changes.get(field, getattr(locked, field)) for field in EDITABLE_FIELDS}
    # Every link keeps (or gets back) its UTM parameters, whatever the edit did to it.
    utm = utm_values(
        platform=locked.platform, campaign_slug=locked.campaign.slug, creative_id=locked.pk
    )
    merged["link"] = tag_url(merged["link"] or "", utm)
    merged["caption"] = tag_text(merged["caption"] or "", utm)
    changes = {**changes, "link": merged["link"], "caption": merged["caption"]}
    problems = post_problems(
        platform=locked.platform,
        caption=merged["caption"],
        hashtags=merged["hashtags"],
        link=merged["link"],
    )
    if problems and (merged["link"] or "utm_" in merged["caption"]):
        problems.append(
            "Links carry the campaign's UTM parameters (utm_source, utm_medium, utm_campaign, "
            "utm_content), and they count towards the length."
        )
    if problems:
        raise ValidationError(problems)
    for field, value in changes.items():
        setattr(locked, field, value)
    locked.author = editor
    if locked.status != CreativeStatus.DRAFT:
        locked.version += 1
        locked.status = CreativeStatus.PENDING
    locked.save()
    creative_snapshot(creative=locked, author=editor)
    return locked


@dataclass(frozen=True)
class BulkResult:
    approved: int
    skipped: list[str]


def creative_bulk_approve(*, creatives: list[Creative], reviewer) -> BulkResult:
    """Approves each pending creative on its own, so one refusal does not undo the others."""
    approved, skipped = 0, []
    for creative in creatives:
        try:
            creative_decide(creative=creative, reviewer=reviewer, approve=True, version=creative.version)
            approved += 1
        except (DecisionConflict, ValidationError) as exc:
            message = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
            skipped.append(f"Post {creative.pk}: {message}")
    return BulkResult(approved=approved, skipped=skipped)


# ---------------------------------------------------------------------------------------------
# Campaigns: create, generate, choose the posting mode (the wizard's writes).
# ---------------------------------------------------------------------------------------------


def _unique_campaign_slug(brand: Brand, name: str) -> str:
    base = slugify(f"{brand.slug or brand.name} {name}")[:170] or "campaign"
    taken = set(Campaign.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken:
        slug = f"{base}-{number}"
        number += 1
    return slug


@transaction.atomic
def campaign_create(
    *,
    brand: Brand,
    name: str,
    objectives: str,
    platforms: list[str],
    cadence: int,
    start_date: date,
    end_date: date,
    owner=None,
) -> Campaign:
    campaign = Campaign(
        brand=brand, name=name.strip(), objectives=objectives.strip(), platforms=list(platforms),
        cadence=cadence, start_date=start_date, end_date=end_date, owner=owner,
        slug=_unique_campaign_slug(brand, name),
    )
    campaign.full_clean()
    campaign.save()
    return campaign


@dataclass(frozen=True)
class GenerationOutcome:
    plan: Plan
    created: int
    replaced: int
    kept: int


def campaign_generate(*, campaign: Campaign, user, engine: str | None = None) -> GenerationOutcome:
    """Writes the campaign's next plan and its creatives. The engine runs first, outside any
    transaction (it may wait on the network); its result is validated before anything is
    written, then everything is saved in one transaction or not at all.

    Regenerating replaces only drafts and pending posts that nobody has reviewed: approved,
    rejected and revised posts stay, with every review, and keep their calendar slots."""
    from campaigns.generation import generate

    result = generate(campaign, engine)  # raises GenerationError; nothing written yet
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        reviewed = Review.objects.filter(creative=OuterRef("pk"))
        published = Publication.objects.filter(creative=OuterRef("pk"))
        # Lock before deleting: a post an approver is deciding right now is waited for, and
        # once approved it no longer matches, so its review is never deleted with it.
        replaceable = list(
            locked.creatives.select_for_update()
            .filter(status__in=[CreativeStatus.DRAFT, CreativeStatus.PENDING])
            .exclude(Exists(reviewed))
            .exclude(Exists(published))
            .values_list("pk", flat=True)
        )
        _, deleted = Creative.objects.filter(pk__in=replaceable).exclude(Exists(reviewed)).delete()
        replaced = deleted.get(Creative._meta.label, 0)
        kept = {(c.platform, c.scheduled_at) for c in locked.creatives.only("platform", "scheduled_at")}
        version = (locked.plans.aggregate(top=Max("version"))["top"] or 0) + 1
        plan = Plan.objects.create(
            campaign=locked, version=version, pillars=result.plan.pillars,
            audience=result.plan.audience, key_messages=result.plan.key_messages,
            calendar=result.calendar, engine=result.engine, rationale=result.plan.rationale,
            created_by=user,
        )
        created = 0
        for item in result.items:
            if (item.platform, item.scheduled_at) in kept:
                continue
            creative = Creative.objects.create(
                campaign=locked, platform=item.platform, scheduled_at=item.scheduled_at,
                pillar=item.pillar[:120], caption=item.caption, hashtags=item.hashtags,
                link=item.link, call_to_action=item.call_to_action, image_brief=item.image_brief,
                image_alt=item.image_alt, status=CreativeStatus.PENDING, version=1, author=user,
            )
            if creative_apply_utm(creative=creative, fit=True):
                creative.save(update_fields=["link", "caption", "hashtags"])
            creative_snapshot(creative=creative, author=user)
            created += 1
    return GenerationOutcome(plan=plan, created=created, replaced=replaced, kept=len(kept))


@transaction.atomic
def campaign_set_posting_mode(*, campaign: Campaign, mode: str) -> Campaign:
    """Chooses how approved posts go out; refused while nothing is approved."""
    if mode not in PostingMode.values:
        raise ValidationError({"posting_mode": "Choose proof, manual or live."})
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not locked.creatives.filter(status=CreativeStatus.APPROVED).exists():
        raise ValidationError("Nothing is approved yet: approve posts before choosing how they go out.")
    locked.posting_mode = mode
    locked.save(update_fields=["posting_mode", "updated_at"])
    return locked
