"""Cached check results, so pages never wait on a slow check more than once per TTL.

The banner shows a few checks on every page; the System page shows them all. Both read the
cache (TTL settings.STATUS_CACHE_SECONDS); `refresh()` ("Run again") runs every check now and
replaces both. While one request recomputes the banner, the others keep showing the previous
results instead of asking the backend again.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

from diagnostics.checks import CheckResult, run_all, run_check, worst

BANNER_CHECKS = ("database_connectivity", "generation_backend")
CACHE_KEY = "aicmo:status-banner"
STALE_KEY = "aicmo:status-banner:stale"
LOCK_KEY = "aicmo:status-banner:lock"
ALL_KEY = "aicmo:status-all"


def _store_banner(results: list[CheckResult]) -> None:
    cache.set(CACHE_KEY, results, settings.STATUS_CACHE_SECONDS)
    # The last known results outlive the TTL: shown while another request recomputes.
    cache.set(STALE_KEY, results, max(settings.STATUS_CACHE_SECONDS * 30, 300))


def banner_results() -> list[CheckResult]:
    results = cache.get(CACHE_KEY)
    if results is not None:
        return results
    lock_seconds = max(settings.STATUS_CACHE_SECONDS, 1) + settings.AICMO_BACKEND_TIMEOUT + 5
    if not cache.add(LOCK_KEY, True, lock_seconds):
        stale = cache.get(STALE_KEY)
        if stale is not None:
            return stale
    try:
        results = [run_check(name) for name in BANNER_CHECKS]
        _store_banner(results)
    finally:
        cache.delete(LOCK_KEY)
    return results


def banner() -> dict:
    results = banner_results()
    return {"results": results, "overall": worst(results)}


def all_results() -> list[CheckResult]:
    """Every check, from the cache when the last run is younger than the TTL."""
    results = cache.get(ALL_KEY)
    if results is None:
        results = refresh()
    return results


def refresh() -> list[CheckResult]:
    """Runs every check now; the banner shows the new results on the next page."""
    results = run_all()
    cache.set(ALL_KEY, results, settings.STATUS_CACHE_SECONDS)
    _store_banner([result for result in results if result.name in BANNER_CHECKS])
    return results


def forget() -> None:
    cache.delete_many([CACHE_KEY, STALE_KEY, LOCK_KEY, ALL_KEY])
