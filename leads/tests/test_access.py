"""Every Intake and Lead Gen page needs a login, the section's permission and the right method."""

from __future__ import annotations

import pytest

from leads.tests.factories import LeadFactory, ScoringRuleFactory

pytestmark = pytest.mark.django_db

GET_PAGES = ["/intake/", "/leadgen/", "/leadgen/board/", "/leadgen/rules/", "/leadgen/leads/{lead}/",
             "/leadgen/rules/{rule}/"]
POST_ACTIONS = ["/intake/add/", "/intake/imports/upload/", "/leadgen/bulk/", "/leadgen/route/",
                "/leadgen/taking/", "/leadgen/leads/{lead}/status/", "/leadgen/leads/{lead}/log/",
                "/leadgen/leads/{lead}/owner/", "/leadgen/rules/{rule}/delete/",
                "/leadgen/rules/recompute/"]


def _url(template: str) -> str:
    return template.format(lead=LeadFactory().pk, rule=ScoringRuleFactory().pk)


@pytest.mark.embedded
@pytest.mark.parametrize("path", GET_PAGES + POST_ACTIONS)
def test_leads_pages_send_anonymous_users_to_login(client, path):
    response = client.post(_url(path)) if path in POST_ACTIONS else client.get(_url(path))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("path", GET_PAGES)
def test_leads_pages_are_forbidden_to_outsiders(outsider_client, path):
    assert outsider_client.get(_url(path)).status_code == 403


@pytest.mark.parametrize("path", POST_ACTIONS)
def test_leads_actions_are_forbidden_to_viewers(viewer_client, path):
    assert viewer_client.post(_url(path)).status_code == 403


@pytest.mark.parametrize("path", POST_ACTIONS)
def test_leads_actions_refuse_get(operator_client, path):
    assert operator_client.get(_url(path)).status_code == 405


@pytest.mark.parametrize("path", GET_PAGES[:5])
def test_leads_pages_refuse_post(operator_client, path):
    assert operator_client.post(_url(path)).status_code == 405
