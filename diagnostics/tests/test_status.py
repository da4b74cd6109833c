"""The status banner reads cached results: the backend is asked at most once per TTL."""

from __future__ import annotations

import time

import pytest

pytestmark = pytest.mark.django_db


def test_banner_asks_the_backend_once_per_ttl(operator_client, http_engine, settings):
    settings.STATUS_CACHE_SECONDS = 60
    for path in ("/", "/campaigns/", "/leadgen/", "/"):
        assert operator_client.get(path).status_code == 200
    assert http_engine.health_requests == 1


def test_banner_asks_again_after_the_ttl(operator_client, http_engine, settings):
    settings.STATUS_CACHE_SECONDS = 1
    operator_client.get("/")
    time.sleep(1.1)
    operator_client.get("/")
    assert http_engine.health_requests == 2


def test_banner_waits_on_a_slow_backend_only_once_per_ttl(operator_client, http_engine, settings):
    settings.STATUS_CACHE_SECONDS = 60
    settings.AICMO_BACKEND_TIMEOUT = 0.5
    http_engine.mode, http_engine.delay = "slow", 2
    started = time.monotonic()
    first = operator_client.get("/").content.decode()
    first_took = time.monotonic() - started
    started = time.monotonic()
    operator_client.get("/campaigns/")
    second_took = time.monotonic() - started
    assert "Generation backend<span class=\"status-pill__summary\">: Timed out" in first
    assert 0.5 <= first_took < 1.5
    assert second_took < 0.4
    assert http_engine.health_requests == 1


def test_banner_shows_the_failing_check_and_links_to_system(operator_client, http_engine):
    http_engine.mode = "error"
    page = operator_client.get("/").content.decode()
    assert "status-banner--fail" in page
    assert "Generation backend<span class=\"status-pill__summary\">: The backend answered HTTP 500 on /health." in page
    assert '<a href="/system/">System status</a>' in page


def test_run_again_busts_the_banner_cache(operator_client, http_engine, settings):
    settings.STATUS_CACHE_SECONDS = 300
    assert "status-banner--ok" in operator_client.get("/").content.decode()
    http_engine.mode = "error"
    assert "status-banner--ok" in operator_client.get("/").content.decode()
    operator_client.post("/system/run/")
    page = operator_client.get("/").content.decode()
    assert "Generation backend<span class=\"status-pill__summary\">: The backend answered HTTP 500 on /health." in page
    assert http_engine.health_requests == 2


def test_banner_shows_previous_results_while_another_request_recomputes(
    operator_client, http_engine, settings
):
    from django.core.cache import cache

    from diagnostics import status

    settings.STATUS_CACHE_SECONDS = 60
    operator_client.get("/")
    cache.delete(status.CACHE_KEY)  # the TTL ran out…
    cache.add(status.LOCK_KEY, True, 30)  # …and another request is asking the backend now
    http_engine.mode = "error"
    page = operator_client.get("/").content.decode()
    assert "Generation backend<span class=\"status-pill__summary\">: The backend answers in" in page
    assert http_engine.health_requests == 1
