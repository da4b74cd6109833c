"""The data stamp of the Monitoring page's cache (campaigns.metrics.figures_stamp).

Triggers bump a counter on every write that can change what the page shows: snapshots,
a publication's status/platform/dates/url, the names and captions it prints (and the campaigns
and brands its filters list), and the leads the funnel counts. Triggers, not signals, so that COPY imports, bulk_create, queryset.update(),
admin edits and raw SQL all count.

PostgreSQL: one row per server process, bumped once per statement, so concurrent writers never
wait on one another; the stamp is SUM(n). The bump is part of the writing transaction, so a
reader sees the new stamp exactly when it can see the new data. SQLite (one writer at a time)
bumps a single row once per changed row.
"""

from django.db import migrations

STAMP_TABLE = "campaigns_figures_stamp"

# table: (columns whose UPDATE matters, or None for any UPDATE; whether INSERT matters)
WATCHED = {
    "campaigns_metricsnapshot": (None, True),
    "campaigns_publication": (
        ("status", "simulated", "platform", "published_at", "creative_id", "url"), True,
    ),
    "campaigns_creative": (("campaign_id", "caption"), False),
    "campaigns_campaign": (("name", "brand_id"), True),
    "campaigns_brand": (("name",), True),
    "leads_lead": (("status", "campaign_id", "creative_id"), True),
}

PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION campaigns_figures_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {STAMP_TABLE} (pid, n) VALUES (pg_backend_pid(), 1)
    ON CONFLICT (pid) DO UPDATE SET n = {STAMP_TABLE}.n + 1;
    RETURN NULL;
END
$$;
"""


def _pg_events(columns, insert) -> str:
    update = "UPDATE" if columns is None else "UPDATE OF " + ", ".join(columns)
    return " OR ".join((["INSERT"] if insert else []) + [update, "DELETE", "TRUNCATE"])


def _sqlite_triggers(table: str, columns, insert: bool) -> list[str]:
    events = (["INSERT"] if insert else []) + [
        "UPDATE" if columns is None else "UPDATE OF " + ", ".join(columns), "DELETE",
    ]
    return [
        f"CREATE TRIGGER {table}_figures_{event.split()[0].lower()} AFTER {event} ON {table} "
        f"BEGIN UPDATE {STAMP_TABLE} SET n = n + 1; END"
        for event in events
    ]


def create(apps, schema_editor):
    run = schema_editor.execute
    run(f"CREATE TABLE {STAMP_TABLE} (pid integer PRIMARY KEY, n bigint NOT NULL)")
    if schema_editor.connection.vendor == "postgresql":
        run(PG_FUNCTION)
        for table, (columns, insert) in WATCHED.items():
            run(f"CREATE TRIGGER {table}_figures AFTER {_pg_events(columns, insert)} ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION campaigns_figures_bump()")
    else:
        run(f"INSERT INTO {STAMP_TABLE} (pid, n) VALUES (0, 0)")
        for table, (columns, insert) in WATCHED.items():
            for statement in _sqlite_triggers(table, columns, insert):
                run(statement)


def drop(apps, schema_editor):
    run = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        for table in WATCHED:
            run(f"DROP TRIGGER IF EXISTS {table}_figures ON {table}")
        run("DROP FUNCTION IF EXISTS campaigns_figures_bump()")
    else:
        for table, (columns, insert) in WATCHED.items():
            for statement in _sqlite_triggers(table, columns, insert):
                run(f"DROP TRIGGER IF EXISTS {statement.split()[2]}")
    run(f"DROP TABLE {STAMP_TABLE}")


class Migration(migrations.Migration):

    dependencies = [
        ("campaigns", "0006_creative_sched_cover"),
        ("leads", "0006_lead_rank_index"),
    ]

    operations = [migrations.RunPython(create, drop)]
