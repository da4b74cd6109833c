"""The overview's counts, read in one query (PostgreSQL and the embedded SQLite)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aicmo_site.selectors import overview_for
from campaigns.models import CreativeStatus
from campaigns.tests.factories import CreativeFactory, PublicationFactory
from leads.statuses import LeadStatus
from leads.tests.factories import LeadFactory


def _today_at(hour: int):
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return start + timedelta(hours=hour)


@pytest.mark.embedded
def test_overview_counts_what_needs_the_operator_in_one_query(operator):
    CreativeFactory.create_batch(2, status=CreativeStatus.PENDING)
    due = CreativeFactory(status=CreativeStatus.APPROVED, scheduled_at=_today_at(12))
    published = CreativeFactory(status=CreativeStatus.APPROVED, scheduled_at=_today_at(13))
    PublicationFactory(creative=published)
    CreativeFactory(status=CreativeStatus.APPROVED, scheduled_at=_today_at(12) + timedelta(days=1))
    LeadFactory.create_batch(3, status=LeadStatus.NEW)
    LeadFactory(status=LeadStatus.WON)
    operator.has_perm("leads.view_lead")  # permissions are loaded once per user, not counted here
    with CaptureQueriesContext(connection) as queries:
        counts = overview_for(operator)
    assert counts == {"awaiting_review": 2, "due_today": 1, "new_leads": 3}
    assert due.scheduled_at.date() == timezone.localtime().date()
    assert len(queries) == 1


def test_overview_counts_nothing_a_user_without_a_role_may_not_see(outsider):
    outsider.has_perm("leads.view_lead")
    with CaptureQueriesContext(connection) as queries:
        counts = overview_for(outsider)
    assert counts == {"awaiting_review": None, "due_today": None, "new_leads": None}
    assert len(queries) == 0
