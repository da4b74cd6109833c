"""Request id, build watermark, database-outage page and per-section error isolation."""

from __future__ import annotations

import logging
import re
import time
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from aicmo_site.logging import current_request_id, mask_secrets
from aicmo_site.outage import is_database_error, outage_response
from campaigns import stamps

logger = logging.getLogger("aicmo.request")
error_logger = logging.getLogger("aicmo.errors")

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def _request_id_from(request: HttpRequest) -> str:
    incoming = request.headers.get("X-Request-ID", "")
    if _SAFE_REQUEST_ID.match(incoming):
        return incoming
    return uuid.uuid4().hex[:12]


class RequestIdMiddleware:
    """Gives every request an id (kept from a proxy's X-Request-ID when it is sane) and logs
    one line per request with its timing and status."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.id = _request_id_from(request)
        token = current_request_id.set(request.id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request.id
            if not logger.isEnabledFor(logging.INFO):
                return response  # LOG_LEVEL above INFO: no request line to build
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            # The query string is logged with secret-looking values masked (see
            # aicmo_site.logging.mask_secrets); the handler's filter masks it again anyway.
            query = mask_secrets(request.META.get("QUERY_STRING", ""))
            # Only a user the request already loaded: asking here would query the database
            # after the response (and fail during an outage).
            user = getattr(request, "_cached_user", None)
            logger.info(
                "%s %s%s %s %sms",
                request.method,
                request.path,
                f"?{query}" if query else "",
                response.status_code,
                duration_ms,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "query": query,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                    "user": user.pk if user is not None and user.is_authenticated else None,
                },
            )
            return response
        finally:
            current_request_id.reset(token)


class RejectNulMiddleware:
    """A NUL character is never real input and PostgreSQL cannot store it: refuse it up front
    with a plain 400 rather than let it fail deep inside a save."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("POST", "PUT", "PATCH") and request.content_type in (
            "application/x-www-form-urlencoded", "multipart/form-data"
        ):
            values = [value for _, items in request.POST.lists() for value in items]
        else:
            values = []
        values += [value for _, items in request.GET.lists() for value in items]
        if any("\x00" in value for value in values):
            return HttpResponse(
                "The request contained a NUL character, which no field accepts. "
                "Remove it and send the form again.",
                status=400, content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


class BuildWatermarkMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response["X-Dashboard-Build"] = settings.DASHBOARD_BUILD
        return response


class DatabaseOutageMiddleware:
    """Any page whose view hits an unreachable database answers 503 with a plain page.

    Errors raised by inner middleware reach `aicmo_site.views.server_error`, which gives the
    same answer. Django closes the broken connection at the end of the request, so the next
    request reconnects: the site recovers by itself once the database is back.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if is_database_error(exception):
            return outage_response(request, exception)
        return None


class DataStampMiddleware:
    """Every data stamp a request asks for comes from one query (campaigns.stamps)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with stamps.request_snapshot():
            return self.get_response(request)


class SectionErrorMiddleware:
    """With DEBUG off, a view that raises renders an error panel inside the layout, so the
    navigation still works and the other sections stay reachable."""

    passthrough = (Http404, PermissionDenied, SuspiciousOperation)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if settings.DEBUG or isinstance(exception, self.passthrough):
            return None
        if is_database_error(exception):
            return None  # DatabaseOutageMiddleware answers with the outage page.
        request_id = getattr(request, "id", "-")
        error_logger.error(
            "Unhandled error in %s (request %s)",
            request.path,
            request_id,
            exc_info=(type(exception), exception, exception.__traceback__),
        )
        try:
            return render(
                request, "error_panel.html", {"request_id": request_id}, status=500
            )
        except Exception:  # the layout itself failed: fall back to the plain 500 page
            error_logger.exception("The error panel could not be rendered")
            return None
