"""Template helpers for Learn / Kaizen: safe Markdown and the open action items include."""

from __future__ import annotations

from django import template

from kaizen.markdown import render_markdown
from kaizen.selectors import open_action_items_for

register = template.Library()

OVERVIEW_ITEMS = 8


@register.filter(name="markdown")
def markdown_filter(text: str):
    return render_markdown(text)


@register.simple_tag
def open_action_items(user, limit: int = OVERVIEW_ITEMS):
    """The open action items the user may see, as a list (so the template can count them)."""
    return open_action_items_for(user, limit=limit)
