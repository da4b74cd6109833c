"""View decorators shared by every section."""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied

from aicmo_site.sections import SECTIONS_BY_SLUG


def section_view(slug: str):
    """The view belongs to a section: it needs that section's read permission."""
    section = SECTIONS_BY_SLUG[slug]

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.has_perm(section.permission):
                raise PermissionDenied(f"You cannot open {section.title}.")
            request.section = section
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
