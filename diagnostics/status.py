"""The status banner's data: a few checks, cached so pages never wait on them twice per TTL."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

from diagnostics.checks import CheckResult, run_check, worst

BANNER_CHECKS = ("database_connectivity", "generation_backend")
CACHE_KEY = "aicmo:status-banner"


def banner_results() -> list[CheckResult]:
    results = cache.get(CACHE_KEY)
    if results is None:
        results = [run_check(name) for name in BANNER_CHECKS]
        cache.set(CACHE_KEY, results, settings.STATUS_CACHE_SECONDS)
    return results


def banner() -> dict:
    results = banner_results()
    return {"results": results, "overall": worst(results)}


def forget() -> None:
    cache.delete(CACHE_KEY)
