"""Scores come from the rules, computed by the database in a constant number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from leads.models import Lead, ScoringRule
from leads.scoring import leads_rescore, rules_met_by
from leads.tests.factories import LeadFactory, ScoringRuleFactory, bulk_leads

pytestmark = pytest.mark.django_db


@pytest.fixture
def rules():
    return [
        ScoringRuleFactory(field="title", condition="contains", value="Head", points=20),
        ScoringRuleFactory(field="company_size", condition="gte", value="50", points=10),
        ScoringRuleFactory(field="status", condition="equals", value="REPLIED", points=30),
        ScoringRuleFactory(field="inactive_days", condition="gte", value="30", points=-15),
    ]


@pytest.mark.embedded
def test_leads_rescore_sums_the_rules_each_lead_meets(rules):
    old = timezone.now() - timedelta(days=45)
    head = LeadFactory(title="head of marketing", company_size=120, status="REPLIED")
    small = LeadFactory(title="Owner", company_size=49, status="REPLIED")
    stale = LeadFactory(title="Head Chef", company_size=None, last_activity_at=old)
    quiet = LeadFactory(title="", company_size=50)
    Lead.objects.filter(pk=quiet.pk).update(created_at=old)  # never touched since
    leads_rescore()
    scores = dict(Lead.objects.values_list("pk", "score"))
    assert scores == {head.pk: 60, small.pk: 30, stale.pk: 5, quiet.pk: -5}


def test_leads_rescore_ignores_inactive_rules(rules):
    ScoringRule.objects.filter(field="title").update(active=False)
    lead = LeadFactory(title="Head of Sales")
    leads_rescore()
    lead.refresh_from_db()
    assert lead.score == 0


def test_rules_met_by_lists_the_rules_behind_a_score(rules):
    lead = LeadFactory(title="Head of Sales", company_size=10, status="REPLIED")
    assert [rule.field for rule in rules_met_by(lead)] == ["title", "status"]


@pytest.mark.embedded
def test_leads_rescore_runs_the_same_queries_for_10_and_10000_leads(rules):
    bulk_leads(10, title="Head")
    with CaptureQueriesContext(connection) as small:
        leads_rescore()
    bulk_leads(9990, start=10, title="Intern", company_size=60)
    with CaptureQueriesContext(connection) as large:
        leads_rescore()
    assert len(small) == len(large) == 2
    assert Lead.objects.filter(score=20).count() == 10
    assert Lead.objects.filter(score=10).count() == 9990


def test_scoring_rule_added_in_lead_gen_recomputes_scores(operator_client):
    lead = LeadFactory(title="Head of Growth")
    response = operator_client.post("/leadgen/rules/add/", {
        "field": "title", "condition": "contains", "value": "head", "points": "25", "active": "on",
    })
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.score == 25


def test_scoring_rule_form_refuses_text_conditions_on_numbers(operator_client):
    response = operator_client.post("/leadgen/rules/add/", {
        "field": "company_size", "condition": "contains", "value": "big", "points": "5",
    })
    assert response.status_code == 200
    assert "Enter a whole number." in response.content.decode()
    assert ScoringRule.objects.count() == 0


def test_scoring_rule_form_normalises_legacy_status_values(operator_client):
    operator_client.post("/leadgen/rules/add/", {
        "field": "status", "condition": "equals", "value": "engaged", "points": "30", "active": "on",
    })
    assert ScoringRule.objects.get().value == "REPLIED"


def test_scoring_rule_edit_and_delete_recompute(operator_client):
    rule = ScoringRuleFactory(points=20)
    lead = LeadFactory(title="Head")
    operator_client.post(f"/leadgen/rules/{rule.pk}/", {
        "field": "title", "condition": "contains", "value": "Head", "points": "7", "active": "on",
    })
    lead.refresh_from_db()
    assert lead.score == 7
    operator_client.post(f"/leadgen/rules/{rule.pk}/delete/")
    lead.refresh_from_db()
    assert lead.score == 0


def test_scoring_rules_are_read_only_for_viewers(viewer_client):
    assert viewer_client.get("/leadgen/rules/").status_code == 200
    response = viewer_client.post("/leadgen/rules/add/", {
        "field": "title", "condition": "contains", "value": "x", "points": "1",
    })
    assert response.status_code == 403
    assert ScoringRule.objects.count() == 0


def test_a_malformed_rule_saved_behind_the_forms_back_matches_nobody():
    ScoringRule.objects.create(field="company_size", condition="gte", value="lots", points=50)
    ScoringRule.objects.create(field="title", condition="gte", value="5", points=50)
    ScoringRuleFactory(field="title", condition="contains", value="Head", points=20)
    lead = LeadFactory(title="Head", company_size=100)
    leads_rescore()
    lead.refresh_from_db()
    assert lead.score == 20
    assert [rule.points for rule in rules_met_by(lead)] == [20]
