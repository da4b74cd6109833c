"""Strategy: plan versions of every active campaign, and the content calendar across campaigns.

Reads (the plans in force, calendar entries and the problems flagged in them) and the one write
this area owns (`plan_revise`, which saves a new plan version and keeps the earlier ones).
Every read is a fixed number of queries, whatever the number of campaigns or creatives.
"""

from __future__ import annotations

import calendar as pycalendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Case, Count, F, Max, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import TruncHour
from django.utils import timezone

from campaigns.models import Brand, Campaign, Creative, CreativeStatus, Plan
from campaigns.publishing.platforms import PLATFORMS

MANUAL_ENGINE = "manual"


# ---------------------------------------------------------------- plans


def active_campaigns(today: date | None = None) -> QuerySet[Campaign]:
    """Campaigns not completed and not yet over: running now or starting later."""
    today = today or timezone.localdate()
    return Campaign.objects.filter(completed_at__isnull=True, end_date__gte=today)


@dataclass
class CampaignPlan:
    campaign: Campaign
    plan: Plan | None
    versions: int


def plan_list_for_active(today: date | None = None) -> list[CampaignPlan]:
    """Each active campaign with its plan in force (the highest version): two queries."""
    latest = Plan.objects.filter(campaign=OuterRef("pk")).order_by("-version").values("pk")[:1]
    campaigns = list(
        active_campaigns(today)
        .select_related("brand")
        .annotate(current_plan_id=Subquery(latest), plan_versions=Count("plans"))
        .order_by("brand__name", "start_date", "name")
    )
    plans = Plan.objects.select_related("created_by").in_bulk(
        [c.current_plan_id for c in campaigns if c.current_plan_id]
    )
    return [
        CampaignPlan(campaign=c, plan=plans.get(c.current_plan_id), versions=c.plan_versions)
        for c in campaigns
    ]


def plan_versions(campaign: Campaign) -> QuerySet[Plan]:
    return campaign.plans.select_related("created_by").order_by("-version")


@transaction.atomic
def plan_revise(
    *,
    campaign: Campaign,
    editor,
    pillars: list[str],
    audience: str,
    key_messages: list[str],
    rationale: str = "",
) -> Plan:
    """Saves the edit as a new plan version (highest + 1); earlier versions stay as they were.

    The campaign row is locked so two operators saving at once get versions n+1 and n+2, never
    a clash on the unique (campaign, version) constraint. The calendar slots of the plan in
    force carry over: an edit of the words does not drop the schedule.
    """
    Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
    previous = campaign.plans.order_by("-version").first()
    next_version = (campaign.plans.aggregate(top=Max("version"))["top"] or 0) + 1
    plan = Plan(
        campaign=campaign,
        version=next_version,
        pillars=pillars,
        audience=audience.strip(),
        key_messages=key_messages,
        calendar=previous.calendar if previous else [],
        engine=MANUAL_ENGINE,
        rationale=rationale.strip(),
        created_by=editor,
    )
    plan.full_clean(exclude=["calendar", "key_messages"])  # empty lists are valid here
    plan.save()
    return plan


# ---------------------------------------------------------------- calendar


MONTH, WEEK = "month", "week"


@dataclass
class CalendarEntry:
    creative: Creative
    slot_clash: bool = False
    outside_dates: bool = False

    @property
    def flagged(self) -> bool:
        return self.slot_clash or self.outside_dates


@dataclass
class CadenceGap:
    campaign: Campaign
    week_start: date
    expected: int
    scheduled: int


# A day cell shows at most this many posts (flagged ones first); "+ N more" opens the day's
# week. At agency scale a month holds thousands of posts: drawing them all took 20 s a page.
DAY_LIMITS = {"month": 6, "week": 40}
PROBLEMS_SHOWN = 50
GAPS_SHOWN_PER_WEEK = 12


@dataclass
class CalendarDay:
    day: date
    in_period: bool
    entries: list[CalendarEntry] = field(default_factory=list)
    limit: int = 6

    @property
    def shown(self) -> list[CalendarEntry]:
        if len(self.entries) <= self.limit:
            return self.entries
        flagged = [entry for entry in self.entries if entry.flagged][: self.limit]
        rest = [entry for entry in self.entries if not entry.flagged]
        chosen = {id(entry) for entry in flagged + rest[: self.limit - len(flagged)]}
        return [entry for entry in self.entries if id(entry) in chosen]

    @property
    def hidden_count(self) -> int:
        return max(0, len(self.entries) - self.limit)


@dataclass
class CalendarWeek:
    start: date
    days: list[CalendarDay]
    gaps: list[CadenceGap]

    @property
    def gaps_shown(self) -> list[CadenceGap]:
        return self.gaps[:GAPS_SHOWN_PER_WEEK]

    @property
    def gaps_hidden(self) -> int:
        return max(0, len(self.gaps) - GAPS_SHOWN_PER_WEEK)


@dataclass
class CalendarView:
    mode: str
    anchor: date
    first: date  # first day shown (a Monday)
    last: date  # last day shown (a Sunday)
    weeks: list[CalendarWeek]
    entries: list[CalendarEntry]
    gaps: list[CadenceGap]
    previous: date
    following: date

    @property
    def title(self) -> str:
        if self.mode == MONTH:
            return self.anchor.strftime("%B %Y")
        return f"Week of {self.first:%-d %b %Y}"

    @property
    def problems(self) -> list[CalendarEntry]:
        return [entry for entry in self.entries if entry.flagged]

    @property
    def problem_count(self) -> int:
        return len(self.problems) + len(self.gaps)

    @property
    def problems_shown(self) -> list[CalendarEntry]:
        return self.problems[:PROBLEMS_SHOWN]

    @property
    def gaps_shown(self) -> list[CadenceGap]:
        return self.gaps[: max(0, PROBLEMS_SHOWN - len(self.problems))]

    @property
    def problems_hidden(self) -> int:
        return max(0, self.problem_count - PROBLEMS_SHOWN)


def _period(mode: str, anchor: date) -> tuple[date, date, date, date]:
    """(first shown, last shown, previous anchor, next anchor): whole Monday–Sunday weeks."""
    if mode == WEEK:
        first = anchor - timedelta(days=anchor.weekday())
        return first, first + timedelta(days=6), first - timedelta(days=7), first + timedelta(days=7)
    month_first = anchor.replace(day=1)
    month_last = anchor.replace(day=pycalendar.monthrange(anchor.year, anchor.month)[1])
    first = month_first - timedelta(days=month_first.weekday())
    last = month_last + timedelta(days=6 - month_last.weekday())
    previous = (month_first - timedelta(days=1)).replace(day=1)
    following = month_last + timedelta(days=1)
    return first, last, previous, following


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def calendar_creatives(first: date, last: date) -> QuerySet[Creative]:
    """Creatives scheduled between two days (inclusive) that are still going out: rejected
    posts wait for a revision and are neither shown nor counted."""
    return Creative.objects.filter(
        scheduled_at__gte=_aware(first), scheduled_at__lt=_aware(last + timedelta(days=1))
    ).exclude(status=CreativeStatus.REJECTED)


def calendar_view(
    *,
    mode: str = MONTH,
    anchor: date | None = None,
    brand: Brand | None = None,
    platform: str = "",
) -> CalendarView:
    """The calendar of every scheduled creative, with its problems flagged. Four queries:
    the entries (each with its "outside the campaign's dates" flag), the clashing slots, and
    for the cadence check the campaigns running then and their posts' times."""
    mode = mode if mode in (MONTH, WEEK) else MONTH
    anchor = anchor or timezone.localdate()
    first, last, previous, following = _period(mode, anchor)
    in_range = calendar_creatives(first, last)
    if brand is not None:
        in_range = in_range.filter(campaign__brand=brand)
    if platform:
        in_range = in_range.filter(platform=platform)

    outside = Q(scheduled_at__date__lt=F("campaign__start_date")) | Q(
        scheduled_at__date__gt=F("campaign__end_date")
    )
    creatives = list(
        in_range.select_related("campaign__brand")
        .annotate(
            slot=TruncHour("scheduled_at"),
            outside=Case(When(outside, then=Value(True)), default=Value(False)),
        )
        .order_by("scheduled_at", "pk")
    )
    # Two posts on one platform for one brand in the same hour.
    clashes = {
        (row["campaign__brand"], row["platform"], row["slot"])
        for row in in_range.annotate(slot=TruncHour("scheduled_at"))
        .values("campaign__brand", "platform", "slot")
        .annotate(posts=Count("pk"))
        .filter(posts__gt=1)
        .order_by()
    }
    entries = [
        CalendarEntry(
            creative=c,
            slot_clash=(c.campaign.brand_id, c.platform, c.slot) in clashes,
            outside_dates=bool(c.outside),
        )
        for c in creatives
    ]
    gaps = _cadence_gaps(first, last, brand=brand, platform=platform)

    by_day: dict[date, list[CalendarEntry]] = defaultdict(list)
    for entry in entries:
        by_day[timezone.localtime(entry.creative.scheduled_at).date()].append(entry)
    gaps_by_week: dict[date, list[CadenceGap]] = defaultdict(list)
    for gap in gaps:
        gaps_by_week[gap.week_start].append(gap)
    weeks = []
    week_start = first
    while week_start <= last:
        days = [
            CalendarDay(
                day=day,
                in_period=mode == WEEK or day.month == anchor.month,
                entries=by_day.get(day, []),
                limit=DAY_LIMITS[mode],
            )
            for day in (week_start + timedelta(days=i) for i in range(7))
        ]
        weeks.append(CalendarWeek(start=week_start, days=days, gaps=gaps_by_week[week_start]))
        week_start += timedelta(days=7)
    return CalendarView(
        mode=mode, anchor=anchor, first=first, last=last, weeks=weeks, entries=entries,
        gaps=gaps, previous=previous, following=following,
    )


def expected_posts(cadence: int, days_running: int) -> int:
    """Posts a campaign owes in a week it runs for `days_running` of 7 days (pro rata)."""
    return (cadence * days_running) // 7


def _cadence_gaps(
    first: date, last: date, *, brand: Brand | None = None, platform: str = ""
) -> list[CadenceGap]:
    """Weeks in which an active campaign has fewer posts scheduled than its cadence asks.

    With a platform filter only campaigns on that platform are checked, still against all of
    their posts: the cadence is per campaign, not per platform.
    """
    campaigns = Campaign.objects.filter(
        completed_at__isnull=True, start_date__lte=last, end_date__gte=first
    ).select_related("brand")
    if brand is not None:
        campaigns = campaigns.filter(brand=brand)
    campaigns = [c for c in campaigns.order_by("brand__name", "name") if not platform
                 or platform in (c.platforms or [])]
    if not campaigns:
        return []
    counts: dict[tuple[int, date], int] = defaultdict(int)
    for campaign_id, scheduled_at in calendar_creatives(first, last).filter(
        campaign__in=[c.pk for c in campaigns]
    ).values_list("campaign", "scheduled_at"):
        day = timezone.localtime(scheduled_at).date()
        counts[(campaign_id, day - timedelta(days=day.weekday()))] += 1
    gaps = []
    week_start = first
    while week_start <= last:
        week_end = week_start + timedelta(days=6)
        for campaign in campaigns:
            running = (min(week_end, campaign.end_date) - max(week_start, campaign.start_date)).days + 1
            if running <= 0:
                continue
            expected = expected_posts(campaign.cadence, running)
            scheduled = counts[(campaign.pk, week_start)]
            if scheduled < expected:
                gaps.append(CadenceGap(campaign, week_start, expected, scheduled))
        week_start += timedelta(days=7)
    return gaps


def platform_legend() -> list[tuple[str, str, str]]:
    """(slug, name, colour) of every platform, for the calendar's key."""
    return [(slug, p.name, p.color) for slug, p in PLATFORMS.items()]
