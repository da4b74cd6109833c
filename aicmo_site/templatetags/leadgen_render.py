"""Lead Gen's and Delivery's hot loops, rendered in Python.

Each Django template node costs a few microseconds; the Lead Gen list drew ~2,600 of them per
request (500 campaign <option>s with a filter and an `if` each, 50 rows with an include and a
reverse() each), most of its 33 ms. These tags write the same markup with `escape` on every
value that comes from the data, in one pass.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django import template
from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import get_current_timezone, is_aware

from aicmo_site.html import escape, month_abbreviations, url_for_rows
from leads.statuses import LeadStatus

register = template.Library()

_STATUS_LABELS = dict(LeadStatus.choices)


def status_badge(status: str) -> str:
    """The markup of leads/_status_badge.html."""
    label = _STATUS_LABELS.get(status, status)
    return f'<span class="badge status status--{escape(status.lower())}">{escape(label)}</span>'


# Written once: a row looks its status's badge up instead of escaping its value and label.
_BADGES = {status: status_badge(status) for status in _STATUS_LABELS}


class _Dates:
    """`|date:"j M Y"` in the current time zone, with the month names looked up once a render
    (dateformat.format() per row was a quarter of the rows' time)."""

    def __init__(self) -> None:
        self.zone = get_current_timezone() if settings.USE_TZ else None
        self.months = month_abbreviations()

    def day(self, value: datetime | None) -> str:
        if value is None:
            return ""
        if self.zone is not None and is_aware(value):
            value = value.astimezone(self.zone)
        return f"{value.day} {self.months[value.month]} {value.year:04d}"


def _thousands(number: int) -> str:
    # intcomma (locale-aware, slow) only where there is a thousand to separate.
    return intcomma(number) if abs(number) >= 1000 else str(number)


def _lead_row(lead, url: str, selectable: bool, dates: _Dates) -> str:
    email = escape(lead.email)
    name = escape(lead.name) if lead.name else ""
    checkbox = (
        f'<td><input type="checkbox" name="leads" value="{lead.pk}" form="bulk-form"'
        f' aria-label="Select {email}"></td>' if selectable else ""
    )
    size = f" <small>({_thousands(lead.company_size)})</small>" if lead.company_size else ""
    return (
        f'<tr>{checkbox}<td class="num"><strong>{lead.score}</strong></td>'
        f'<td><a href="{url}">{name or email}</a>{f"<br><small>{email}</small>" if name else ""}</td>'
        f"<td>{escape(lead.company)}{size}</td>"
        f"<td>{escape(lead.title)}</td>"
        f"<td>{_BADGES.get(lead.status) or status_badge(lead.status)}</td>"
        f"<td>{escape(lead.source)}</td>"
        f"<td>{escape(lead.owner_name or '—')}</td>"
        f"<td>{escape(lead.campaign_name or '—')}</td>"
        f"<td><small>{dates.day(lead.created_at)}</small></td></tr>"
    )


@register.simple_tag
def lead_rows(leads: Iterable, selectable: bool = False) -> SafeString:
    """The Lead Gen table's rows (leads.selectors.LeadRow); `selectable` adds the bulk-action
    checkbox."""
    url, dates = url_for_rows("leads:detail", int), _Dates()
    return mark_safe("\n".join(  # noqa: S308 (_lead_row escapes what comes from the lead)
        _lead_row(lead, url(lead.pk), bool(selectable), dates)
        for lead in leads
    ))
