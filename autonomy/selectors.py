"""Reads for the Autonomy page: the policies, the worker's suggestions and actions, and the kill
switch's history. Most go through raw(): the page's own queries, each built by the ORM from
scratch per request, were most of its time; raw() still converts the columns as the ORM would."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from autonomy.models import ActionStatus, AgentAction, AutonomyPolicy, KillSwitchEvent
from autonomy.policy import global_policy
from campaigns.models import Brand

_POLICIES = (
    "SELECT p.*, b.name AS brand_name, u.username AS changed_by_username"  # noqa: S608 - table names from the models
    f" FROM {AutonomyPolicy._meta.db_table} p"
    f" LEFT JOIN {Brand._meta.db_table} b ON b.id = p.brand_id"
    f" LEFT JOIN {get_user_model()._meta.db_table} u ON u.id = p.kill_switch_changed_by_id"
)


def policies() -> tuple[AutonomyPolicy, list[AutonomyPolicy]]:
    """The global policy and the brands' overrides (by brand name), read in one statement
    through raw(): each with `brand_name` and `changed_by_username` (who last turned its kill
    switch), the names the page prints."""
    rows = list(AutonomyPolicy.objects.raw(_POLICIES))
    overall = next((row for row in rows if row.brand_id is None), None) or global_policy()
    overrides = sorted((row for row in rows if row.brand_id is not None),
                       key=lambda row: row.brand_name)
    return overall, overrides


def brands_without_policy() -> QuerySet:
    """(pk, name) of the brands that follow the global policy, for the 'Add override' select;
    lazy, as only Approvers see that select."""
    return Brand.objects.filter(autonomy_policy__isnull=True).values_list("pk", "name")


# Both lists in one statement (the page's own queries were most of its time), through raw() so
# that the JSON inputs and the timestamps convert as the ORM's would. Each half is a subquery
# for SQLite, which takes no ORDER BY or LIMIT on the members of a UNION.
_ACTIONS = (  # noqa: S608 - the table name from the model, values as parameters
    "SELECT * FROM (SELECT {columns} FROM {table} WHERE status = %s"
    " ORDER BY created_at DESC LIMIT %s) AS suggestions"
    " UNION ALL SELECT * FROM (SELECT {columns} FROM {table} WHERE status <> %s"
    " ORDER BY created_at DESC LIMIT %s) AS recent"
).format(
    columns="id, kind, status, level, inputs, outcome, target_url, created_at",
    table=AgentAction._meta.db_table,
)


def worker_actions(suggestions: int = 50, recent: int = 30):
    """(open suggestions, the last actions taken or decided), each newest first."""
    proposed = ActionStatus.PROPOSED
    rows = sorted(AgentAction.objects.raw(_ACTIONS, [proposed, suggestions, proposed, recent]),
                  key=lambda action: action.created_at, reverse=True)
    return ([action for action in rows if action.status == proposed],
            [action for action in rows if action.status != proposed])


_KILL_EVENTS = (
    "SELECT e.id, e.turned_on, e.reason, e.created_at, u.username"  # noqa: S608 - table names from the models, values as parameters
    f" FROM {KillSwitchEvent._meta.db_table} e"
    f" LEFT JOIN {get_user_model()._meta.db_table} u ON u.id = e.user_id"
    " ORDER BY e.created_at DESC LIMIT %s"
)


def recent_kill_events(limit: int = 5) -> list[KillSwitchEvent]:
    """The switch's last turns, newest first, each with `username` (None once the user is
    gone): one small statement through raw(), as for worker_actions."""
    return list(KillSwitchEvent.objects.raw(_KILL_EVENTS, [limit]))
