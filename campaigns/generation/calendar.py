"""The content calendar: which days and hours a campaign posts on, shaped by Kaizen's hints."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from campaigns.generation.base import MAX_ITEMS, GenerationError, Slot
from campaigns.models import Campaign

logger = logging.getLogger(__name__)

DEFAULT_WEEKDAYS = [1, 2, 3]  # Tuesday, Wednesday, Thursday (Monday is 0)
DEFAULT_HOURS = [9, 12, 17]
WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


@dataclass(frozen=True)
class Hints:
    """What Kaizen learned from past results (the shape of kaizen's GenerationHints)."""

    best_weekdays: list[int] = field(default_factory=list)
    best_hours: list[int] = field(default_factory=list)
    hashtags: list[str] = field(default_factory=list)
    avoid_phrases: list[str] = field(default_factory=list)
    rationale: str = ""
    learned: bool = False


def hints_for(campaign: Campaign) -> Hints:
    """Kaizen's hints for this campaign, or none. Kaizen is optional: a missing module, a
    missing function or a failing one all mean "no hints", never a failed generation."""
    try:
        from kaizen.selectors import generation_hints_for  # noqa: PLC0415 - optional app
    except ImportError:
        return Hints()
    try:
        # Kaizen learns per brand: its hints take the brand, not the campaign.
        found = generation_hints_for(campaign.brand)
    except Exception:  # Kaizen's own bug must not stop an operator generating posts.
        logger.exception("kaizen.generation_hints_for failed; generating without hints")
        return Hints()
    if found is None:
        return Hints()
    return Hints(
        best_weekdays=[int(d) for d in getattr(found, "best_weekdays", []) or [] if 0 <= int(d) <= 6],
        best_hours=[int(h) for h in getattr(found, "best_hours", []) or [] if 0 <= int(h) <= 23],
        hashtags=[str(t).lstrip("#") for t in getattr(found, "hashtags", []) or [] if str(t).strip()],
        avoid_phrases=[str(p) for p in getattr(found, "avoid_phrases", []) or [] if str(p).strip()],
        rationale=str(getattr(found, "rationale", "") or ""),
        learned=True,
    )


def _unique(values: list[int]) -> list[int]:
    return list(dict.fromkeys(values))


def weekly_pattern(cadence: int, hints: Hints) -> list[tuple[int, int]]:
    """`cadence` distinct (weekday, hour) pairs, best days and hours first."""
    days = _unique(hints.best_weekdays) or list(DEFAULT_WEEKDAYS)
    hours = _unique(hints.best_hours) or list(DEFAULT_HOURS)
    # Too few (day, hour) pairs for the cadence: add the other weekdays, then other hours.
    spare_days = [d for d in [*DEFAULT_WEEKDAYS, 0, 4, 5, 6] if d not in days]
    spare_hours = [h for h in [*DEFAULT_HOURS, 10, 15, 19, 8, 11, 14, 16, 18] if h not in hours]
    while len(days) * len(hours) < cadence:
        if spare_days:
            days.append(spare_days.pop(0))
        else:
            hours.append(spare_hours.pop(0))
    pairs = []
    for round_ in range(len(hours)):
        for index, day in enumerate(days):
            pairs.append((day, hours[(index + round_) % len(hours)]))
    return sorted(pairs[:cadence])


def slot_times(campaign: Campaign, hints: Hints) -> list[datetime]:
    """Every posting time from start to end: `cadence` per 7-day week counted from the start."""
    zone = ZoneInfo(settings.TIME_ZONE)
    pattern = weekly_pattern(campaign.cadence, hints)
    times = []
    week_start: date = campaign.start_date
    while week_start <= campaign.end_date:
        for weekday, hour in pattern:
            day = week_start + timedelta(days=(weekday - week_start.weekday()) % 7)
            if day <= campaign.end_date:
                times.append(datetime.combine(day, time(hour), tzinfo=zone))
        week_start += timedelta(days=7)
    return sorted(times)


def calendar_slots(campaign: Campaign, hints: Hints, pillars: list[str]) -> list[Slot]:
    """One slot per posting time and platform, pillars taking turns."""
    times = slot_times(campaign, hints)
    total = len(times) * len(campaign.platforms)
    if total == 0:
        raise GenerationError("The campaign's dates leave no day to post on.")
    if total > MAX_ITEMS:
        raise GenerationError(
            f"This campaign would need {total} posts; one generation writes at most {MAX_ITEMS}. "
            "Shorten the dates, lower the cadence or choose fewer platforms."
        )
    slots = []
    for index, at in enumerate(times):
        pillar = pillars[index % len(pillars)] if pillars else ""
        for platform in campaign.platforms:
            slots.append(Slot(at=at, platform=platform, pillar=pillar))
    return slots


def schedule_rationale(hints: Hints) -> str:
    if hints.learned:
        return hints.rationale or "Posting days, hours and hashtags follow what Kaizen learned."
    return (
        "No results to learn from yet, so posts go out on Tuesdays, Wednesdays and Thursdays "
        f"at 09:00, 12:00 and 17:00 ({settings.TIME_ZONE}), when business audiences most often read."
    )
