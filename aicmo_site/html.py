"""HTML written in Python for the hot loops of list pages (rows, cards, long <select>s), where a
template node per value costs more than the data: one escape, one URL filler and one <option>
writer, shared by the pages' render tags."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from html import escape as _html_escape

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe


def escape(value) -> str:
    """django.utils.html.escape's output (html.escape of str(value)) without its lazy-string
    and SafeString wrapping, which cost more than the escaping in a loop of thousands."""
    return _html_escape(str(value))


def url_for_rows(name: str, *kinds: type) -> Callable[..., str]:
    """`reverse(name, args=...)` for a loop: reversed once with placeholder arguments (each
    reverse() costs tens of µs), then filled in. The arguments are ints and slugs (a platform,
    a kind), which URLs carry as they are."""
    samples = [f"{index}9876543210" if kind is int else f"placeholder{index}"
               for index, kind in enumerate(kinds)]
    pattern = reverse(name, args=samples)
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


def with_selected(options: str, selected=None) -> SafeString:
    """<option>s written by option_tags with nothing selected (e.g. cached, shared by every
    request), with those whose value reads as `selected` selected: option_tags(choices,
    selected)'s markup without escaping every option again."""
    chosen = "" if selected is None else str(selected)
    if chosen:
        tag = f'<option value="{escape(chosen)}">'
        options = options.replace(tag, f'<option value="{escape(chosen)}" selected>')
    return mark_safe(options)  # noqa: S308 (option_tags' markup and an escaped value)
