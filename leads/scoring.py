"""Lead scores, computed by the database from the active ScoringRules.

A score is the sum of the points of every active rule a lead meets. Each rule becomes a
`Q` condition; the sum becomes one `Case`/`When` expression per rule, and one UPDATE writes
every score. Nothing loops over leads in Python.

Text conditions ignore case ("Head" matches "head of sales"). "Days without activity" counts
from the last activity, or from the lead's creation when it has none.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Case, DateTimeField, F, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.utils import timezone

from leads.models import Lead, ScoringCondition, ScoringField, ScoringRule


def rule_condition(rule: ScoringRule, now: datetime):
    """The rule as a boolean SQL condition (a Q or a lookup expression) on Lead."""
    field, condition, value = rule.field, rule.condition, rule.value.strip()
    numeric = field in (ScoringField.INACTIVE_DAYS, ScoringField.COMPANY_SIZE)
    text_compared = not numeric and condition in (ScoringCondition.AT_LEAST,
                                                  ScoringCondition.AT_MOST)
    if text_compared or (numeric and not value.lstrip("-").isdigit()):
        return Q(pk__in=[])  # a malformed rule (ScoringRule.clean refuses them) matches nobody
    if field == ScoringField.INACTIVE_DAYS:
        cutoff = Value(now - timedelta(days=int(value)), output_field=DateTimeField())
        since = Coalesce(F("last_activity_at"), F("created_at"))
        # At least N days without activity: the last one is at or before the cutoff.
        if condition == ScoringCondition.AT_LEAST:
            return LessThanOrEqual(since, cutoff)
        return GreaterThanOrEqual(since, cutoff)
    if condition == ScoringCondition.CONTAINS:
        return Q(**{f"{field}__icontains": value})
    if condition == ScoringCondition.EQUALS:
        if field == ScoringField.COMPANY_SIZE:
            return Q(company_size=int(value))
        return Q(**{f"{field}__iexact": value})
    return Q(**{f"{field}__{condition}": int(value)})


def active_rules() -> list[ScoringRule]:
    return list(ScoringRule.objects.filter(active=True).order_by("pk"))


def score_expression(rules: list[ScoringRule], now: datetime):
    """The score as one SQL expression: the sum of one CASE per rule."""
    total = Value(0)
    for rule in rules:
        total = total + Case(
            When(rule_condition(rule, now), then=Value(rule.points)),
            default=Value(0),
            output_field=IntegerField(),
        )
    return total


def leads_rescore(lead_ids: list[int] | None = None, *, updated_since: datetime | None = None) -> int:
    """Recomputes the scores of every lead (or of `lead_ids`, or of the leads written at or
    after `updated_since`, e.g. by an import) in one UPDATE; returns the rows whose score
    changed.

    Two queries whatever the number of leads: the rules, then the UPDATE.
    """
    expression = score_expression(active_rules(), timezone.now())
    # Rows whose score stays the same are not rewritten (cheap when nothing changed).
    queryset = Lead.objects.exclude(score=expression)
    if lead_ids is not None:
        queryset = queryset.filter(pk__in=lead_ids)
    if updated_since is not None:
        queryset = queryset.filter(updated_at__gte=updated_since)
    return queryset.update(score=expression)


def rules_met_by(lead: Lead) -> list[ScoringRule]:
    """The active rules this lead meets, checked by the database in one query."""
    rules = active_rules()
    if not rules:
        return []
    now = timezone.now()
    flags = {
        f"rule_{rule.pk}": Case(
            When(rule_condition(rule, now), then=Value(True)), default=Value(False)
        )
        for rule in rules
    }
    row = Lead.objects.filter(pk=lead.pk).values(**flags).first() or {}
    return [rule for rule in rules if row.get(f"rule_{rule.pk}")]
