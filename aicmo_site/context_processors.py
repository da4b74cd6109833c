"""Everything the base layout needs: navigation, watermark and the status banner."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from aicmo_site.sections import SECTIONS
from autonomy.policy import kill_switch_on
from diagnostics.status import banner


def _current_section(path: str):
    matches = [section for section in SECTIONS if path.startswith(section.path)]
    return max(matches, key=lambda section: len(section.path), default=None)


def layout(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    return {
        "build": settings.DASHBOARD_BUILD,
        "nav_sections": [s for s in SECTIONS if user.has_perm(s.permission)] if signed_in else [],
        "current_section": _current_section(request.path),
        "status_banner": banner() if signed_in else None,
        "kill_switch_on": kill_switch_on() if signed_in else False,
    }
