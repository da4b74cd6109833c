"""Demo scoring rules and a lead taker for `seed_demo` (idempotent)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import User

from leads.models import LeadTaker, ScoringRule
from leads.scoring import leads_rescore

DEMO_RULES = (
    ("title", "contains", "Head", 20),
    ("company_size", "gte", "50", 10),
    ("status", "equals", "REPLIED", 30),
    ("inactive_days", "gte", "30", -15),
)


def seed_lead_scoring(log: Callable[[str], None]) -> None:
    for field, condition, value, points in DEMO_RULES:
        ScoringRule.objects.get_or_create(
            field=field, condition=condition, value=value, defaults={"points": points}
        )
    operator = User.objects.filter(username="operator").first()
    if operator is not None:
        LeadTaker.objects.get_or_create(user=operator)
    leads_rescore()
