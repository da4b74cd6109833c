"""The Lead Gen list reads its rows and counts with its own SQL (leads.selectors.RankedPage): the
same leads, in the same order, as lead_list_for(), which the exports of "these leads" read."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from leads import selectors
from leads.models import Lead
from leads.statuses import LeadStatus
from leads.tests.factories import CampaignFactory, LeadFactory

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

TEXTS = ["acme", "ACME", "Ac", "50%", "a_b", "back\\slash", "ann@", "zz", "%", "_", "\\"]


@pytest.fixture
def leads(operator):
    campaign, other = CampaignFactory(), CampaignFactory()
    now = timezone.now()
    values = itertools.product(
        ["Acme", "acme labs", "50% off", "a_b", "aXb", "back\\slash"],
        [LeadStatus.NEW, LeadStatus.REPLIED],
        [10, 50, 50, 90],
    )
    for index, (company, status, score) in enumerate(values):
        LeadFactory(
            email=f"lead{index}@ex.com", name="Ann" if index % 5 == 0 else f"Lead {index}",
            company=company, status=status, score=score, source=["event", "csv"][index % 2],
            owner=operator if index % 3 else None, campaign=[campaign, other, None][index % 3],
            title="CTO" if index % 4 else "Head of 50%",
        )
    # Equal scores and dates: the id breaks the tie, as in the ORM's ordering.
    Lead.objects.filter(score=50).update(created_at=now - timedelta(days=1))
    return {"campaign": campaign, "owner": operator}


def _filter_sets(operator, campaign) -> list[dict]:
    single = [
        {}, {"status": LeadStatus.NEW}, {"min_score": 50}, {"max_score": 50},
        {"source": "csv"}, {"owner": "none"}, {"owner": str(operator.pk)},
        {"campaign": campaign.pk}, *({"q": text} for text in TEXTS),
    ]
    combined = [
        {"status": LeadStatus.REPLIED, "min_score": 20, "max_score": 60, "source": "event",
         "owner": str(operator.pk), "campaign": campaign.pk, "q": "acme"},
        {"owner": "none", "q": "50%", "min_score": 10},
    ]
    return single + combined


def test_rows_and_counts_are_lead_list_for_s(leads, operator):
    names = selectors.leadgen_names(stamp=0)
    for filters in _filter_sets(operator, leads["campaign"]):
        expected = list(selectors.lead_list_for(filters).values_list(*selectors.ROW_COLUMNS))
        ranked = selectors.RankedPage(filters, names=names)
        rows = ranked[0:1000]
        assert [tuple(row)[:len(selectors.ROW_COLUMNS)] for row in rows] == expected, filters
        assert ranked.count() == len(expected), filters


def test_a_page_is_a_slice_of_the_ranking(leads, operator):
    ranked = selectors.RankedPage({"min_score": 50}, names=selectors.leadgen_names(stamp=0))
    expected = list(selectors.lead_list_for({"min_score": 50}).values_list("pk", flat=True))
    assert [row.pk for row in ranked[5:10]] == expected[5:10]


def test_rows_carry_owner_and_campaign_names(leads, operator):
    ranked = selectors.RankedPage({"campaign": leads["campaign"].pk},
                                  names=selectors.leadgen_names(stamp=0))
    rows = ranked[0:1000]
    assert rows and {row.campaign_name for row in rows} == {leads["campaign"].name}
    assert {row.owner_name for row in rows} <= {operator.username, ""}


def test_an_empty_page_reads_nothing(leads):
    ranked = selectors.RankedPage({"q": "nobody has this"}, names=selectors.leadgen_names(stamp=0))
    with CaptureQueriesContext(connection) as queries:
        assert ranked[0:0] == []
    assert len(queries) == 0
