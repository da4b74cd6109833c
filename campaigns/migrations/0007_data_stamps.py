"""The data stamps of the pages' caches (campaigns.stamps.data_stamp), one per named scope.

Triggers bump a scope's counter on every write that can change what its cached result shows,
and only those, so a write to leads does not throw away the calendar:

- "figures" (the Monitoring page): snapshots, a publication's status/platform/dates/url, the
  names and captions it prints (and the campaigns and brands its filters list), and the leads
  the funnel counts.
- "calendar" (the Strategy page's content calendar): a creative's time, status, platform,
  campaign and caption; a campaign's name, brand, dates, cadence, platforms and completion; a
  brand's name.
- "leads" (the Lead Gen list's counts): a lead's columns the filters read.
- "auth" (every user's permissions, cached by aicmo_site.permissions): group memberships, user
  and group permissions, a permission's name, a user's active and superuser flags.

Triggers, not signals, so that COPY imports, bulk_create, queryset.update(), admin edits and raw
SQL all count. An UPDATE OF trigger fires when the statement's SET names the column, whether or
not the value changes: a save() of the whole row bumps every scope watching the table.

PostgreSQL: one row per (scope, server process), bumped once per statement, so concurrent
writers never wait on one another; a scope's stamp is SUM(n) over its rows. The trigger function
takes the scope as its argument (one trigger per table and scope). The bump is part of the
writing transaction, so a reader sees the new stamp exactly when it can see the new data.
SQLite (one writer at a time) keeps one row per scope, bumped once per changed row.
"""

from django.db import migrations

STAMP_TABLE = "campaigns_data_stamp"

# scope: {table: (columns whose UPDATE matters, or None for any UPDATE; whether INSERT matters)}
SCOPES = {
    "figures": {
        "campaigns_metricsnapshot": (None, True),
        "campaigns_publication": (
            ("status", "simulated", "platform", "published_at", "creative_id", "url"), True,
        ),
        "campaigns_creative": (("campaign_id", "caption"), False),
        "campaigns_campaign": (("name", "brand_id"), True),
        "campaigns_brand": (("name",), True),
        "leads_lead": (("status", "campaign_id", "creative_id"), True),
    },
    # What campaigns.planning.calendar_view reads and the strategy_calendar tags print.
    "calendar": {
        "campaigns_creative": (
            ("scheduled_at", "status", "platform", "campaign_id", "caption"), True,
        ),
        "campaigns_campaign": (
            ("name", "brand_id", "start_date", "end_date", "cadence", "platforms",
             "completed_at"), True,
        ),
        "campaigns_brand": (("name",), True),
    },
    # What leads.selectors.lead_list_for filters on (the Lead Gen list's cached counts).
    "leads": {
        "leads_lead": (
            ("status", "score", "source", "owner_id", "campaign_id", "name", "email", "company",
             "title"), True,
        ),
    },
    # What django.contrib.auth's ModelBackend reads to answer has_perm (aicmo_site.permissions).
    "auth": {
        "auth_user": (("is_active", "is_superuser"), False),
        "auth_user_groups": (None, True),
        "auth_user_user_permissions": (None, True),
        "auth_group_permissions": (None, True),
        "auth_permission": (("codename", "content_type_id"), False),
        "django_content_type": (("app_label",), False),
    },
}

PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION campaigns_stamp_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {STAMP_TABLE} (scope, pid, n) VALUES (TG_ARGV[0], pg_backend_pid(), 1)
    ON CONFLICT (scope, pid) DO UPDATE SET n = {STAMP_TABLE}.n + 1;
    RETURN NULL;
END
$$;
"""


def _pg_events(columns, insert) -> str:
    update = "UPDATE" if columns is None else "UPDATE OF " + ", ".join(columns)
    return " OR ".join((["INSERT"] if insert else []) + [update, "DELETE", "TRUNCATE"])


def _sqlite_triggers(scope: str, table: str, columns, insert: bool) -> list[str]:
    events = (["INSERT"] if insert else []) + [
        "UPDATE" if columns is None else "UPDATE OF " + ", ".join(columns), "DELETE",
    ]
    return [
        f"CREATE TRIGGER {table}_{scope}_{event.split()[0].lower()} AFTER {event} ON {table} "
        f"BEGIN UPDATE {STAMP_TABLE} SET n = n + 1 WHERE scope = '{scope}'; END"
        for event in events
    ]


def create_trigger(schema_editor, scope: str, table: str, columns, insert: bool) -> None:
    """The trigger(s) that bump `scope` on `table`'s writes (columns: those whose UPDATE
    matters, or None for any UPDATE; insert: whether INSERT matters)."""
    run = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        run(f"CREATE TRIGGER {table}_{scope}_stamp AFTER {_pg_events(columns, insert)} "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION campaigns_stamp_bump('{scope}')")
    else:
        for statement in _sqlite_triggers(scope, table, columns, insert):
            run(statement)


def drop_trigger(schema_editor, scope: str, table: str, columns, insert: bool) -> None:
    run = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        run(f"DROP TRIGGER IF EXISTS {table}_{scope}_stamp ON {table}")
    else:
        for statement in _sqlite_triggers(scope, table, columns, insert):
            run(f"DROP TRIGGER IF EXISTS {statement.split()[2]}")


def add_scopes(schema_editor, scopes: dict) -> None:
    """Every trigger of `scopes` (shaped like SCOPES) and, on SQLite, each scope's one counter
    row (PostgreSQL's bump inserts the rows it needs). Later migrations add their scopes so."""
    if schema_editor.connection.vendor != "postgresql":
        for scope in scopes:
            schema_editor.execute(
                f"INSERT INTO {STAMP_TABLE} (scope, pid, n) VALUES ('{scope}', 0, 0)"
            )
    for scope, tables in scopes.items():
        for table, (columns, insert) in tables.items():
            create_trigger(schema_editor, scope, table, columns, insert)


def remove_scopes(schema_editor, scopes: dict) -> None:
    for scope, tables in scopes.items():
        for table, (columns, insert) in tables.items():
            drop_trigger(schema_editor, scope, table, columns, insert)
        schema_editor.execute(f"DELETE FROM {STAMP_TABLE} WHERE scope = '{scope}'")


def restore_sqlite_triggers(schema_editor, table: str) -> None:
    """SQLite drops a table's triggers when Django rebuilds the table (adding a NOT NULL column,
    altering one): a migration that does so calls this to create this migration's again."""
    if schema_editor.connection.vendor != "sqlite":
        return
    for scope, tables in SCOPES.items():
        if table in tables:
            columns, insert = tables[table]
            drop_trigger(schema_editor, scope, table, columns, insert)
            create_trigger(schema_editor, scope, table, columns, insert)


def create(apps, schema_editor):
    run = schema_editor.execute
    run(f"CREATE TABLE {STAMP_TABLE} (scope varchar(32) NOT NULL, pid integer NOT NULL, "
        f"n bigint NOT NULL, PRIMARY KEY (scope, pid))")
    if schema_editor.connection.vendor == "postgresql":
        run(PG_FUNCTION)
    add_scopes(schema_editor, SCOPES)


def drop(apps, schema_editor):
    remove_scopes(schema_editor, SCOPES)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS campaigns_stamp_bump()")
    schema_editor.execute(f"DROP TABLE {STAMP_TABLE}")


class Migration(migrations.Migration):

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("campaigns", "0006_creative_sched_cover"),
        ("leads", "0006_lead_rank_index"),
    ]

    operations = [migrations.RunPython(create, drop)]
