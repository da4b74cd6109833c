"""Reads for the campaigns wizard, the campaign pages and the approval queue.

A campaign's step is derived from its creatives and publications, never stored:
created → generated → in review → approved → executing → complete.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from campaigns.diffs import creative_rounds
from campaigns.models import (
    Brand,
    Campaign,
    Creative,
    CreativeStatus,
    CreativeVersion,
    Plan,
    Publication,
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
    """Needs a campaign from campaign_get (its counts)."""
    return _step(
        campaign,
        all_finished=bool(campaign.n_creatives) and campaign.n_finished == campaign.n_creatives,
        any_publication=bool(campaign.n_publications),
    )


def _step(campaign: Campaign, *, all_finished: bool, any_publication: bool) -> Step:
    """The step from the campaign's creative counts, `has_reviews`, and whether every creative
    has a finished publication / any creative has one."""
    if campaign.completed_at or all_finished:
        return STEPS["complete"]
    if any_publication:
        return STEPS["executing"]
    if not campaign.n_creatives:
        return STEPS["created"]
    if campaign.n_approved and not campaign.n_pending and not campaign.n_rejected:
        return STEPS["approved"]
    if campaign.has_reviews:
        return STEPS["in_review"]
    return STEPS["generated"]


CAMPAIGNS_PER_PAGE = 50


def _first(queryset: QuerySet) -> Subquery:
    """The first matching row's pk or NULL: a scalar subquery, run per outer row, that stops at
    the first match (PostgreSQL turns an EXISTS over many rows into a hash of the whole table)."""
    return Subquery(queryset.values("pk")[:1])


def _page_progress(campaigns: list[Campaign]) -> None:
    """Sets the creative counts by status, `has_reviews` and `step` on a page of campaigns.

    Counting creatives x publications x reviews for the page (as `_with_progress` does for one
    campaign) cost 15-25 ms at 500 campaigns: PostgreSQL hashed every publication and review.
    The step only needs to know whether any creative has a publication, whether one lacks a
    finished publication, and whether any has a review: each a probe that stops at the first
    match. Unapproved creatives are tried first for the unfinished one, as they have none.
    """
    counts: dict[int, dict[str, int]] = {}
    for campaign_id, status, n in (
        Creative.objects.filter(campaign__in=campaigns)  # index creative_campaign_status
        .values_list("campaign_id", "status").annotate(n=Count("pk")).order_by()
    ):
        row = counts.setdefault(campaign_id, dict.fromkeys(CREATIVE_COUNTS, 0))
        row["n_creatives"] += n
        if status in STATUS_COUNTS:
            row[STATUS_COUNTS[status]] += n
    publication_status = Coalesce(Subquery(
        Publication.objects.filter(creative=OuterRef("pk")).order_by().values("status")[:1]
    ), Value(""))
    unfinished = (
        Creative.objects.filter(campaign=OuterRef("pk"))
        .alias(publication_status=publication_status)
        .exclude(publication_status__in=[PublicationStatus.PUBLISHED, PublicationStatus.SKIPPED])
        .order_by("-status")
    )
    flags = {
        pk: rest for pk, *rest in
        Campaign.objects.filter(pk__in=[campaign.pk for campaign in campaigns]).values_list(
            "pk",
            _first(Review.objects.filter(creative__campaign=OuterRef("pk")).order_by()),
            _first(Publication.objects.filter(creative__campaign=OuterRef("pk")).order_by()),
            _first(unfinished),
        )
    }
    empty = dict.fromkeys(CREATIVE_COUNTS, 0)
    for campaign in campaigns:
        for name, value in counts.get(campaign.pk, empty).items():
            setattr(campaign, name, value)
        review, publication, unfinished_creative = flags[campaign.pk]
        campaign.has_reviews = review is not None
        campaign.step = _step(
            campaign,
            all_finished=bool(campaign.n_creatives) and unfinished_creative is None,
            any_publication=publication is not None,
        )


CREATIVE_COUNTS = ("n_creatives", "n_pending", "n_rejected", "n_approved")
STATUS_COUNTS = {CreativeStatus.PENDING: "n_pending", CreativeStatus.REJECTED: "n_rejected",
                 CreativeStatus.APPROVED: "n_approved"}


# What a row of the list shows and its step reads; the plan's texts stay in the database.
LIST_FIELDS = ("brand", "name", "platforms", "cadence", "start_date", "end_date", "completed_at",
               "created_at")


def campaign_page(*, brand_id: int | None = None, page_number=None) -> Page:
    """One page of campaigns, newest first, each with its counts and `step`; the counts are
    computed for the page's campaigns only."""
    queryset = Campaign.objects.select_related("brand").order_by("-created_at", "-pk").only(
        *LIST_FIELDS, "brand__name"
    )
    if brand_id:
        queryset = queryset.filter(brand_id=brand_id)
    page = Paginator(queryset, CAMPAIGNS_PER_PAGE).get_page(page_number)
    page.object_list = list(page.object_list)
    _page_progress(page.object_list)
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


CARD_FIELDS = ("campaign", "platform", "scheduled_at", "pillar", "caption", "hashtags", "link",
               "image", "image_alt", "image_brief", "status", "version", "author")


def queue_page(*, campaign_id: int | None = None, brand_id: int | None = None, platform: str = "",
               page_number=None, per_page: int) -> Page:
    """One page of the queue as `with_history` cards. The page's ids come first from the
    queue's index (creative_queue_sched), then only those rows load with their relations:
    sorting 2,000 full rows for a deep page cost ~10 ms."""
    ids = queue_creatives(campaign_id=campaign_id, brand_id=brand_id, platform=platform)
    page = Paginator(ids.values_list("pk", flat=True), per_page).get_page(page_number)
    page_ids = list(page.object_list)
    # A card shows its campaign's and brand's names only, and whether the viewer wrote it
    # (author_id): the other columns of those rows cost more to load than the page's SQL.
    cards = creative_queryset().select_related(None).select_related("campaign__brand").only(
        *CARD_FIELDS, "campaign__name", "campaign__brand__name"
    )
    by_id = cards.in_bulk(page_ids)
    page.object_list = with_history([by_id[pk] for pk in page_ids if pk in by_id])
    return page


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
