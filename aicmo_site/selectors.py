"""What the overview shows: the things that need the operator now."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.utils import timezone

from campaigns.models import Creative, CreativeStatus, Publication
from leads.models import Lead
from leads.statuses import LeadStatus

CREATIVES, PUBLICATIONS, LEADS = (
    Creative._meta.db_table, Publication._meta.db_table, Lead._meta.db_table
)
AWAITING_REVIEW = f"SELECT COUNT(*) FROM {CREATIVES} WHERE status = %s"  # noqa: S608 - table names from the models
# NOT EXISTS, not the ORM's LEFT JOIN ... IS NULL: PostgreSQL answers the join by hashing every
# publication (5 ms at 20,000), the anti-join by one index probe per post due today.
DUE_TODAY = (
    f"SELECT COUNT(*) FROM {CREATIVES} c WHERE c.status = %s"  # noqa: S608 - names from the models, values as parameters
    f" AND c.scheduled_at >= %s AND c.scheduled_at < %s"
    f" AND NOT EXISTS (SELECT 1 FROM {PUBLICATIONS} p WHERE p.creative_id = c.id)"
)
NEW_LEADS = f"SELECT COUNT(*) FROM {LEADS} WHERE status = %s"  # noqa: S608 - table name from the model


def overview_for(user) -> dict:
    """The counts the user may see (None for the others), read in one query: the overview is
    the landing page, and three ORM counts cost more to build than to answer."""
    now = timezone.localtime()
    start_of_day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    end_of_day = start_of_day + timedelta(days=1)
    adapt = connection.ops.adapt_datetimefield_value
    wanted: dict[str, tuple[str, list]] = {}
    if user.has_perm("campaigns.view_creative"):
        wanted["awaiting_review"] = (AWAITING_REVIEW, [CreativeStatus.PENDING.value])
        wanted["due_today"] = (
            DUE_TODAY, [CreativeStatus.APPROVED.value, adapt(start_of_day), adapt(end_of_day)]
        )
    if user.has_perm("leads.view_lead"):
        wanted["new_leads"] = (NEW_LEADS, [LeadStatus.NEW.value])
    counts: dict[str, int | None] = {"awaiting_review": None, "due_today": None, "new_leads": None}
    if wanted:
        sql = "SELECT " + ", ".join(f"({query})" for query, _ in wanted.values())
        params = [param for _, query_params in wanted.values() for param in query_params]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            counts.update(zip(wanted, cursor.fetchone(), strict=True))
    return counts
