"""Canonical statuses: every way a status comes in is normalised, never refused."""

from __future__ import annotations

import pytest

from leads.services import lead_change_status, lead_upsert
from leads.statuses import normalise_status
from leads.tests.factories import LeadFactory


@pytest.mark.embedded
@pytest.mark.parametrize(
    ("incoming", "canonical", "known"),
    [
        ("NEW", "NEW", True),
        ("new", "NEW", True),
        ("  Contacted  ", "CONTACTED", True),
        ("enriched", "ENRICHED", True),
        ("REPLIED", "REPLIED", True),
        ("ENGAGED", "REPLIED", True),
        ("engaged", "REPLIED", True),
        (" Responded ", "REPLIED", True),
        ("qualified", "QUALIFIED", True),
        ("Routed", "ROUTED", True),
        ("won", "WON", True),
        ("LOST", "LOST", True),
        ("manual review", "MANUAL_REVIEW", True),
        ("manual-review", "MANUAL_REVIEW", True),
        ("", "NEW", True),
        (None, "NEW", True),
        ("   ", "NEW", True),
        ("Hot prospect", "MANUAL_REVIEW", False),
        ("42", "MANUAL_REVIEW", False),
    ],
)
def test_normalise_status_table(incoming, canonical, known):
    assert normalise_status(incoming) == (canonical, known)


@pytest.mark.django_db
def test_lead_upsert_keeps_an_unknown_status_in_the_notes():
    lead, created = lead_upsert(email="x@ex.com", values={}, source="manual", status="Warmish")
    assert created
    assert lead.status == "MANUAL_REVIEW"
    assert "Status “Warmish” was not recognised" in lead.notes


@pytest.mark.django_db
def test_lead_change_status_normalises_legacy_names(operator):
    lead = LeadFactory(status="CONTACTED")
    lead_change_status(lead=lead, status=" engaged", actor=operator)
    lead.refresh_from_db()
    assert lead.status == "REPLIED"
    activity = lead.activities.get(kind="status")
    assert (activity.from_status, activity.to_status, activity.actor) == ("CONTACTED", "REPLIED", operator)
