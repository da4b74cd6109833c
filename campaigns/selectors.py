"""Reads for the campaigns wizard, the campaign pages and the approval queue.

A campaign's step is derived from its creatives and publications, never stored:
created → generated → in review → approved → executing → complete.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.fields.files import FieldFile
from django.db.models.functions import Coalesce

from aicmo_site.rows import fetch_converted
from campaigns import choices
from campaigns.choices import STAMPED_SECONDS
from campaigns.diffs import version_changes
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
from campaigns.stamps import HISTORY, PROGRESS, data_stamp

QUEUE_STATUSES = (CreativeStatus.PENDING, CreativeStatus.REJECTED)


class CountedPaginator(Paginator):
    """A Paginator told its count (cached under a data stamp) instead of asking COUNT(*)."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self.count = count  # shadows the cached_property


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


def _step(campaign: Campaign | CampaignRow, *, all_finished: bool, any_publication: bool) -> Step:
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


def _ids_key(ids: list[int]) -> str:
    return hashlib.blake2b(",".join(map(str, ids)).encode(), digest_size=16).hexdigest()


def _progress_key(stamp: int, ids: list[int]) -> str:
    return f"campaigns:progress:{stamp}:{_ids_key(ids)}"


def _queue_count_key(stamp: int, campaign_id: int | None, brand_id: int | None,
                     platform: str) -> str:
    return f"campaigns:queue-count:{stamp}:{campaign_id or ''}:{brand_id or ''}:{platform}"


def _history_key(stamp: int, ids: list[int]) -> str:
    return f"campaigns:history:{stamp}:{_ids_key(ids)}"


def _page_progress(campaigns: list[CampaignRow]) -> None:
    """Sets the creative counts by status, `has_reviews` and `step` on a page of campaigns.

    What the steps read of creatives, publications and reviews is cached for the page's
    campaigns under the "progress" stamp, which moves with every write those reads can see;
    a campaign's own completion is read with its row.
    """
    ids = [campaign.pk for campaign in campaigns]
    progress = cache.get_or_set(_progress_key(data_stamp(PROGRESS), ids), lambda: _progress(ids),
                                STAMPED_SECONDS)
    for campaign in campaigns:
        counts, has_reviews, any_publication, any_unfinished = progress.get(campaign.pk, NO_PROGRESS)
        campaign.n_creatives, campaign.n_pending, campaign.n_rejected, campaign.n_approved = counts
        campaign.has_reviews = has_reviews
        campaign.step = _step(
            campaign,
            all_finished=bool(campaign.n_creatives) and not any_unfinished,
            any_publication=any_publication,
        )


def _progress(ids: list[int]) -> dict[int, tuple[tuple[int, int, int, int], bool, bool, bool]]:
    """For each campaign: (creatives, pending, rejected, approved), whether any creative has a
    review, whether any has a publication, whether any lacks a finished publication.

    Counting creatives x publications x reviews for the page (as `_with_progress` does for one
    campaign) cost 15-25 ms at 500 campaigns: PostgreSQL hashed every publication and review.
    The step only needs to know whether any creative has a publication, whether one lacks a
    finished publication, and whether any has a review: each a probe that stops at the first
    match. Unapproved creatives are tried first for the unfinished one, as they have none.
    """
    counts: dict[int, list[int]] = {pk: [0, 0, 0, 0] for pk in ids}
    for campaign_id, status, n in (
        Creative.objects.filter(campaign__in=ids)  # index creative_campaign_status
        .values_list("campaign_id", "status").annotate(n=Count("pk")).order_by()
    ):
        row = counts[campaign_id]
        row[0] += n
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
    return {
        pk: (tuple(counts[pk]), review is not None, publication is not None,
             unfinished_creative is not None)
        for pk, review, publication, unfinished_creative in
        Campaign.objects.filter(pk__in=ids).values_list(
            "pk",
            _first(Review.objects.filter(creative__campaign=OuterRef("pk")).order_by()),
            _first(Publication.objects.filter(creative__campaign=OuterRef("pk")).order_by()),
            _first(unfinished),
        )
    }


NO_PROGRESS = ((0, 0, 0, 0), False, False, False)  # a campaign removed while the page was read
# Where a status is counted in a campaign's (creatives, pending, rejected, approved).
STATUS_COUNTS = {CreativeStatus.PENDING: 1, CreativeStatus.REJECTED: 2, CreativeStatus.APPROVED: 3}


@dataclass(slots=True)
class CampaignRow:
    """A row of the campaign list: what it shows and its step reads (the plan's texts and the
    other columns stay in the database; 50 model instances and their brands cost ~0.6 ms)."""

    pk: int
    name: str
    brand_id: int
    platforms: list[str]
    cadence: int
    start_date: object
    end_date: object
    completed_at: object
    brand_name: str = ""
    # Set by _page_progress:
    n_creatives: int = 0
    n_pending: int = 0
    n_rejected: int = 0
    n_approved: int = 0
    has_reviews: bool = False
    step: Step | None = None


ROW_COLUMNS = ("id", "name", "brand_id", "platforms", "cadence", "start_date", "end_date",
               "completed_at")


@functools.cache
def _campaign_rows_sql(*, brand: bool) -> str:
    """The statement reading a page of the campaign list (parameters: the brand if given, the
    limit and offset), in the order of its index campaign_newest; written once, as building the
    ORM's version cost more than the database's work."""
    where = " WHERE brand_id = %s" if brand else ""
    return (f"SELECT {', '.join(ROW_COLUMNS)} FROM {Campaign._meta.db_table}{where}"  # noqa: S608 - names from the model, values as parameters
            " ORDER BY created_at DESC, id DESC LIMIT %s OFFSET %s")


def campaign_page(*, brand_id: int | None = None, page_number=None,
                  known: choices.Choices | None = None) -> Page:
    """One page of campaigns (CampaignRow), newest first, each with its counts and `step`; the
    counts are computed for the page's campaigns only. The number of campaigns and the brands'
    names come from `known` (choices.current(), read here when not given): the page's rows
    come from the campaign table alone, in the order of its index campaign_newest."""
    known = known or choices.current()
    count = known.campaign_count(brand_id)
    page = CountedPaginator(range(count), CAMPAIGNS_PER_PAGE, count=count).get_page(page_number)
    shown = page.object_list  # the range of the page's rows
    rows = []
    if shown:
        rows = [CampaignRow(*values) for values in fetch_converted(
            Campaign, ROW_COLUMNS, _campaign_rows_sql(brand=bool(brand_id)),
            [*([brand_id] if brand_id else []), len(shown), shown.start],
        )]
    names = known.brand_names
    if any(row.brand_id not in names for row in rows):  # a brand added since names were read
        names = {**names, **dict(Brand.objects.filter(pk__in={row.brand_id for row in rows})
                                 .values_list("pk", "name"))}
    for row in rows:
        row.brand_name = names[row.brand_id]
    page.object_list = rows
    _page_progress(rows)
    return page


def campaign_get(pk: int) -> Campaign:
    """The campaign with its counts, step and the plan in force (`current_plan`, or None)."""
    campaign = _with_progress(Campaign.objects.select_related("brand", "owner")).get(pk=pk)
    campaign.step = campaign_step(campaign)
    campaign.current_plan = (
        Plan.objects.filter(campaign=campaign).select_related("created_by").order_by("-version").first()
    )
    return campaign


def creative_queryset() -> QuerySet[Creative]:
    """Creatives with what a queue card shows of their relations: brand and author
    (`with_history` adds the versions and reviews)."""
    return Creative.objects.select_related("campaign__brand", "author")


# What a history shows and diffs, and of a person their name: these rows are cached, and
# nothing else of theirs (no password hash, no client link token) should be.
VERSION_FIELDS = ("creative", "version", "caption", "hashtags", "link", "scheduled_at", "author",
                  "created_at")
REVIEW_FIELDS = ("creative", "version", "decision", "reason", "reviewer", "reviewed_at",
                 "client_link")
PERSON_FIELDS = ("username", "first_name", "last_name")


def _histories(creative_ids: list[int]) -> dict[int, tuple[list, Review | None, int]]:
    """Each creative's (history, last review, number of reviews): two queries for all the cards,
    grouped here (prefetch_related cloned a queryset per card), and the word diffs."""
    versions: dict[int, list[CreativeVersion]] = {pk: [] for pk in creative_ids}
    reviews: dict[int, list[Review]] = {pk: [] for pk in creative_ids}
    if creative_ids:
        for version in (
            CreativeVersion.objects.filter(creative_id__in=creative_ids).select_related("author")
            .only(*VERSION_FIELDS, *(f"author__{name}" for name in PERSON_FIELDS))
            .order_by("version")
        ):
            versions[version.creative_id].append(version)
        for review in (
            Review.objects.filter(creative_id__in=creative_ids)
            .select_related("reviewer", "client_link")
            .only(*REVIEW_FIELDS, "client_link__label",
                  *(f"reviewer__{name}" for name in PERSON_FIELDS))
            .order_by("reviewed_at")
        ):
            reviews[review.creative_id].append(review)
    histories = {}
    for pk in creative_ids:
        reviews_by_version: dict[int, list[Review]] = {}
        for review in reviews[pk]:
            reviews_by_version.setdefault(review.version, []).append(review)
        rounds = versions[pk]
        history = [
            (version, reviews_by_version.get(version.version, []),
             version_changes(rounds[index - 1], version) if index else [])
            for index, version in enumerate(rounds)
        ][::-1]
        histories[pk] = (history, reviews[pk][-1] if reviews[pk] else None, len(reviews[pk]))
    return histories


def with_history(creatives: list) -> list:
    """Attaches to Creatives or QueueCards `history`: each version (newest first) with the reviews of that version and
    what changed in it (word diffs against the version before); `last_review`; `n_reviews`.

    The histories of a set of cards are the same for every viewer: they are cached under the
    "history" stamp, which moves with every write to versions and reviews and every change of
    a name they print (a person's, a client link's)."""
    ids = [creative.pk for creative in creatives]
    histories = cache.get_or_set(_history_key(data_stamp(HISTORY), ids), lambda: _histories(ids),
                                 STAMPED_SECONDS)
    for creative in creatives:
        creative.history, creative.last_review, creative.n_reviews = histories[creative.pk]
    return creatives


def queue_creatives(
    *,
    campaign_id: int | None = None,
    brand_id: int | None = None,
    platform: str = "",
    statuses: tuple[str, ...] = QUEUE_STATUSES,
) -> QuerySet[Creative]:
    queryset = Creative.objects.filter(status__in=statuses)
    if campaign_id:
        queryset = queryset.filter(campaign_id=campaign_id)
    if brand_id:
        queryset = queryset.filter(campaign__brand_id=brand_id)
    if platform:
        queryset = queryset.filter(platform=platform)
    return queryset.order_by("scheduled_at", "pk")


@dataclass(slots=True)
class QueueCard:
    """A card of the approval queue: the creative's columns its card shows (20 model instances,
    each with 18 fields through Model.__init__, cost more than their query), `names`, and what
    `with_history` adds. Its text is measured by Creative's own methods."""

    pk: int
    campaign_id: int
    platform: str
    scheduled_at: datetime
    pillar: str
    caption: str
    hashtags: list[str]
    link: str
    image: FieldFile
    image_alt: str
    image_brief: str
    status: str
    version: int
    author_id: int | None
    names: tuple[str, str] = ("", "")  # the campaign's and the brand's
    history: list = field(default_factory=list)
    last_review: Review | None = None
    n_reviews: int = 0

    rules = Creative.rules
    full_text = Creative.full_text
    text_length = Creative.text_length
    preview_parts = Creative.preview_parts


CARD_COLUMNS = ("id", "campaign_id", "platform", "scheduled_at", "pillar", "caption", "hashtags",
                "link", "image", "image_alt", "image_brief", "status", "version", "author_id")


@functools.cache
def _queue_cards_sql(vendor: str, *, campaign: bool, brand: bool, platform: bool) -> str:
    """The statement reading a page of the queue (parameters: the statuses, the filters given,
    the limit and offset), written once per set of filters: building the ORM's version cost more
    than PostgreSQL's planning and execution together. The page's ids come from the queue's
    index (creative_queue_sched, index-only) and only those rows are read: sorting the full
    rows of every queued post, or reading them up to a deep page's offset, cost milliseconds.
    PostgreSQL is given the ids as an array (an IN (subquery) plans a join and a hash)."""
    creative, campaigns = Creative._meta.db_table, Campaign._meta.db_table
    where = ["u.status IN (%s, %s)"]
    join = ""
    if campaign:
        where.append("u.campaign_id = %s")
    if brand:
        join = f" INNER JOIN {campaigns} b ON b.id = u.campaign_id"
        where.append("b.brand_id = %s")
    if platform:
        where.append("u.platform = %s")
    ids = (f"SELECT u.id FROM {creative} u{join} WHERE {' AND '.join(where)}"  # noqa: S608 - names from the models, values as parameters
           " ORDER BY u.scheduled_at, u.id LIMIT %s OFFSET %s")
    chosen = f"c.id = ANY(ARRAY({ids}))" if vendor == "postgresql" else f"c.id IN ({ids})"
    columns = ", ".join(f"c.{name}" for name in CARD_COLUMNS)
    return (f"SELECT {columns} FROM {creative} c WHERE {chosen}"  # noqa: S608 - as above
            " ORDER BY c.scheduled_at, c.id")


def _queue_cards(*, campaign_id: int | None, brand_id: int | None, platform: str, limit: int,
                 offset: int) -> list[QueueCard]:
    filters = [value for value in (campaign_id, brand_id, platform) if value]
    sql = _queue_cards_sql(connection.vendor, campaign=bool(campaign_id), brand=bool(brand_id),
                           platform=bool(platform))
    rows = fetch_converted(Creative, CARD_COLUMNS, sql, [*QUEUE_STATUSES, *filters, limit, offset])
    image = Creative._meta.get_field("image")
    for values in rows:
        values[8] = image.attr_class(None, image, values[8])  # as Creative.image reads it
    return [QueueCard(*values) for values in rows]


def queue_page(*, campaign_id: int | None = None, brand_id: int | None = None, platform: str = "",
               page_number=None, per_page: int, known: choices.Choices | None = None) -> Page:
    """One page of the queue as `with_history` QueueCards, each with `names`: its campaign's and
    brand's names, from `known` (choices.current(), read here when not given).

    The number of posts (per filter set) is cached under the "progress" stamp, which moves with
    every write that can add a post to the queue or take one out; the page's rows are read by
    one fixed statement (_queue_cards_sql).
    """
    queue = queue_creatives(campaign_id=campaign_id, brand_id=brand_id, platform=platform)
    count = cache.get_or_set(
        _queue_count_key(data_stamp(PROGRESS), campaign_id, brand_id, platform), queue.count,
        STAMPED_SECONDS,
    )
    page = CountedPaginator(range(count), per_page, count=count).get_page(page_number)
    cards: list[QueueCard] = []
    if count:
        rows = page.object_list  # the range of the page's rows
        cards = _queue_cards(campaign_id=campaign_id, brand_id=brand_id, platform=platform,
                             limit=len(rows), offset=rows.start)
        names = (known or choices.current()).campaign_names
        if any(card.campaign_id not in names for card in cards):  # added since names were read
            names = {**names, **{pk: (name, brand) for pk, name, brand in Campaign.objects.filter(
                pk__in={card.campaign_id for card in cards}).values_list("pk", "name", "brand__name")}}
        for card in cards:
            card.names = names[card.campaign_id]
    page.object_list = with_history(cards)
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
