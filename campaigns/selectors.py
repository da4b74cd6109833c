"""Reads for the campaigns wizard, the campaign pages and the approval queue.

A campaign's step is derived from its creatives and publications, never stored:
created → generated → in review → approved → executing → complete.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from campaigns.diffs import creative_rounds
from campaigns.models import (
    Brand,
    Campaign,
    Creative,
    CreativeStatus,
    CreativeVersion,
    Plan,
    PublicationStatus,
    Review,
)

QUEUE_STATUSES = (CreativeStatus.PENDING, CreativeStatus.REJECTED)


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    wizard_step: int  # where the wizard picks up for a campaign at this step


STEPS = {
    "created": Step("created", "Created", 2),
    "generated": Step("generated", "Generated", 3),
    "in_review": Step("in_review", "In review", 3),
    "approved": Step("approved", "Approved", 4),
    "executing": Step("executing", "Executing", 4),
    "complete": Step("complete", "Complete", 4),
}


def _with_progress(queryset: QuerySet[Campaign]) -> QuerySet[Campaign]:
    finished = [PublicationStatus.PUBLISHED, PublicationStatus.SKIPPED]
    return queryset.annotate(
        n_creatives=Count("creatives", distinct=True),
        n_pending=Count("creatives", filter=Q(creatives__status=CreativeStatus.PENDING),
                        distinct=True),
        n_rejected=Count("creatives", filter=Q(creatives__status=CreativeStatus.REJECTED),
                         distinct=True),
        n_approved=Count("creatives", filter=Q(creatives__status=CreativeStatus.APPROVED),
                         distinct=True),
        n_publications=Count("creatives__publication", distinct=True),
        n_finished=Count("creatives__publication",
                         filter=Q(creatives__publication__status__in=finished), distinct=True),
        has_reviews=Exists(Review.objects.filter(creative__campaign=OuterRef("pk"))),
    )


def campaign_step(campaign: Campaign) -> Step:
    """Needs a campaign from campaign_list / campaign_get (their counts)."""
    if campaign.completed_at or (
        campaign.n_creatives and campaign.n_finished == campaign.n_creatives
    ):
        return STEPS["complete"]
    if campaign.n_publications:
        return STEPS["executing"]
    if not campaign.n_creatives:
        return STEPS["created"]
    if campaign.n_approved and not campaign.n_pending and not campaign.n_rejected:
        return STEPS["approved"]
    if campaign.has_reviews:
        return STEPS["in_review"]
    return STEPS["generated"]


CAMPAIGNS_PER_PAGE = 50


def campaign_page(*, brand_id: int | None = None, page_number=None) -> Page:
    """One page of campaigns, newest first, each with its counts and `step`; the counts are
    computed for the page's campaigns only."""
    queryset = Campaign.objects.order_by("-created_at", "-pk")
    if brand_id:
        queryset = queryset.filter(brand_id=brand_id)
    page = Paginator(queryset.values_list("pk", flat=True), CAMPAIGNS_PER_PAGE).get_page(page_number)
    ids = list(page.object_list)
    by_id = _with_progress(Campaign.objects.select_related("brand", "owner")).in_bulk(ids)
    page.object_list = [by_id[pk] for pk in ids if pk in by_id]
    for campaign in page.object_list:
        campaign.step = campaign_step(campaign)
    return page


def campaign_get(pk: int) -> Campaign:
    """The campaign with its counts, step and the plan in force (`current_plan`, or None)."""
    campaign = _with_progress(Campaign.objects.select_related("brand", "owner")).get(pk=pk)
    campaign.step = campaign_step(campaign)
    campaign.current_plan = (
        Plan.objects.filter(campaign=campaign).select_related("created_by").order_by("-version").first()
    )
    return campaign


def brand_choices() -> QuerySet[Brand]:
    return Brand.objects.order_by("name")


def creative_queryset() -> QuerySet[Creative]:
    """Creatives with everything a queue card shows: brand, author, versions and reviews."""
    return Creative.objects.select_related("campaign__brand", "author").prefetch_related(
        Prefetch("versions", queryset=CreativeVersion.objects.select_related("author")
                 .order_by("version")),
        Prefetch("reviews", queryset=Review.objects.select_related("reviewer", "client_link")
                 .order_by("reviewed_at")),
    )


def with_history(creatives: list[Creative]) -> list[Creative]:
    """Attaches `history`: each version (newest first) with the reviews of that version."""
    for creative in creatives:
        reviews_by_version: dict[int, list[Review]] = {}
        reviews = list(creative.reviews.all())
        creative.last_review = reviews[-1] if reviews else None
        for review in reviews:
            reviews_by_version.setdefault(review.version, []).append(review)
        # What changed in each round (word diffs against the version before), from the same
        # prefetched rows: no query more per card.
        changes = {
            round_.version.version: round_.changes for round_ in creative_rounds(creative)
        }
        creative.history = [
            (version, reviews_by_version.get(version.version, []), changes.get(version.version, []))
            for version in reversed(list(creative.versions.all()))
        ]
    return creatives


def queue_creatives(
    *,
    campaign_id: int | None = None,
    brand_id: int | None = None,
    platform: str = "",
    statuses: tuple[str, ...] = QUEUE_STATUSES,
) -> QuerySet[Creative]:
    queryset = creative_queryset().filter(status__in=statuses)
    if campaign_id:
        queryset = queryset.filter(campaign_id=campaign_id)
    if brand_id:
        queryset = queryset.filter(campaign__brand_id=brand_id)
    if platform:
        queryset = queryset.filter(platform=platform)
    return queryset.order_by("scheduled_at", "pk")


def creative_card(pk: int) -> Creative:
    return with_history([creative_queryset().get(pk=pk)])[0]


def approved_creatives(campaign: Campaign) -> QuerySet[Creative]:
    return (
        Creative.objects.filter(campaign=campaign, status=CreativeStatus.APPROVED)
        .select_related("campaign__brand")
        .order_by("scheduled_at", "pk")
    )


def campaign_creatives(campaign: Campaign) -> QuerySet[Creative]:
    return (
        Creative.objects.filter(campaign=campaign)
        .select_related("campaign__brand")
        .order_by("scheduled_at", "platform", "pk")
    )
