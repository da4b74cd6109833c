"""The System / Diagnostics page, its "Run again" action, and the health endpoints."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from aicmo_site.decorators import section_view
from diagnostics.checks import run_check, worst
from diagnostics.configuration import configuration_in_effect
from diagnostics.status import all_results, refresh


def _page_context(results) -> dict:
    return {
        "results": results,
        "overall": worst(results),
        "counts": {status: sum(r.status == status for r in results)
                   for status in ("ok", "warn", "fail")},
        "configuration": configuration_in_effect(),
    }


@require_GET
@section_view("system")
def system(request: HttpRequest) -> HttpResponse:
    return render(request, "diagnostics/system.html", _page_context(all_results()))


@vary_on_headers("HX-Request")
@require_POST
@section_view("system")
def system_run(request: HttpRequest) -> HttpResponse:
    """Runs every check now (the banner's cache included) and shows the new results."""
    results = refresh()
    if not request.htmx:
        return redirect("diagnostics:system")
    return render(request, "diagnostics/system.html#results", _page_context(results))


@never_cache
@login_not_required
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. Touches no database, so a load balancer does not
    restart web processes because the database is down."""
    return JsonResponse({"status": "ok", "build": settings.DASHBOARD_BUILD})


@never_cache
@login_not_required
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: the database answers on a fresh connection and no migration is pending."""
    checks = {"database": run_check("database_connectivity")}
    if checks["database"].status != "fail":
        checks["migrations"] = run_check("migrations")
    ready = all(result.status != "fail" for result in checks.values())
    body = {
        "status": "ready" if ready else "unavailable",
        "checks": {
            name: {"status": result.status, "summary": result.summary}
            for name, result in checks.items()
        },
    }
    return JsonResponse(body, status=200 if ready else 503)
