"""Tags for the base layout, which every page draws: kept to plain Python on purpose."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from aicmo_site.sections import SECTIONS, cached_reverse, urlconf_key

register = template.Library()

_ITEM = '<li><a href="{}"{}>{}</a></li>'
_CURRENT = mark_safe(' aria-current="page"')  # noqa: S308 - a constant
# Each link's <li>, (plain, marked current), by slug ("overview" for the overview).
_items_by_urlconf: dict[tuple[str, str], dict[str, tuple[SafeString, SafeString]]] = {}


def _nav_items() -> dict[str, tuple[SafeString, SafeString]]:
    key = urlconf_key()
    items = _items_by_urlconf.get(key)
    if items is None:
        links = [("overview", cached_reverse("overview"), "Overview")]
        links += [(section.slug, section.path, section.title) for section in SECTIONS]
        items = _items_by_urlconf[key] = {
            slug: (format_html(_ITEM, href, "", title), format_html(_ITEM, href, _CURRENT, title))
            for slug, href, title in links
        }
    return items


@register.simple_tag
def layout_url(url_name: str) -> str:
    """{% url %} for the layout's argument-less links, reversed once per process."""
    return cached_reverse(url_name)


@register.simple_tag(takes_context=True)
def section_nav_items(context) -> SafeString:
    """The navigation's <li> links (Overview, then nav_sections), the current one marked.

    The links are the same on every page, so their HTML is built once per process; the same
    loop in the template language cost ~0.3 ms a page (twelve iterations, a reverse in each)."""
    items = _nav_items()
    request = context.get("request")
    current = context.get("current_section")
    parts = [items["overview"][request is not None and request.path == "/"]]
    parts += [items[section.slug][section == current] for section in context.get("nav_sections") or ()]
    return mark_safe("".join(parts))  # noqa: S308 - joined from format_html's output
