"""The plain 503 page served when the database cannot be reached."""

from __future__ import annotations

import logging

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger("aicmo.outage")


def is_database_error(exception: BaseException) -> bool:
    """Connection-level failures only: a constraint violation is a bug, not an outage."""
    if isinstance(exception, (OperationalError, InterfaceError)):
        return True
    cause = exception.__cause__ or exception.__context__
    return isinstance(exception, DatabaseError) and cause is not None and isinstance(
        cause, (OperationalError, InterfaceError)
    )


def outage_diagnosis() -> dict[str, str]:
    """The failing database check, asked on a fresh connection and without secrets."""
    try:
        from diagnostics.checks import run_check

        result = run_check("database_connectivity")
    except Exception:  # the outage page must render whatever the diagnostics do
        logger.exception("Database diagnosis failed while rendering the outage page")
        return {}
    # run_check masks its result: no password reaches this page.
    return {
        "name": result.name,
        "check": result.title,
        "status": result.status,
        "summary": result.summary,
        "remediation": result.remediation,
    }


def outage_response(request: HttpRequest, exception: BaseException) -> HttpResponse:
    logger.error(
        "Database unreachable while serving %s: %s",
        request.path,
        type(exception).__name__,
    )
    # Rendered without the request: context processors would touch the database again.
    body = render_to_string(
        "outage.html",
        {"diagnosis": outage_diagnosis(), "request_id": getattr(request, "id", "-")},
    )
    response = HttpResponse(body, status=503)
    response["Retry-After"] = "10"
    return response
