"""Everything the base layout needs: navigation, watermark and the status banner."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from aicmo_site.sections import SECTIONS, section_for_path
from autonomy.policy import kill_switch_shown
from diagnostics.status import banner


def layout(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    return {
        "build": settings.DASHBOARD_BUILD,
        "nav_sections": [s for s in SECTIONS if user.has_perm(s.permission)] if signed_in else [],
        "current_section": section_for_path(request.path),
        "status_banner": banner() if signed_in else None,
        # Read only when a template shows it (the base layout does, once per page): htmx
        # fragments and pages without the layout skip it.
        "kill_switch_on": SimpleLazyObject(kill_switch_shown) if signed_in else False,
    }
