"""The Autonomy page's reads stay cheap as the action log grows."""

from __future__ import annotations

import pytest
from django.db import connection

from autonomy.models import ActionStatus, AgentAction
from autonomy.selectors import _ACTIONS, worker_actions


def _log_actions(count: int) -> None:
    """`count` actions a minute apart, every 50th still a suggestion, written in one statement."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {AgentAction._meta.db_table} (kind, status, level, inputs, outcome,"  # noqa: S608 - the table name from the model
            " target_key, target_url, created_at, updated_at)"
            " SELECT 'post_creative', CASE WHEN g %% 50 = 0 THEN %s ELSE %s END, 'auto', '{}', '',"
            " 'creative:' || g, '', now() - g * interval '1 minute', now()"
            " FROM generate_series(1, %s) AS g",
            [ActionStatus.PROPOSED, ActionStatus.DONE, count],
        )
        cursor.execute(f"ANALYZE {AgentAction._meta.db_table}")


@pytest.mark.django_db
def test_last_actions_are_the_newest_of_every_status_but_proposed():
    _log_actions(200)
    suggestions, recent = worker_actions(suggestions=5, recent=30)
    newest = list(AgentAction.objects.exclude(status=ActionStatus.PROPOSED)
                  .order_by("-created_at").values_list("pk", flat=True)[:30])
    assert [action.pk for action in recent] == newest
    assert len(suggestions) == 4 and all(a.status == ActionStatus.PROPOSED for a in suggestions)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's plan")
@pytest.mark.django_db
def test_last_actions_walk_the_log_newest_first_instead_of_sorting_it():
    _log_actions(20_000)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + _ACTIONS, [ActionStatus.PROPOSED, 50, ActionStatus.PROPOSED, 30])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "action_recent" in plan
    assert "Seq Scan" not in plan
