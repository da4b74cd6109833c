"""Watermark, status banner, htmx wiring and the isolation of a failing section."""

from __future__ import annotations

import logging

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.template import engines
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import include, path


def _boom(request):
    raise RuntimeError("section exploded")


def _fine(request):
    return HttpResponse("fine")


def _fragment(request):
    """A template without the layout, as an htmx fragment is (the context processors run)."""
    return HttpResponse(engines["django"].from_string("<p>{{ user.username }}</p>").render({}, request))


urlpatterns = [
    path("broken/", _boom),
    path("fine/", _fine),
    path("fragment/", _fragment),
    path("", include("aicmo_site.urls")),
]


def test_watermark_is_in_every_page_and_header(operator_client):
    response = operator_client.get("/campaigns/")
    assert response["X-Dashboard-Build"] == settings.DASHBOARD_BUILD
    assert f"build {settings.DASHBOARD_BUILD}" in response.content.decode()


def test_watermark_header_is_on_anonymous_responses_too(client):
    assert client.get("/accounts/login/")["X-Dashboard-Build"] == settings.DASHBOARD_BUILD


def test_watermark_comes_from_dashboard_build(settings, operator_client):
    settings.DASHBOARD_BUILD = "2026.11-rc1"
    response = operator_client.get("/")
    assert response["X-Dashboard-Build"] == "2026.11-rc1"
    assert "build 2026.11-rc1" in response.content.decode()


def test_every_response_carries_a_request_id(client):
    assert len(client.get("/accounts/login/")["X-Request-ID"]) >= 8


def test_status_banner_shows_database_and_backend(operator_client):
    page = operator_client.get("/").content.decode()
    assert "Database connectivity<span class=\"status-pill__summary\">: " in page
    assert "Generation backend<span" in page
    assert 'href="/system/">System status</a>' in page


def test_page_sends_csrf_token_on_htmx_requests(operator_client):
    page = operator_client.get("/").content.decode()
    assert "hx-headers='{\"X-CSRFToken\": \"" in page
    assert "django_htmx/htmx" in page


def test_htmx_is_served_from_our_own_static_files(operator_client):
    page = operator_client.get("/").content.decode()
    assert "cdn" not in page.lower()
    assert "unpkg" not in page.lower()


@pytest.mark.urls("aicmo_site.tests.test_layout")
def test_failing_section_renders_error_panel_inside_layout(operator, caplog):
    client = Client(raise_request_exception=False)
    client.force_login(operator)
    with caplog.at_level(logging.ERROR, logger="aicmo.errors"):
        response = client.get("/broken/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "This page could not be shown" in page
    assert 'href="/campaigns/"' in page  # navigation intact
    request_id = response["X-Request-ID"]
    assert request_id in page
    assert any(request_id in record.getMessage() for record in caplog.records)
    assert any(record.exc_info for record in caplog.records)


@pytest.mark.urls("aicmo_site.tests.test_layout")
def test_other_sections_keep_working_after_one_fails(operator):
    client = Client(raise_request_exception=False)
    client.force_login(operator)
    client.get("/broken/")
    assert client.get("/fine/").status_code == 200
    assert client.get("/leadgen/").status_code == 200


def test_layout_links_every_section_and_the_header_links(operator_client):
    from aicmo_site.sections import SECTIONS

    page = operator_client.get("/learn/").content.decode()
    assert '<li><a href="/" >Overview</a></li>' not in page
    assert '<li><a href="/">Overview</a></li>' in page
    assert '<a href="/learn/" aria-current="page">Learn / Kaizen</a>' in page
    for section in SECTIONS:
        assert f'<li><a href="{section.path}"' in page
    assert '<a class="site-header__brand" href="/">AICMO</a>' in page
    assert 'action="/accounts/logout/"' in page


def test_overview_link_is_current_on_the_overview(operator_client):
    page = operator_client.get("/").content.decode()
    assert '<li><a href="/" aria-current="page">Overview</a></li>' in page
    assert 'aria-current="page">Intake' not in page


def _kill_switch_reads(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return sum("autonomy_autonomypolicy" in query["sql"] for query in queries)


@pytest.mark.urls("aicmo_site.tests.test_layout")
def test_kill_switch_is_read_once_by_a_page_and_not_by_a_fragment(operator_client):
    cache.clear()  # as on a fresh server: the banner's switch is not cached yet
    assert _kill_switch_reads(operator_client, "/fragment/") == 0
    assert _kill_switch_reads(operator_client, "/system/") == 1
