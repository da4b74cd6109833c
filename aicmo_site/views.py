"""The overview page and the site-wide error pages."""

from __future__ import annotations

import sys

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from aicmo_site.outage import is_database_error, outage_response
from aicmo_site.selectors import overview_for


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    return render(request, "overview.html", {"overview": overview_for(request.user)})


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: errors outside views (middleware, the session save) land here."""
    exception = sys.exc_info()[1]
    if exception is not None and is_database_error(exception):
        return outage_response(request, exception)
    body = render_to_string("500.html", {"request_id": getattr(request, "id", "-")})
    return HttpResponseServerError(body)
