"""`remediation` renders the `code` spans of a check's text as <code>, escaping the rest."""

from __future__ import annotations

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

CODE_SPAN = re.compile(r"`([^`]+)`")


@register.filter
def code_spans(text: str) -> SafeString:
    parts = CODE_SPAN.split(str(text))
    # split() alternates: plain text at even indexes, code at odd ones.
    html = "".join(
        f"<code>{escape(part)}</code>" if index % 2 else escape(part)
        for index, part in enumerate(parts)
    )
    return mark_safe(html)  # noqa: S308 (every part is escaped above)
