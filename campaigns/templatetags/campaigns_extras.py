"""Small display helpers for the campaigns templates."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def person(user, fallback: str = "someone") -> str:
    """A user's full name, else username; `fallback` when there is no user (deleted, engine)."""
    if user is None:
        return fallback
    return user.get_full_name() or user.get_username()


@register.filter
def platform_names(slugs) -> str:
    """["linkedin", "x"] → "LinkedIn, X"."""
    from campaigns.publishing.platforms import PLATFORMS

    return ", ".join(PLATFORMS[slug].name if slug in PLATFORMS else slug for slug in slugs or [])
