"""Reads of the Execution section: the queue, posting sessions, checklists and adapters."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import connection
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from campaigns.models import (
    Brand,
    Campaign,
    Creative,
    CreativeStatus,
    PostingMode,
    Publication,
    PublicationStatus,
    PublishingCredential,
)
from campaigns.publishing.platforms import PLATFORMS

# What Creative.publication_done stands for (its triggers: campaigns migration 0010).
DONE = (PublicationStatus.PUBLISHED, PublicationStatus.SKIPPED)


def execution_queue(
    *,
    campaign_id: int | None = None,
    brand_id: int | None = None,
    platform: str = "",
    day: date | None = None,
    when: str = "",
    now: datetime | None = None,
) -> QuerySet[Creative]:
    """Every approved creative not yet published or skipped, by scheduled time.

    `when`: "overdue" (scheduled before now), "today" (scheduled today, local time),
    "upcoming" (after today); `day` picks one date.
    """
    now = now or timezone.now()
    creatives = (
        # publication_done is kept by the database from the publications (status in DONE), and
        # the waiting posts are indexed (creative_waiting): no anti-join of every approved post.
        Creative.objects.filter(status=CreativeStatus.APPROVED, publication_done=False,
                                campaign__completed_at__isnull=True)
        .select_related("campaign__brand", "publication")
        .order_by("scheduled_at", "pk")
    )
    if campaign_id:
        creatives = creatives.filter(campaign_id=campaign_id)
    if brand_id:
        creatives = creatives.filter(campaign__brand_id=brand_id)
    if platform:
        creatives = creatives.filter(platform=platform)
    if day:
        creatives = creatives.filter(scheduled_at__date=day)
    today = timezone.localdate(now)
    if when == "overdue":
        creatives = creatives.filter(scheduled_at__lt=now)
    elif when == "today":
        creatives = creatives.filter(scheduled_at__date=today)
    elif when == "upcoming":
        creatives = creatives.filter(scheduled_at__date__gt=today)
    return creatives


# The overview lists the earliest posting sessions only: at agency scale a selection holds
# hundreds (one per campaign and platform), which no one reads down; filtering by campaign or
# brand shows theirs.
SESSIONS_SHOWN = 20


# The selection's groups (one per campaign and platform), with every group's totals summed by
# window functions, and the earliest postable groups, then their campaign's and brand's names:
# the database groups the waiting posts and returns SESSIONS_SHOWN rows at most, however many
# sessions the selection holds (hundreds of one-post groups, at scale).
_OVERVIEW_SQL = """
SELECT shown.campaign_id, shown.platform, shown.posts, shown.total, shown.overdue_total,
       shown.due_today_total, shown.sessions, shown.postable, brand.name, campaign.name
FROM (
    SELECT campaign_id, platform, "count" AS posts, "first" AS first_at,
           SUM("count") OVER () AS total,
           SUM(overdue) OVER () AS overdue_total,
           SUM(due_today) OVER () AS due_today_total,
           SUM(CASE WHEN platform IN ({postable}) THEN 1 ELSE 0 END) OVER () AS sessions,
           CASE WHEN platform IN ({postable}) THEN 1 ELSE 0 END AS postable
    FROM ({groups}) AS grouped
    ORDER BY postable DESC, first_at, campaign_id, platform
    LIMIT %s
) AS shown
JOIN {campaigns} AS campaign ON campaign.id = shown.campaign_id
JOIN {brands} AS brand ON brand.id = campaign.brand_id
ORDER BY shown.postable DESC, shown.first_at, shown.campaign_id, shown.platform
"""


def execution_overview(queue: QuerySet[Creative], now: datetime) -> dict:
    """How many posts the selection holds, how many are overdue, how many are due later today,
    and its posting sessions, one per campaign and platform (earliest post first; the first
    SESSIONS_SHOWN of them, labelled as their campaign, and how many more): one query whatever
    the selection's size."""
    end_of_today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    end_of_today += timedelta(days=1)
    groups = (
        queue.order_by()
        .values("campaign_id", "platform")
        .annotate(
            count=Count("pk"),
            first=Min("scheduled_at"),
            overdue=Count("pk", filter=Q(scheduled_at__lt=now)),
            due_today=Count("pk", filter=Q(scheduled_at__gte=now, scheduled_at__lt=end_of_today)),
        )
    )
    groups_sql, groups_params = groups.query.sql_with_params()
    postable = list(PLATFORMS)
    sql = _OVERVIEW_SQL.format(
        groups=groups_sql, postable=", ".join(["%s"] * len(postable)),
        campaigns=Campaign._meta.db_table, brands=Brand._meta.db_table,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*postable, *postable, *groups_params, SESSIONS_SHOWN])
        rows = cursor.fetchall()
    total, overdue, due_today, sessions = (int(value) for value in rows[0][3:7]) if rows \
        else (0, 0, 0, 0)
    shown = [
        {"campaign_id": campaign_id, "campaign": f"{brand} · {name}",  # Campaign.__str__
         "platform": PLATFORMS[platform], "count": count}
        for campaign_id, platform, count, *_, is_postable, brand, name in rows if is_postable
    ]
    return {
        "total": total,
        "overdue": overdue,
        "due_today": due_today,
        "sessions": shown,
        "sessions_more": sessions - len(shown),
    }


# What a row of the queue shows (creatives_render.execution_rows), read as plain rows.
ROW_COLUMNS = ("pk", "platform", "scheduled_at", "caption", "campaign__name",
               "campaign__brand__name", "publication__status", "publication__simulated")


class QueuePages:
    """The queue for a Paginator, counted by execution_overview. A page's posts are picked by
    id alone, from the waiting posts' index (creative_waiting, read index-only), and only those
    are read in full, as rows of ROW_COLUMNS: PostgreSQL's planner prices the partial index's
    scattered heap reads above walking every approved post in time order, which is slower."""

    def __init__(self, queue: QuerySet[Creative], count: int) -> None:
        self.queue = queue
        self.total = count

    def count(self) -> int:
        return self.total

    def __getitem__(self, page: slice) -> list[dict]:
        ids = self.queue.values("pk")[page]
        return list(Creative.objects.filter(pk__in=ids).order_by("scheduled_at", "pk")
                    .values(*ROW_COLUMNS))


def due_at(scheduled_at: datetime, now: datetime) -> tuple[bool, bool]:
    """(due today, overdue) of a post scheduled at `scheduled_at`, at `now`."""
    return timezone.localdate(scheduled_at) == timezone.localdate(now), scheduled_at < now


def due_flags(creative: Creative, now: datetime | None = None) -> tuple[bool, bool]:
    """(due today, overdue) of a creative at `now`."""
    return due_at(creative.scheduled_at, now or timezone.now())


def creative_for_posting(*, pk: int, platform: str) -> Creative | None:
    return (
        Creative.objects.select_related("campaign__brand", "publication__published_by")
        .filter(pk=pk, platform=platform)
        .first()
    )


def session_creatives(*, campaign_id: int, platform: str) -> list[Creative]:
    """The posting session's posts in order: approved, of this campaign and platform, still
    waiting (not published, not skipped)."""
    return list(execution_queue(campaign_id=campaign_id, platform=platform))


def session_next(*, creative: Creative) -> Creative | None:
    """The next waiting post of the same campaign and platform after this one."""
    waiting = execution_queue(campaign_id=creative.campaign_id, platform=creative.platform)
    return waiting.exclude(pk=creative.pk).filter(
        Q(scheduled_at__gt=creative.scheduled_at)
        | Q(scheduled_at=creative.scheduled_at, pk__gt=creative.pk)
    ).first() or waiting.exclude(pk=creative.pk).first()


@dataclass
class ChecklistRow:
    platform: str
    name: str
    approved: int = 0
    published: int = 0
    simulated: int = 0
    skipped: int = 0
    failed: int = 0
    missing_urls: int = 0
    publications: list[Publication] = field(default_factory=list)
    waiting: list[Creative] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return self.published + self.skipped == self.approved


@dataclass
class Checklist:
    campaign: Campaign
    rows: list[ChecklistRow]

    @property
    def outstanding(self) -> int:
        return sum(row.approved - row.published - row.skipped for row in self.rows)

    @property
    def can_complete(self) -> bool:
        return self.campaign.completed_at is None and self.outstanding == 0


def campaign_checklist(*, campaign: Campaign) -> Checklist:
    """Per platform: approved, published (real and simulated), skipped, failed, every URL."""
    creatives = (
        Creative.objects.filter(campaign=campaign, status=CreativeStatus.APPROVED)
        .select_related("publication__published_by")
        .order_by("scheduled_at", "pk")
    )
    rows: dict[str, ChecklistRow] = {}
    for slug in list(campaign.platforms) + [c.platform for c in creatives]:
        if slug in PLATFORMS and slug not in rows:
            rows[slug] = ChecklistRow(platform=slug, name=PLATFORMS[slug].name)
    for creative in creatives:
        row = rows[creative.platform]
        row.approved += 1
        publication = getattr(creative, "publication", None)
        if publication is None or publication.status not in DONE:
            row.waiting.append(creative)
            if publication is not None and publication.status == PublicationStatus.FAILED:
                row.failed += 1
            continue
        row.publications.append(publication)
        if publication.status == PublicationStatus.SKIPPED:
            row.skipped += 1
            continue
        row.published += 1
        if publication.simulated:
            row.simulated += 1
        elif not publication.url:
            row.missing_urls += 1
    return Checklist(campaign=campaign, rows=list(rows.values()))


def credential_list() -> QuerySet[PublishingCredential]:
    return PublishingCredential.objects.select_related("brand").order_by("brand__name", "platform")


def configured_adapters() -> list[tuple[str, str, bool, str]]:
    """(brand name, platform, configured, note) for every live credential, and for every
    brand and platform a live-mode campaign needs but no credential covers. No secrets."""
    from campaigns.publishing.adapters import adapter_for

    found: list[tuple[str, str, bool, str]] = []
    covered: set[tuple[int, str]] = set()
    for credential in credential_list():
        covered.add((credential.brand_id, credential.platform))
        name = PLATFORMS[credential.platform].name if credential.platform in PLATFORMS \
            else credential.platform
        if not credential.enabled:
            found.append((credential.brand.name, name, False, "Disabled in admin."))
            continue
        problem = adapter_for(credential).configuration_problem()
        note = problem or f"{credential.get_adapter_display()} ready."
        found.append((credential.brand.name, name, problem is None, note))
    live = Campaign.objects.filter(posting_mode=PostingMode.LIVE, completed_at__isnull=True)
    for campaign in live.select_related("brand").order_by("brand__name"):
        for slug in campaign.platforms:
            if slug in PLATFORMS and (campaign.brand_id, slug) not in covered:
                covered.add((campaign.brand_id, slug))
                found.append((campaign.brand.name, PLATFORMS[slug].name, False,
                              f"No credential, but campaign “{campaign.name}” posts live."))
    return found
