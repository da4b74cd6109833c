"""The content calendar's grid and problems list, rendered in Python.

A month draws up to 42 days × 6 posts plus 50 problems: as template loops (a dozen tags and
filters per post) that was most of the page's time. The markup is the same the template drew;
every value is escaped here.
"""

from __future__ import annotations

from datetime import date
from functools import partial

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from aicmo_site.html import escape, url_for_rows
from campaigns.models import CreativeStatus
from campaigns.planning import WEEK, CalendarDay, CalendarEntry, CalendarView, CalendarWeek

register = template.Library()

def _truncate(text: str, length: int) -> str:
    """As the truncatechars filter: at most `length` characters, the last one an ellipsis."""
    return text if len(text) <= length else text[: length - 1] + "…"


def _entry(entry: CalendarEntry, *, week_mode: bool, url_for, local) -> str:
    post = entry.creative
    parts = [
        f'<a class="cal-entry{" cal-entry--flagged" if entry.flagged else ""}" '
        f'style="--platform-color: {escape(post.color)}" href="{url_for(post.pk)}" '
        f'title="{escape(_truncate(post.caption, 120))}" data-creative="{post.pk}">'
        f'<span class="cal-entry__time">{post.scheduled_at.astimezone(local):%H:%M}</span>'
        f'<span class="cal-entry__platform">{escape(post.platform_name)}</span>'
        f'<span class="cal-entry__brand">{escape(post.brand_name)}</span>'
    ]
    if week_mode:
        caption = escape(_truncate(post.caption, 90))
        parts.append(f'<span class="cal-entry__caption">{caption}</span>')
    if post.status != CreativeStatus.APPROVED:
        parts.append(f'<span class="cal-entry__status">{escape(post.status_label)}</span>')
    if entry.slot_clash:
        parts.append('<span class="flag">⚠ same hour</span>')
    if entry.outside_dates:
        parts.append('<span class="flag">⚠ outside campaign dates</span>')
    parts.append("</a>")
    return "".join(parts)


def _week_link(day: date, strategy_url: str, suffix: str, text: str, css: str) -> str:
    query = f"{strategy_url}?view=week&amp;date={day:%Y-%m-%d}{suffix}"
    return (
        f'<a class="{css}" href="{query}#calendar" hx-get="{query}" hx-target="#calendar" '
        f'hx-swap="outerHTML" hx-push-url="true">{text}</a>'
    )


def _day(
    day: CalendarDay, *, week_mode: bool, strategy_url: str, suffix: str, url_for, local
) -> str:
    month = f" {day.day:%b}" if day.day.day == 1 or week_mode else ""
    parts = [
        f'<td class="calendar__day{"" if day.in_period else " calendar__day--outside"}" '
        f'data-day="{day.day:%Y-%m-%d}"><div class="calendar__date">{day.day.day}{month}</div>'
    ]
    parts.extend(
        _entry(entry, week_mode=week_mode, url_for=url_for, local=local) for entry in day.shown
    )
    if day.hidden_count:
        parts.append(
            _week_link(day.day, strategy_url, suffix, f"+ {day.hidden_count} more", "cal-more")
        )
    parts.append("</td>")
    return "".join(parts)


def _gaps_row(week: CalendarWeek) -> str:
    if not week.gaps:
        return ""
    flags = "".join(
        f'<span class="flag">⚠ {escape(gap.brand_name)} · {escape(gap.campaign_name)}: '
        f"{gap.scheduled} of {gap.expected} posts this week</span>"
        for gap in week.gaps_shown
    )
    more = (
        f" <span>… and {week.gaps_hidden} more campaigns short of their cadence</span>"
        if week.gaps_hidden else ""
    )
    return f'<tr class="calendar__gaps"><td colspan="7">{flags}{more}</td></tr>'


@register.simple_tag
def calendar_rows(calendar: CalendarView, strategy_url: str, filter_suffix: str) -> SafeString:
    """The grid's rows: a row of seven days per week, then the week's cadence gaps if any."""
    cell = partial(
        _day, week_mode=calendar.mode == WEEK, strategy_url=escape(strategy_url),
        suffix=escape(filter_suffix), url_for=url_for_rows("campaigns:creative", int), local=timezone.get_current_timezone(),
    )
    rows = []
    for week in calendar.weeks:
        days = "".join(cell(day) for day in week.days)
        rows.append(f"<tr>{days}</tr>{_gaps_row(week)}")
    return mark_safe("\n".join(rows))  # noqa: S308 (every value is escaped above)


@register.simple_tag
def calendar_problem_items(calendar: CalendarView) -> SafeString:
    """The problems list's items: the flagged posts shown, then the cadence gaps shown."""
    url_for = url_for_rows("campaigns:creative", int)
    local = timezone.get_current_timezone()
    items = []
    for entry in calendar.problems_shown:
        post = entry.creative
        brand, platform = escape(post.brand_name), escape(post.platform_name)
        reasons = []
        if entry.slot_clash:
            reasons.append(f"another {platform} post for {brand} in the same hour")
        if entry.outside_dates:
            start, end = post.campaign_start, post.campaign_end
            reasons.append(
                f"outside its campaign's dates ({start.day} {start:%b} – {end.day} {end:%b})"
            )
        when = post.scheduled_at.astimezone(local)
        items.append(
            f'<li><a href="{url_for(post.pk)}">{brand} · {platform} · '
            f"{when:%a} {when.day} {when:%b %H:%M}</a>: {'; '.join(reasons)}</li>"
        )
    items.extend(
        f"<li>{escape(gap.brand_name)} · {escape(gap.campaign_name)}: week of "
        f"{gap.week_start.day} {gap.week_start:%b} has {gap.scheduled} "
        f"post{'' if gap.scheduled == 1 else 's'}; the cadence asks for {gap.expected}.</li>"
        for gap in calendar.gaps_shown
    )
    return mark_safe("\n".join(items))  # noqa: S308 (every value is escaped above)
