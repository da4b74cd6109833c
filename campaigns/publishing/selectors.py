"""Reads of the Execution section: the queue, posting sessions, checklists and adapters."""

from __future__ import annotations

import functools
from array import array
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from campaigns.models import (
    Campaign,
    Creative,
    CreativeStatus,
    PostingMode,
    Publication,
    PublicationStatus,
    PublishingCredential,
)
from campaigns.publishing.platforms import PLATFORMS
from campaigns.stamps import EXECUTION, data_stamp

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

# How long a selection's waiting posts stay cached. A moved "execution" stamp makes its entries
# unreachable at once; this only bounds the memory they hold.
WAITING_SECONDS = 600

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _microseconds(moment: datetime) -> int:
    """A time as whole microseconds since the epoch: exact, as the database compares them."""
    return (moment - _EPOCH) // _MICROSECOND


@dataclass(frozen=True)
class Waiting:
    """One selection of the queue (execution_queue's filters): its posts in queue order
    (scheduled time, then pk), its posting sessions and the names its rows print. Nothing in it
    depends on the time of day, so it is cached as it is; execution_overview counts what is
    overdue and due today from `times` at the request's own `now`."""

    ids: array  # the posts' pks, in queue order
    times: array  # their scheduled times in microseconds since the epoch (so ascending)
    names: dict[int, tuple[str, str]]  # (campaign name, brand name) by campaign pk
    sessions: tuple[tuple[int, str, int], ...]  # (campaign pk, platform, posts), the first shown
    session_count: int  # every session of the selection on a platform we post to


def _read_waiting(queue: QuerySet[Creative]) -> Waiting:
    """One query (the waiting posts' index, their campaign and brand), grouped here into the
    sessions: one per campaign and platform, earliest post first."""
    rows = queue.values_list("pk", "scheduled_at", "campaign_id", "platform", "campaign__name",
                             "campaign__brand__name")
    ids, times = array("q"), array("q")
    names: dict[int, tuple[str, str]] = {}
    groups: dict[tuple[int, str], list] = {}  # (campaign, platform): [first post's time, posts]
    for pk, scheduled_at, campaign, platform, name, brand in rows:
        ids.append(pk)
        times.append(_microseconds(scheduled_at))
        names[campaign] = (name, brand)
        group = groups.get((campaign, platform))
        if group is None:
            groups[campaign, platform] = [scheduled_at, 1]
        else:
            group[1] += 1
    postable = sorted((first, campaign, platform, posts)
                      for (campaign, platform), (first, posts) in groups.items()
                      if platform in PLATFORMS)
    return Waiting(
        ids=ids, times=times, names=names,
        sessions=tuple((campaign, platform, posts)
                       for _, campaign, platform, posts in postable[:SESSIONS_SHOWN]),
        session_count=len(postable),
    )


def waiting_key(
    *,
    campaign_id: int | None = None,
    brand_id: int | None = None,
    platform: str = "",
    day: date | None = None,
    when: str = "",
    now: datetime,
) -> str | None:
    """The cache key of a selection's waiting posts at the current "execution" stamp, or None
    for a selection that is not cached: the overdue posts are those before the instant `now`.
    "today" and "upcoming" are keyed by today's date, a day or a date by the time zone they are
    read in."""
    if when == "overdue":
        return None
    today = timezone.localdate(now) if when else None
    return (f"execution:waiting:{settings.DASHBOARD_BUILD}:{data_stamp(EXECUTION)}:"
            f"{timezone.get_current_timezone_name()}:{campaign_id}:{brand_id}:{platform}:"
            f"{day}:{when}:{today}")


def waiting_posts(**selection) -> Waiting:
    """The waiting posts of execution_queue's selection (its arguments, `now` required), cached
    per selection under the "execution" stamp, which every write that can change them moves
    (migration campaigns 0014)."""
    def read() -> Waiting:
        return _read_waiting(execution_queue(**selection))

    key = waiting_key(**selection)
    return read() if key is None else cache.get_or_set(key, read, WAITING_SECONDS)


def execution_overview(waiting: Waiting, now: datetime) -> dict:
    """How many posts the selection holds, how many are overdue and how many are due later
    today, at `now` to the microsecond, and its posting sessions, one per campaign and platform
    (earliest post first; the first SESSIONS_SHOWN of them, labelled as their campaign, and how
    many more)."""
    end_of_today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    end_of_today += timedelta(days=1)
    overdue = bisect_left(waiting.times, _microseconds(now))
    due_today = bisect_left(waiting.times, _microseconds(end_of_today)) - overdue
    names = waiting.names
    shown = [
        {"campaign_id": campaign, "platform": PLATFORMS[platform], "count": count,
         "campaign": f"{names[campaign][1]} · {names[campaign][0]}"}  # Campaign.__str__
        for campaign, platform, count in waiting.sessions
    ]
    return {
        "total": len(waiting.ids),
        "overdue": overdue,
        "due_today": due_today,
        "sessions": shown,
        "sessions_more": waiting.session_count - len(shown),
    }


# A page's posts by pk with their publication's state; their order, times and names come from
# the cached selection. Fixed text (per page size), no ORM query to build each time.
_ROWS_SQL = (
    'SELECT "campaigns_creative"."id", "campaigns_creative"."platform", '
    '"campaigns_creative"."caption", "campaigns_creative"."campaign_id", '
    '"campaigns_publication"."status", "campaigns_publication"."simulated" '
    'FROM "campaigns_creative" LEFT OUTER JOIN "campaigns_publication" '
    'ON "campaigns_publication"."creative_id" = "campaigns_creative"."id" '
    'WHERE "campaigns_creative"."id" IN ({ids})'
)


@functools.cache
def _rows_sql(count: int) -> str:
    return _ROWS_SQL.format(ids=", ".join(["%s"] * count))


class QueuePages:
    """A selection's waiting posts for a Paginator: a page's pks are a slice of the cached
    selection, and only those posts are read, with their publication's state. A row is what
    creatives_render.execution_rows shows, keyed as values() would name it ("pk", "platform",
    "scheduled_at", "caption", "campaign__name", "campaign__brand__name",
    "publication__status", "publication__simulated")."""

    def __init__(self, waiting: Waiting) -> None:
        self.waiting = waiting

    def count(self) -> int:
        return len(self.waiting.ids)

    def __getitem__(self, page: slice) -> list[dict]:
        ids, times = self.waiting.ids[page].tolist(), self.waiting.times[page].tolist()
        if not ids:
            return []
        with connection.cursor() as cursor:
            cursor.execute(_rows_sql(len(ids)), ids)
            found = {row[0]: row for row in cursor.fetchall()}
        names = self.waiting.names
        campaigns = {row[3] for row in found.values()}
        if not names.keys() >= campaigns:  # a post moved since the selection was read: rare
            names = {**names, **_campaign_names(campaigns - names.keys())}
        rows = []
        for pk, time in zip(ids, times, strict=True):
            if pk not in found:  # deleted since the selection was read
                continue
            _, platform, caption, campaign, status, simulated = found[pk]
            rows.append({
                "pk": pk, "platform": platform, "scheduled_at": _EPOCH + time * _MICROSECOND,
                "caption": caption, "campaign__name": names[campaign][0],
                "campaign__brand__name": names[campaign][1], "publication__status": status,
                # SQLite reads a boolean as 0 or 1
                "publication__simulated": None if simulated is None else bool(simulated),
            })
        return rows


def _campaign_names(pks: set[int]) -> dict[int, tuple[str, str]]:
    return {pk: (name, brand) for pk, name, brand in
            Campaign.objects.filter(pk__in=pks).values_list("pk", "name", "brand__name")}


def due_at(scheduled_at: datetime, now: datetime) -> tuple[bool, bool]:
    """(due today, overdue) of a post scheduled at `scheduled_at`, at `now`."""
    return timezone.localdate(scheduled_at) == timezone.localdate(now), scheduled_at < now


def with_due_flags(rows: list[dict], now: datetime) -> list[tuple[dict, bool, bool]]:
    """(row, due today, overdue) of each of a page's rows at `now`: due_at's flags, with today's
    date and the time zone looked up once for the page, not twice per row."""
    zone, today = timezone.get_current_timezone(), timezone.localdate(now)
    return [(row, row["scheduled_at"].astimezone(zone).date() == today, row["scheduled_at"] < now)
            for row in rows]


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
