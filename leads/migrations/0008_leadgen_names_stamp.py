"""The "leadgen_names" data stamp (campaigns.stamps.LEADGEN_NAMES): the names the Lead Gen list
shows and offers, cached under it by leads.selectors.leadgen_names.

- campaigns: each one's name, newest first (the Campaign filter; a row's campaign);
- users: each one's username (a row's owner);
- the Operators: active members of the Operator group, by username (the Owner filter and the
  bulk bar's owner list).

Triggers as in campaigns 0007 (reusing its helpers), on exactly the writes that change those.
"""

import importlib

from django.db import migrations

stamps = importlib.import_module("campaigns.migrations.0007_data_stamps")

SCOPE = "leadgen_names"
# table: (columns whose UPDATE matters, or None for any UPDATE; whether INSERT matters)
TABLES = {
    "campaigns_campaign": (("name", "created_at"), True),
    "auth_user": (("username", "is_active"), True),
    "auth_user_groups": (None, True),
    "auth_group": (("name",), False),
}


def create(apps, schema_editor):
    run = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        run(stamps.PG_FUNCTION)  # CREATE OR REPLACE: the same function as 0007's
        for table, (columns, insert) in TABLES.items():
            run(f"CREATE TRIGGER {table}_{SCOPE}_stamp AFTER {stamps._pg_events(columns, insert)} "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION campaigns_stamp_bump('{SCOPE}')")
    else:
        run(f"INSERT INTO {stamps.STAMP_TABLE} (scope, pid, n) VALUES ('{SCOPE}', 0, 0)")
        for table, (columns, insert) in TABLES.items():
            for statement in stamps._sqlite_triggers(SCOPE, table, columns, insert):
                run(statement)


def drop(apps, schema_editor):
    run = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            run(f"DROP TRIGGER IF EXISTS {table}_{SCOPE}_stamp ON {table}")
    else:
        for table, (columns, insert) in TABLES.items():
            for statement in stamps._sqlite_triggers(SCOPE, table, columns, insert):
                run(f"DROP TRIGGER IF EXISTS {statement.split()[2]}")
    run(f"DELETE FROM {stamps.STAMP_TABLE} WHERE scope = '{SCOPE}'")


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0007_leadgen_search_text_list_index"),
        ("campaigns", "0007_data_stamps"),
    ]

    operations = [migrations.RunPython(create, drop)]
