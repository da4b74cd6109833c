"""Where a plain form post returns to."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, default: str) -> str:
    """The form's `next` when it is a path of this site, else `default`.

    Only a path starting with "/" is followed: redirect() would take a bare word ("0") for a URL
    name and fail, and another host would make the site an open redirect.
    """
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default
