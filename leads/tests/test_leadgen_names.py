"""The Lead Gen list's cached names: campaigns, usernames and the Operators, under the
"leadgen_names" data stamp (migration leads 0008).

"Another worker" is simulated by names put in the cache by hand under the current key: the page
must serve them until a write that can change them, then read them again.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aicmo_site.html import option_tags, select_option
from campaigns import stamps
from campaigns.models import Campaign
from leads import selectors
from leads.models import Lead
from leads.tests.factories import CampaignFactory, LeadFactory

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def _names_stamp() -> int:
    return stamps.data_stamp(stamps.LEADGEN_NAMES)


def _plant(**changes) -> None:
    """Caches the current names, changed as `changes` say, as another worker would have."""
    names = selectors.leadgen_names(stamp=_names_stamp())
    cache.set(f"leads:names:{selectors.settings.DASHBOARD_BUILD}:{_names_stamp()}",
              selectors.LeadGenNames(**{**names.__dict__, **changes}))


def _page(client, query: str = "") -> str:
    response = client.get(f"/leadgen/?{query}" if query else "/leadgen/")
    assert response.status_code == 200
    return response.content.decode()


# --- the cache ----------------------------------------------------------------------------------


def test_list_serves_the_cached_names_while_nothing_is_written(operator_client):
    campaign = CampaignFactory(name="Spring")
    LeadFactory(campaign=campaign)
    _plant(campaigns={campaign.pk: "Planted"},
           campaign_options=f'<option value="{campaign.pk}">Planted</option>')
    body = _page(operator_client)
    assert "<td>Planted</td>" in body and f'<option value="{campaign.pk}">Planted</option>' in body


def test_warm_list_reads_no_campaign_and_no_user_list(operator_client):
    CampaignFactory()
    _page(operator_client)
    with CaptureQueriesContext(connection) as queries:
        _page(operator_client)
    assert not [q for q in queries if "campaigns_campaign" in q["sql"]]
    assert not [q for q in queries if "auth_group" in q["sql"]]


# --- each kind of write reaches the list, past another worker's cached names ------------------


def test_a_new_campaign_is_offered_after_another_workers_cache(operator_client):
    _page(operator_client)
    _plant()
    campaign = CampaignFactory(name="Autumn")
    assert f'<option value="{campaign.pk}">Autumn</option>' in _page(operator_client)


def test_a_renamed_campaign_shows_its_name_after_another_workers_cache(operator_client):
    campaign = CampaignFactory(name="Spring")
    LeadFactory(campaign=campaign)
    _page(operator_client)
    _plant()
    Campaign.objects.filter(pk=campaign.pk).update(name="Summer")  # no signal sent
    body = _page(operator_client)
    assert "<td>Summer</td>" in body and f'<option value="{campaign.pk}">Summer</option>' in body
    assert "Spring" not in body


def test_a_deleted_campaign_is_no_longer_offered_after_another_workers_cache(operator_client):
    campaign = CampaignFactory(name="Gone")
    _page(operator_client)
    _plant()
    Campaign.objects.filter(pk=campaign.pk).delete()
    assert ">Gone</option>" not in _page(operator_client)


def test_a_new_operator_is_offered_as_owner_after_another_workers_cache(operator_client):
    _page(operator_client)
    _plant()
    newcomer = User.objects.create_user(username="nadia")
    newcomer.groups.add(Group.objects.get(name="Operator"))
    body = _page(operator_client)
    assert body.count(f'<option value="{newcomer.pk}">nadia</option>') == 2  # filter, bulk bar


def test_a_deactivated_operator_is_no_longer_offered_after_another_workers_cache(
    operator_client,
):
    leaving = User.objects.create_user(username="lena")
    leaving.groups.add(Group.objects.get(name="Operator"))
    assert ">lena</option>" in _page(operator_client)
    _plant()
    User.objects.filter(pk=leaving.pk).update(is_active=False)
    assert ">lena</option>" not in _page(operator_client)


def test_a_renamed_owner_shows_the_new_username_after_another_workers_cache(
    operator_client, operator
):
    LeadFactory(owner=operator)
    _page(operator_client)
    _plant()
    User.objects.filter(pk=operator.pk).update(username="olivia2")
    body = _page(operator_client)
    assert "<td>olivia2</td>" in body and f'<option value="{operator.pk}">olivia2</option>' in body


def test_a_campaign_newer_than_the_cached_names_still_shows_in_its_leads_row(operator_client):
    _page(operator_client)
    campaign = CampaignFactory(name="Brand new")
    owner = User.objects.create_user(username="newowner")
    LeadFactory(campaign=campaign, owner=owner)
    # Names cached before the campaign and the user existed, under the stamp read now.
    _plant(campaigns={}, users={})
    assert "<td>newowner</td><td>Brand new</td>" in _page(operator_client)


# --- the stamp ----------------------------------------------------------------------------------


def test_writes_that_cannot_change_the_names_leave_the_stamp_alone(operator):
    campaign = CampaignFactory()
    before = _names_stamp()
    Campaign.objects.filter(pk=campaign.pk).update(objectives="More leads.")
    User.objects.filter(pk=operator.pk).update(last_login=None, email="o@ex.com")
    LeadFactory()
    assert _names_stamp() == before


# --- select_option ------------------------------------------------------------------------------


def test_select_option_selects_as_option_tags_does():
    choices = [(1, "One"), (12, "Twelve"), ("a&b", 'A "&" B')]
    cached = option_tags(choices)
    for chosen in (None, "", "1", "12", 12, "a&b", "99", "01"):
        assert select_option(cached, chosen) == option_tags(choices, chosen)


# --- the stored search text ---------------------------------------------------------------------


def test_search_text_follows_every_write_to_the_four_columns():
    lead = LeadFactory(name="Ann", email="ann@ex.com", company="Acme", title="CTO")
    assert Lead.objects.get(pk=lead.pk).search_text == "ANN\x1fANN@EX.COM\x1fACME\x1fCTO"
    Lead.objects.filter(pk=lead.pk).update(company="Zebra Ltd")  # no save(), no signal
    assert Lead.objects.get(pk=lead.pk).search_text == "ANN\x1fANN@EX.COM\x1fZEBRA LTD\x1fCTO"


def test_search_finds_a_lead_by_any_of_the_four_columns_in_any_case(operator_client):
    LeadFactory(email="match@ex.com", name="Ann Lee", company="Acme", title="Head of Growth")
    LeadFactory(email="other@ex.com", name="Bob", company="Initech", title="CTO")
    for text in ("ann lee", "MATCH@", "acm", "of growth"):
        body = _page(operator_client, f"q={text}")
        assert "match@ex.com" in body and "other@ex.com" not in body, text
