"""Fast rendering for the creative library and the Execution queue: their loops (cards, rows,
posting sessions) are rendered in Python, every value escaped.

A filter form's campaign select holds one <option> per campaign (hundreds): Django's Select
widget renders each option through two template files, which cost more than everything else on
these pages. `quick_select` renders the same markup in Python through the field's own
BoundField (id, name, required, aria attributes, the selected value and the choices are Django's).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django import template
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.safestring import SafeString, mark_safe

from aicmo_site.html import escape, month_abbreviations, truncate_chars, url_for_rows
from campaigns.models import Creative, Publication
from campaigns.publishing.platforms import platform_rules

register = template.Library()


@functools.cache
def _weekday_names(language: str | None) -> list[str]:
    """dateformat's "D" names in this language, Monday first."""
    with translation.override(language):
        return [str(WEEKDAYS_ABBR[day]) for day in range(7)]


class _Times:
    """The local times of a loop's rows as dateformat writes them ("D j M Y, H:i" and
    "D j M, H:i"), in the active language and time zone, each looked up once per loop:
    dateformat's formatter costs more than the rest of a card."""

    def __init__(self) -> None:
        self.days = _weekday_names(translation.get_language())
        self.months = month_abbreviations()
        self.zone = timezone.get_current_timezone()

    def _parts(self, value) -> tuple[str, str, str]:
        local = value.astimezone(self.zone)  # timezone.localtime, its zone read once
        return (f"{self.days[local.weekday()]} {local.day} {self.months[local.month]}",
                f"{local.year:04d}", f"{local.hour:02d}:{local.minute:02d}")

    def with_year(self, value) -> str:  # "D j M Y, H:i"
        day, year, clock = self._parts(value)
        return f"{day} {year}, {clock}"

    def without_year(self, value) -> str:  # "D j M, H:i"
        day, _, clock = self._parts(value)
        return f"{day}, {clock}"


def _card(creative: dict, labels: dict, url: Callable[..., str], times: _Times,
          image_url: Callable[[str], str]) -> str:
    platform, color = labels[creative["platform"]]
    if creative["image"]:
        thumb = (f'<img class="library-card__thumb" src="{escape(image_url(creative["image"]))}" '
                 f'alt="{escape(creative["image_alt"])}" loading="lazy">')
    else:
        thumb = (f'<span class="library-card__thumb library-card__tile" style="--platform-color: '
                 f'{color}" aria-hidden="true">{platform}</span>')
    caption = truncate_chars(creative["caption"], 160)
    return (
        f'<li class="library-card">\n'
        f'<a href="{escape(url(creative["pk"]))}" class="library-card__link">\n{thumb}\n'
        f'<span class="library-card__body">\n'
        f'<span class="library-card__meta"><span class="platform-chip" style="--platform-color: '
        f'{color}">{platform}</span> <span class="badge status--{escape(creative["status"])}">'
        f'{labels[creative["status"]]}</span> <small>v{creative["version"]}</small></span>\n'
        f'<strong>{escape(creative["campaign__brand__name"])}</strong> · '
        f'{escape(creative["campaign__name"])}<br>\n'
        f"<small>{escape(times.with_year(creative['scheduled_at']))}</small>\n"
        f'<span class="library-card__caption">{escape(caption)}</span>\n</span>\n</a>\n</li>'
    )


def _card_labels(creatives: list[dict]) -> dict:
    """Per platform (its label and colour) and per status (its label), escaped: what
    get_platform_display(), rules.color and get_status_display() give a Creative."""
    platform_field, status_field = (Creative._meta.get_field(name) for name in ("platform", "status"))
    platforms, statuses = dict(platform_field.flatchoices), dict(status_field.flatchoices)
    labels = {}
    for creative in creatives:
        platform, status = creative["platform"], creative["status"]
        labels[platform] = (escape(platforms.get(platform, platform)),
                            escape(platform_rules(platform).color))
        labels[status] = escape(statuses.get(status, status))
    return labels


@register.simple_tag
def library_cards(creatives) -> SafeString:
    """The library's result cards (a page of campaigns.library.creative_library's rows)."""
    creatives = list(creatives)
    labels = _card_labels(creatives)  # per platform and status, looked up once per page
    url = url_for_rows("campaigns:creative", int)  # Creative.get_absolute_url
    image_url = Creative._meta.get_field("image").storage.url  # FieldFile.url
    times = _Times()
    cards = "\n".join(_card(creative, labels, url, times, image_url) for creative in creatives)
    return mark_safe(cards)  # noqa: S308 (every value above is escaped)


# --- Execution ------------------------------------------------------------------------------


@register.simple_tag
def execution_sessions(sessions) -> SafeString:
    """The posting sessions' list items: one campaign's posts on one platform (a selection may
    hold hundreds of campaigns, each on several platforms), from execution_overview."""
    start = url_for_rows("campaigns:execution_session", int, str)
    checklist = url_for_rows("campaigns:execution_checklist", int)
    items = []
    for item in sessions:
        campaign, platform, count = item["campaign_id"], item["platform"], item["count"]
        items.append(
            f'<li><a href="{escape(start(campaign, platform.slug))}">{escape(item["campaign"])} '
            f'on {escape(platform.name)}</a> — {count} post{"" if count == 1 else "s"}\n'
            f' · <a href="{escape(checklist(campaign))}">checklist</a></li>'
        )
    return mark_safe("\n".join(items))  # noqa: S308 (every value above is escaped)


def _execution_row(creative: dict, due_today: bool, overdue: bool, status: str, post: str,
                   times: _Times) -> str:
    rules = platform_rules(creative["platform"])
    when = times.without_year(creative["scheduled_at"])
    if overdue:
        due = '<span class="due due--overdue">Overdue</span>'
    elif due_today:
        due = '<span class="due due--today">Due today</span>'
    else:
        due = ""
    caption = truncate_chars(creative["caption"], 90)
    return (
        f"<tr>\n<td>{escape(when)}<br>\n{due}</td>\n"
        f'<td><span class="platform-dot" style="--platform-color: {escape(rules.color)}" '
        f'aria-hidden="true"></span>{escape(rules.name)}</td>\n'
        f'<td>{escape(creative["campaign__brand__name"])}<br><small>'
        f'{escape(creative["campaign__name"])}</small></td>\n'
        f"<td>{escape(caption)}</td>\n"
        f"<td>{status}</td>\n"
        f'<td class="nowrap"><a href="{escape(post)}">Open post</a></td>\n</tr>'
    )


@register.simple_tag
def execution_rows(rows) -> SafeString:
    """The queue's table rows: (row, due today, overdue), a row of
    campaigns.publishing.selectors.QueuePages. The state cell is
    includes/publication_status.html's, rendered once per publication state on the page (it
    shows the status and the SIMULATED label only)."""
    partial = get_template("includes/publication_status.html")
    post = url_for_rows("campaigns:execution_post", str, int)
    states: dict = {}  # (status, simulated) -> the partial's output; (None, None): waiting
    times = _Times()
    cells = []
    for creative, due_today, overdue in rows:
        state = (creative["publication__status"], creative["publication__simulated"])
        if state not in states:
            publication = None if state[0] is None else Publication(status=state[0],
                                                                     simulated=state[1])
            states[state] = partial.render({"publication": publication})
        cells.append(_execution_row(creative, due_today, overdue, states[state],
                                    post(creative["platform"], creative["pk"]), times))
    return mark_safe("\n".join(cells))  # noqa: S308 (every value above is escaped)
