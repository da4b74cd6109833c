"""Smoke tests driven by the section registry."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aicmo_site.sections import SECTIONS

# Every section page, the layout included, stays within this many queries.
SECTION_QUERY_BUDGET = 15
ROLES = ["Operator", "Approver", "Viewer"]


def test_registry_lists_the_eleven_sections_in_order():
    assert [s.path for s in SECTIONS] == [
        "/intake/", "/strategy/", "/creatives/", "/execution/", "/monitoring/", "/leadgen/",
        "/campaigns/", "/autonomy/", "/delivery/", "/learn/", "/system/",
    ]


@pytest.mark.embedded
@pytest.mark.django_db
@pytest.mark.parametrize("section", SECTIONS, ids=lambda s: s.slug)
def test_section_redirects_anonymous_users_to_login(client, section):
    response = client.get(section.path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.embedded
@pytest.mark.parametrize("role_client", ROLES, indirect=True)
@pytest.mark.parametrize("section", SECTIONS, ids=lambda s: s.slug)
def test_section_opens_for_every_role_within_query_budget(role_client, section):
    with CaptureQueriesContext(connection) as queries:
        response = role_client.get(section.path)
    assert response.status_code == 200
    assert f"<h1>{section.title}</h1>" in response.content.decode()
    assert len(queries) <= SECTION_QUERY_BUDGET, [q["sql"] for q in queries]


@pytest.mark.parametrize("section", SECTIONS, ids=lambda s: s.slug)
def test_section_is_forbidden_to_a_user_without_a_role(outsider_client, section):
    assert outsider_client.get(section.path).status_code == 403


def test_navigation_highlights_the_current_section(viewer_client):
    page = viewer_client.get("/leadgen/").content.decode()
    assert '<a href="/leadgen/" aria-current="page">Lead Gen</a>' in page
    assert '<a href="/intake/" aria-current="page">' not in page


def test_navigation_lists_every_section_for_a_viewer(viewer_client):
    page = viewer_client.get("/").content.decode()
    for section in SECTIONS:
        assert f'href="{section.path}"' in page


@pytest.mark.embedded
def test_overview_shows_what_needs_the_operator(operator_client):
    page = operator_client.get("/").content.decode()
    assert "posts awaiting review" in page
    assert "new leads" in page
    assert "system checks" in page


def test_section_rejects_post(operator_client):
    assert operator_client.post("/intake/").status_code == 405


def test_login_page_is_public_and_styled_in_the_layout(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Sign in to AICMO" in page
    assert "vendor/pico/pico.min.css" in page
