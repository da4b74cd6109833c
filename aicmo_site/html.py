"""HTML written in Python for the hot loops of list pages (rows, cards, long <select>s), where a
template node per value costs more than the data: one escape, one URL filler and one <option>
writer, shared by the pages' render tags."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from html import escape as _html_escape

from django.urls import reverse
from django.utils import translation
from django.utils.dates import MONTHS_3
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from aicmo_site.sections import urlconf_key


def escape(value) -> str:
    """django.utils.html.escape's output (html.escape of str(value)) without its lazy-string
    and SafeString wrapping, which cost more than the escaping in a loop of thousands."""
    return _html_escape(str(value))


def url_for_rows(name: str, *kinds: type) -> Callable[..., str]:
    """`reverse(name, args=...)` for a loop: reversed once with placeholder arguments (each
    reverse() costs tens of µs), then filled in. The arguments are ints and slugs (a platform,
    a kind), which URLs carry as they are. The pattern is kept per script prefix and URLconf,
    what reverse() reads besides its arguments: pages ask for the same few on every request."""
    return _url_pattern(name, kinds, *urlconf_key())


@functools.lru_cache(maxsize=256)
def _url_pattern(name: str, kinds: tuple[type, ...], urlconf: str, prefix: str) -> Callable[..., str]:
    samples = [f"{index}9876543210" if kind is int else f"placeholder{index}"
               for index, kind in enumerate(kinds)]
    pattern = reverse(name, args=samples, urlconf=urlconf)
    for index, sample in enumerate(samples):
        pattern = pattern.replace(sample, f"{{{index}}}", 1)
    return pattern.format


def option_tags(choices: Iterable[tuple], selected=None) -> SafeString:
    """<option>s for (value, label) pairs; the one whose value reads as `selected` is selected
    (nothing is when `selected` is None or empty)."""
    chosen = "" if selected is None else str(selected)
    return mark_safe("".join(  # noqa: S308 (every value and label is escaped)
        f'<option value="{escape(value)}"{" selected" if chosen and str(value) == chosen else ""}>'
        f"{escape(label)}</option>"
        for value, label in choices
    ))


def select_option(options: str, selected=None) -> SafeString:
    """option_tags(choices, selected) from option_tags(choices) (a cached list of <option>s):
    the option whose value reads as `selected` gains `selected`. Values and labels are escaped,
    so an opening `<option value="…">` can only be an option's own."""
    chosen = "" if selected is None else str(selected)
    if chosen:
        value = escape(chosen)
        options = options.replace(f'<option value="{value}">', f'<option value="{value}" selected>')
    return mark_safe(options)  # noqa: S308 (written by option_tags, which escapes)


@functools.cache
def _month_abbreviations(language: str | None) -> tuple[str, ...]:
    with translation.override(language):
        return ("", *(MONTHS_3[month].title() for month in range(1, 13)))


def month_abbreviations() -> tuple[str, ...]:
    """dateformat's "M" names in the active language, indexed from 1 (January)."""
    return _month_abbreviations(translation.get_language())


def short_month(month: int) -> str:
    """dateformat's "M" (e.g. "Jan") in the active language, translated once per language, not
    per date: a date filter or dateformat.format() call costs ~15 µs, most of it this lookup."""
    return month_abbreviations()[month]


def truncate_chars(text: str, limit: int) -> str:
    """What `{{ text|truncatechars:limit }}` writes. Most texts are short and plain ASCII, which
    truncatechars returns unchanged; it normalises (NFC) and counts every other text."""
    if len(text) <= limit and text.isascii():
        return text
    return Truncator(text).chars(limit)
