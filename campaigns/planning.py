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

from django.core.paginator import Page, Paginator
from django.db import connections, transaction
from django.db.models import (
    Case,
    Count,
    F,
    Max,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import TruncDate, TruncHour
from django.urls import reverse
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


# Plans are shown whole (pillars, audience, messages), so a page holds a dozen: at agency scale
# hundreds of campaigns are active, and every one stays reachable through the pages.
PLANS_PER_PAGE = 12


# Each campaign's highest version and its number of versions, then that version's row: the
# unique (campaign, version) index answers both. Placeholders: one per campaign.
_PLANS_IN_FORCE_SQL = """
SELECT p.id, p.campaign_id, p.version, p.pillars, p.audience, p.key_messages, v.versions
FROM (
    SELECT campaign_id, MAX(version) AS top, COUNT(*) AS versions
    FROM campaigns_plan WHERE campaign_id IN ({campaigns}) GROUP BY campaign_id
) v
JOIN campaigns_plan p ON p.campaign_id = v.campaign_id AND p.version = v.top
"""


def _plans_in_force(campaign_pks: list[int]) -> dict[int, Plan]:
    """The plan in force of each campaign that has one, with `versions` set: one query.

    The cards print a plan's version, pillars, audience and messages, so only those are read
    (a plan's calendar of slots can be long); a window-function queryset cost ~1 ms to compile
    and plan for a dozen campaigns, this ~0.2 ms.
    """
    if not campaign_pks:
        return {}
    sql = _PLANS_IN_FORCE_SQL.format(campaigns=", ".join(["%s"] * len(campaign_pks)))
    return {plan.campaign_id: plan for plan in Plan.objects.raw(sql, campaign_pks)}


# What a plan card prints of its campaign, in the order of the list.
_CARD_FIELDS = ("id", "brand_id", "name", "start_date", "end_date", "cadence")
_CARD_FIELD_ORDER = [f.attname for f in Campaign._meta.concrete_fields if f.attname in _CARD_FIELDS]


def active_campaign_rows(today: date | None = None) -> list[tuple]:
    """Every active campaign (by brand, start, name) as a small tuple of what its plan card
    prints: (pk, brand pk, brand name, name, start and end as date ordinals, cadence). Cheap to
    cache and to read back (dates pickle as objects, ordinals as ints)."""
    rows = active_campaigns(today).order_by("brand__name", "start_date", "name", "pk").values_list(
        "pk", "brand_id", "brand__name", "name", "start_date", "end_date", "cadence"
    )
    return [
        (pk, brand_pk, brand, name, start.toordinal(), end.toordinal(), cadence)
        for pk, brand_pk, brand, name, start, end, cadence in rows
    ]


def _card_campaign(row: tuple) -> Campaign:
    """A Campaign (its other fields deferred, as only() leaves them) with its brand's name."""
    pk, brand_pk, brand, name, start, end, cadence = row
    loaded = {"id": pk, "brand_id": brand_pk, "name": name, "cadence": cadence,
              "start_date": date.fromordinal(start), "end_date": date.fromordinal(end)}
    # from_db() takes the loaded values in the model's field order.
    campaign = Campaign.from_db(Campaign.objects.db, _CARD_FIELDS,
                                [loaded[field] for field in _CARD_FIELD_ORDER])
    campaign.brand = Brand.from_db(Brand.objects.db, ("id", "name"), (brand_pk, brand))
    return campaign


def active_plan_page(
    page_number=None, *, today: date | None = None, campaigns: list[tuple] | None = None
) -> Page:
    """One page of the active campaigns (by brand, start, name), each as a CampaignPlan with
    its plan in force (the highest version) and its number of versions.

    `campaigns`: active_campaign_rows(today), e.g. from a cache; read here when not given.
    The page's plans take one query."""
    if campaigns is None:
        campaigns = active_campaign_rows(today)
    page = Paginator(campaigns, PLANS_PER_PAGE).get_page(page_number)
    shown = [_card_campaign(row) for row in page.object_list]
    by_campaign = _plans_in_force([c.pk for c in shown])
    page.object_list = [
        CampaignPlan(
            campaign=c,
            plan=by_campaign.get(c.pk),
            versions=by_campaign[c.pk].versions if c.pk in by_campaign else 0,
        )
        for c in shown
    ]
    return page


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


@dataclass(frozen=True, slots=True)
class CalendarPost:
    """What the calendar shows of a creative, read as one row rather than three model
    instances (creative, campaign, brand): a month draws a few hundred."""

    pk: int
    platform: str
    scheduled_at: datetime
    caption: str
    status: str
    brand_name: str
    campaign_start: date
    campaign_end: date

    FIELDS = (
        "pk", "platform", "scheduled_at", "caption", "status", "campaign__brand__name",
        "campaign__start_date", "campaign__end_date",
    )

    @property
    def platform_name(self) -> str:
        return PLATFORMS[self.platform].name

    @property
    def color(self) -> str:
        return PLATFORMS[self.platform].color

    @property
    def status_label(self) -> str:
        return CreativeStatus(self.status).label

    def get_absolute_url(self) -> str:
        return reverse("campaigns:creative", args=[self.pk])


@dataclass
class CalendarEntry:
    creative: CalendarPost
    slot_clash: bool = False
    outside_dates: bool = False

    @property
    def flagged(self) -> bool:
        return self.slot_clash or self.outside_dates


@dataclass
class CadenceGap:
    campaign_id: int
    campaign_name: str
    brand_name: str
    week_start: date
    expected: int
    scheduled: int


# A day cell shows at most this many posts (flagged ones first); "+ N more" opens the day's
# week. At agency scale a month holds thousands of posts: only the shown ones are loaded.
DAY_LIMITS = {"month": 6, "week": 40}
PROBLEMS_SHOWN = 50
GAPS_SHOWN_PER_WEEK = 12


@dataclass
class CalendarDay:
    day: date
    in_period: bool
    shown: list[CalendarEntry] = field(default_factory=list)  # in time order
    total: int = 0  # every post of the day, shown or not

    @property
    def hidden_count(self) -> int:
        return self.total - len(self.shown)


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
    problems: list[CalendarEntry]  # the first PROBLEMS_SHOWN flagged posts, in time order
    flagged_count: int  # every flagged post of the period
    total: int  # every post of the period
    gaps: list[CadenceGap]
    previous: date
    following: date

    @property
    def title(self) -> str:
        if self.mode == MONTH:
            return self.anchor.strftime("%B %Y")
        return f"Week of {self.first:%-d %b %Y}"

    @property
    def entries(self) -> list[CalendarEntry]:
        """Every entry drawn on the page (in a day's cell or in the problems list), in time
        order; the period may hold more (`total`)."""
        drawn = {e.creative.pk: e for w in self.weeks for d in w.days for e in d.shown}
        drawn.update((e.creative.pk, e) for e in self.problems)
        return sorted(drawn.values(), key=_entry_order)

    @property
    def problem_count(self) -> int:
        return self.flagged_count + len(self.gaps)

    @property
    def problems_shown(self) -> list[CalendarEntry]:
        return self.problems[:PROBLEMS_SHOWN]

    @property
    def gaps_shown(self) -> list[CadenceGap]:
        return self.gaps[: max(0, PROBLEMS_SHOWN - self.flagged_count)]

    @property
    def problems_hidden(self) -> int:
        return max(0, self.problem_count - PROBLEMS_SHOWN)


def _entry_order(entry: CalendarEntry) -> tuple[datetime, int]:
    return entry.creative.scheduled_at, entry.creative.pk


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


@dataclass
class _Picked:
    """A post the calendar draws, with its flags and its day's count, from `_pick_entries`."""

    slot_clash: bool
    outside_dates: bool
    day_total: int


# Flags every post of the period and keeps only the ones the page draws: per local day the
# first `limit` (flagged first, then by time), and the first `problems` flagged posts of the
# period in time order. A post clashes when its brand has another post on that platform in
# the same local hour. Every kept row carries its day's count and the period's flagged count.
# The base rows come from the ORM (filters, time-zone conversion for the backend); the
# windows are plain SQL that PostgreSQL and SQLite both run. The local day leads the clash
# window's partition (an hour lies within one day) so the next sort, by day first, only
# sorts within each day (PostgreSQL's incremental sort). That one sort serves every later
# window: within a day flagged posts come first, so the running count of flagged posts in
# that order is a flagged post's place in the problems list.
_PICK_SQL = """
WITH base AS ({base}),
flags AS (
    SELECT id, cal_at, cal_day, cal_outside AS outside,
           CASE WHEN COUNT(*) OVER (PARTITION BY cal_day, cal_slot, cal_brand, platform) > 1
                THEN 1 ELSE 0 END AS clash
    FROM base
),
flagged AS (
    SELECT id, cal_at, cal_day, outside, clash,
           CASE WHEN outside = 1 OR clash = 1 THEN 1 ELSE 0 END AS flag
    FROM flags
),
ranked AS (
    SELECT id, outside, clash, flag,
           ROW_NUMBER() OVER day_w AS day_rank,
           COUNT(*) OVER day_w AS day_total,
           SUM(flag) OVER (ORDER BY cal_day, flag DESC, cal_at, id ROWS UNBOUNDED PRECEDING)
               AS problem_place,
           SUM(flag) OVER () AS flagged_total
    FROM flagged
    WINDOW day_w AS (PARTITION BY cal_day ORDER BY flag DESC, cal_at, id
                     ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
)
SELECT id, clash, outside, day_total, flagged_total
FROM ranked
WHERE day_rank <= %s OR (flag = 1 AND problem_place <= %s)
"""


def _pick_entries(in_range: QuerySet[Creative], *, limit: int) -> tuple[dict[int, _Picked], int]:
    """({creative pk: its flags and day count} for the posts drawn, flagged posts in all)."""
    outside = Q(scheduled_at__date__lt=F("campaign__start_date")) | Q(
        scheduled_at__date__gt=F("campaign__end_date")
    )
    base = (
        in_range.order_by()
        .annotate(
            cal_at=F("scheduled_at"),
            cal_day=TruncDate("scheduled_at"),  # in the current time zone
            cal_slot=TruncHour("scheduled_at"),
            cal_brand=F("campaign__brand_id"),
            cal_outside=Case(When(outside, then=Value(1)), default=Value(0)),
        )
        .values("id", "platform", "cal_at", "cal_day", "cal_slot", "cal_brand", "cal_outside")
    )
    base_sql, base_params = base.query.get_compiler(using=base.db).as_sql()
    with connections[base.db].cursor() as cursor:
        cursor.execute(_PICK_SQL.format(base=base_sql), (*base_params, limit, PROBLEMS_SHOWN))
        rows = cursor.fetchall()
    picked = {
        pk: _Picked(slot_clash=bool(clash), outside_dates=bool(out), day_total=day_total)
        for pk, clash, out, day_total, _ in rows
    }
    return picked, int(rows[0][4]) if rows else 0


def calendar_view(
    *,
    mode: str = MONTH,
    anchor: date | None = None,
    brand: Brand | None = None,
    platform: str = "",
) -> CalendarView:
    """The calendar of every scheduled creative, with its problems flagged. Four queries,
    whatever the number of posts: the posts drawn with their flags and counts, those posts'
    rows, and for the cadence check the campaigns running then and their weekly counts."""
    mode = mode if mode in (MONTH, WEEK) else MONTH
    anchor = anchor or timezone.localdate()
    first, last, previous, following = _period(mode, anchor)
    in_range = calendar_creatives(first, last)
    if brand is not None:
        in_range = in_range.filter(campaign__brand=brand)
    if platform:
        in_range = in_range.filter(platform=platform)

    picked, flagged_count = _pick_entries(in_range, limit=DAY_LIMITS[mode])
    posts = (
        Creative.objects.filter(pk__in=list(picked)).values_list(*CalendarPost.FIELDS)
        if picked else []
    )
    by_day: dict[date, list[CalendarEntry]] = defaultdict(list)
    day_totals: dict[date, int] = {}
    problems = []
    local = timezone.get_current_timezone()
    for row in posts:
        post = CalendarPost(*row)
        pick = picked[post.pk]
        entry = CalendarEntry(post, pick.slot_clash, pick.outside_dates)
        day = post.scheduled_at.astimezone(local).date()
        by_day[day].append(entry)
        day_totals[day] = pick.day_total
        if entry.flagged:
            problems.append(entry)
    problems.sort(key=_entry_order)

    gaps = _cadence_gaps(first, last, brand=brand, platform=platform)
    gaps_by_week: dict[date, list[CadenceGap]] = defaultdict(list)
    for gap in gaps:
        gaps_by_week[gap.week_start].append(gap)
    limit = DAY_LIMITS[mode]
    weeks = []
    week_start = first
    while week_start <= last:
        days = [
            CalendarDay(
                day=day,
                in_period=mode == WEEK or day.month == anchor.month,
                shown=_shown(by_day.get(day, []), limit),
                total=day_totals.get(day, 0),
            )
            for day in (week_start + timedelta(days=i) for i in range(7))
        ]
        weeks.append(CalendarWeek(start=week_start, days=days, gaps=gaps_by_week[week_start]))
        week_start += timedelta(days=7)
    return CalendarView(
        mode=mode, anchor=anchor, first=first, last=last, weeks=weeks,
        problems=problems[:PROBLEMS_SHOWN], flagged_count=flagged_count,
        total=sum(day_totals.values()), gaps=gaps, previous=previous, following=following,
    )


def _shown(entries: list[CalendarEntry], limit: int) -> list[CalendarEntry]:
    """The day's cell: at most `limit` posts, flagged ones first, drawn in time order. The
    loaded entries of a day may include flagged posts kept only for the problems list."""
    entries.sort(key=_entry_order)
    if len(entries) <= limit:
        return entries
    flagged = [entry for entry in entries if entry.flagged][:limit]
    rest = [entry for entry in entries if not entry.flagged][: limit - len(flagged)]
    return sorted(flagged + rest, key=_entry_order)


def expected_posts(cadence: int, days_running: int) -> int:
    """Posts a campaign owes in a week it runs for `days_running` of 7 days (pro rata)."""
    return (cadence * days_running) // 7


def _cadence_gaps(
    first: date, last: date, *, brand: Brand | None = None, platform: str = ""
) -> list[CadenceGap]:
    """Weeks in which an active campaign has fewer posts scheduled than its cadence asks.

    With a platform filter only campaigns on that platform are checked, still against all of
    their posts: the cadence is per campaign, not per platform. Two queries: the campaigns
    running then, and their posts counted per week (Monday 00:00 to Monday 00:00 local time).
    """
    campaigns = Campaign.objects.filter(
        completed_at__isnull=True, start_date__lte=last, end_date__gte=first
    )
    if brand is not None:
        campaigns = campaigns.filter(brand=brand)
    fields = ["pk", "name", "brand__name", "cadence", "start_date", "end_date"]
    rows = campaigns.order_by("brand__name", "name").values_list(*fields, "platforms")
    if platform:
        campaigns = [row[:-1] for row in rows if platform in (row[-1] or [])]
    else:  # not reading the platforms spares decoding every campaign's JSON list
        campaigns = list(rows.values_list(*fields))
    if not campaigns:
        return []
    weeks = [first + timedelta(days=7 * i) for i in range((last - first).days // 7 + 1)]
    per_week = {
        f"week_{i}": Count("pk", filter=Q(
            scheduled_at__gte=_aware(week), scheduled_at__lt=_aware(week + timedelta(days=7))
        ))
        for i, week in enumerate(weeks)
    }
    posts = calendar_creatives(first, last)
    if brand is not None:
        posts = posts.filter(campaign__brand=brand)
    counts = {
        campaign_id: week_counts
        for campaign_id, *week_counts in posts.order_by()
        .values("campaign")
        .annotate(**per_week)
        .values_list("campaign", *per_week)
    }
    none = [0] * len(weeks)
    # Day numbers (ordinals) rather than dates: this runs for every campaign in every week.
    spans = [(row, row[4].toordinal(), row[5].toordinal()) for row in campaigns]
    gaps = []
    for i, week_start in enumerate(weeks):
        monday = week_start.toordinal()
        for (pk, name, brand_name, cadence, _, _), start, end in spans:
            running = min(monday + 6, end) - max(monday, start) + 1
            if running <= 0:
                continue
            expected = expected_posts(cadence, running)
            scheduled = counts.get(pk, none)[i]
            if scheduled < expected:
                gaps.append(CadenceGap(pk, name, brand_name, week_start, expected, scheduled))
    return gaps


def platform_legend() -> list[tuple[str, str, str]]:
    """(slug, name, colour) of every platform, for the calendar's key."""
    return [(slug, p.name, p.color) for slug, p in PLATFORMS.items()]
