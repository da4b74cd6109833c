"""Reads of the Execution section: the queue, posting sessions, checklists and adapters."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Min, Q, QuerySet
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

# What Creative.publication_done stands for (its triggers: campaigns migration 0009).
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


def execution_overview(queue: QuerySet[Creative], now: datetime) -> dict:
    """How many posts the selection holds, how many are overdue, how many are due later today,
    and its posting sessions, one per campaign and platform (earliest post first; the first
    SESSIONS_SHOWN of them, and how many more): one grouped query whatever the selection's
    size, and one for the shown sessions' campaigns when there are any."""
    end_of_today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    end_of_today += timedelta(days=1)
    groups = list(
        queue.order_by()
        .values("campaign_id", "platform")
        .annotate(
            count=Count("pk"),
            first=Min("scheduled_at"),
            overdue=Count("pk", filter=Q(scheduled_at__lt=now)),
            due_today=Count("pk", filter=Q(scheduled_at__gte=now, scheduled_at__lt=end_of_today)),
        )
        .order_by("first", "campaign_id", "platform")
    )
    postable = [group for group in groups if group["platform"] in PLATFORMS]
    shown = postable[:SESSIONS_SHOWN]
    campaigns = (
        Campaign.objects.select_related("brand").only("name", "brand__name")
        .in_bulk({group["campaign_id"] for group in shown})
        if shown else {}
    )
    return {
        "total": sum(group["count"] for group in groups),
        "overdue": sum(group["overdue"] for group in groups),
        "due_today": sum(group["due_today"] for group in groups),
        "sessions": [
            {"campaign": campaigns[group["campaign_id"]], "platform": PLATFORMS[group["platform"]],
             "count": group["count"]}
            for group in shown
        ],
        "sessions_more": len(postable) - len(shown),
    }


def due_flags(creative: Creative, now: datetime | None = None) -> tuple[bool, bool]:
    """(due today, overdue) of a creative at `now`."""
    now = now or timezone.now()
    return (timezone.localdate(creative.scheduled_at) == timezone.localdate(now),
            creative.scheduled_at < now)


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
