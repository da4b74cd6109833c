"""The Lead Gen list's cached count and sources: every write the filters read shows next request.

The count of a filter set and the list of sources are cached under the "leads" data stamp, which
database triggers bump on every write to a lead column the filters read. "Another process" is
simulated by a count put in the cache by hand under the current key: the page must serve it
until such a write, then count again.
"""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from campaigns import stamps
from leads import selectors
from leads.forms import LeadFilterForm
from leads.models import Lead
from leads.statuses import LeadStatus
from leads.tests.factories import CampaignFactory, LeadFactory

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

PLANTED = 4242


def _filters(query: str) -> dict:
    if not query:
        return {}  # an unbound form: no filter
    form = LeadFilterForm(QueryDict(query))
    assert form.is_valid(), form.errors
    return form.cleaned_data


def _planted(query: str = "") -> None:
    """Fills the count of the current stamp as another worker would have."""
    key = selectors._cache_key("count", stamps.data_stamp(stamps.LEADS), _filters(query))
    cache.set(key, PLANTED)


def _count(client, query: str = "") -> int:
    response = client.get(f"/leadgen/?{query}" if query else "/leadgen/")
    assert response.status_code == 200
    found = re.search(r"<p>([\d,]+) leads?, best score first", response.content.decode())
    return int(found.group(1).replace(",", "")) if found else 0


def _leads_stamp() -> int:
    return stamps.data_stamp(stamps.LEADS)


# --- the cache ----------------------------------------------------------------------------------


def test_list_serves_the_cached_count_while_nothing_is_written(operator_client):
    LeadFactory()
    _planted()
    assert _count(operator_client) == PLANTED


def test_warm_list_does_not_count_the_leads_again(operator_client):
    LeadFactory()
    assert _count(operator_client) == 1
    with CaptureQueriesContext(connection) as queries:
        assert _count(operator_client) == 1
    assert not [q for q in queries if "COUNT(" in q["sql"] and "leads_lead" in q["sql"]]


def test_each_filter_set_has_its_own_count(operator_client):
    LeadFactory(status=LeadStatus.NEW)
    LeadFactory(status=LeadStatus.WON)
    assert _count(operator_client) == 2
    assert _count(operator_client, "status=won") == 1


# --- each kind of write reaches the list, past another worker's cached count -----------------


def test_a_new_lead_is_counted_after_another_workers_cache(operator_client):
    LeadFactory()
    _planted()
    LeadFactory()
    assert _count(operator_client) == 2


def test_a_deleted_lead_is_uncounted_after_another_workers_cache(operator_client):
    LeadFactory()
    gone = LeadFactory()
    _planted()
    Lead.objects.filter(pk=gone.pk).delete()
    assert _count(operator_client) == 1


@pytest.mark.parametrize(("query", "change"), [
    ("status=won", {"status": LeadStatus.WON}),
    ("min_score=50", {"score": 80}),
    ("source=event", {"source": "event"}),
    ("q=zebra", {"name": "Zebra Jones"}),
    ("q=zebra", {"email": "zebra@ex.com"}),
    ("q=zebra", {"company": "Zebra Ltd"}),
    ("q=zebra", {"title": "Head of Zebras"}),
])
def test_a_lead_edited_into_a_filter_is_counted_after_another_workers_cache(
    operator_client, query, change
):
    lead = LeadFactory(status=LeadStatus.NEW, score=10, source="manual")
    LeadFactory(status=LeadStatus.NEW, score=10, source="manual")
    assert _count(operator_client, query) == 0
    _planted(query)
    Lead.objects.filter(pk=lead.pk).update(**change)  # no signal sent
    assert _count(operator_client, query) == 1


def test_a_lead_given_an_owner_is_counted_after_another_workers_cache(operator_client, operator):
    lead = LeadFactory()
    query = f"owner={operator.pk}"
    assert _count(operator_client, query) == 0
    _planted(query)
    Lead.objects.filter(pk=lead.pk).update(owner=operator)
    assert _count(operator_client, query) == 1


def test_a_lead_attributed_to_a_campaign_is_counted_after_another_workers_cache(operator_client):
    lead = LeadFactory()
    campaign = CampaignFactory()
    query = f"campaign={campaign.pk}"
    assert _count(operator_client, query) == 0
    _planted(query)
    Lead.objects.filter(pk=lead.pk).update(campaign=campaign)
    assert _count(operator_client, query) == 1


def test_a_new_source_appears_in_the_filter_after_the_cached_sources(operator_client):
    LeadFactory(source="manual")
    assert '<option value="event"' not in operator_client.get("/leadgen/").content.decode()
    LeadFactory(source="event")
    assert '<option value="event"' in operator_client.get("/leadgen/").content.decode()


# --- the stamp ----------------------------------------------------------------------------------


def test_writes_that_cannot_change_the_counts_leave_the_leads_stamp_alone():
    lead = LeadFactory()
    before = _leads_stamp()
    Lead.objects.filter(pk=lead.pk).update(
        notes="called", phone="555", website="https://ex.com", company_size=12, consent=True
    )
    CampaignFactory(name="Unrelated")
    assert _leads_stamp() == before


def test_a_rolled_back_lead_write_leaves_the_leads_stamp_alone():
    before = _leads_stamp()
    with pytest.raises(RuntimeError), transaction.atomic():
        LeadFactory()
        assert _leads_stamp() > before
        raise RuntimeError
    assert _leads_stamp() == before
