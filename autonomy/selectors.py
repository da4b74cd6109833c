"""Reads for the Autonomy page: the policies, the worker's suggestions and actions, and the kill
switch's history, each with only the columns the page shows."""

from __future__ import annotations

from django.db.models import QuerySet

from autonomy.models import ActionStatus, AgentAction, AutonomyPolicy, KillSwitchEvent
from autonomy.policy import global_policy
from campaigns.models import Brand


def policies() -> tuple[AutonomyPolicy, list[AutonomyPolicy]]:
    """The global policy and the brands' overrides (by brand name), read in one query."""
    rows = list(AutonomyPolicy.objects.select_related("brand", "kill_switch_changed_by"))
    overall = next((row for row in rows if row.brand_id is None), None) or global_policy()
    overrides = sorted((row for row in rows if row.brand_id is not None),
                       key=lambda row: row.brand.name)
    return overall, overrides


def brands_without_policy() -> QuerySet:
    """(pk, name) of the brands that follow the global policy, for the 'Add override' select;
    lazy, as only Approvers see that select."""
    return Brand.objects.filter(autonomy_policy__isnull=True).values_list("pk", "name")


def open_suggestions(limit: int = 50) -> QuerySet[AgentAction]:
    return AgentAction.objects.filter(status=ActionStatus.PROPOSED).only(
        "inputs", "created_at"
    )[:limit]


def recent_actions(limit: int = 30) -> QuerySet[AgentAction]:
    """What the worker did or proposed, and what became of it, newest first."""
    return AgentAction.objects.exclude(status=ActionStatus.PROPOSED).only(
        "kind", "status", "level", "inputs", "outcome", "target_url", "created_at"
    )[:limit]


def recent_kill_events(limit: int = 5) -> QuerySet[KillSwitchEvent]:
    return KillSwitchEvent.objects.select_related("user").only(
        "turned_on", "reason", "created_at", "user__username"
    )[:limit]
