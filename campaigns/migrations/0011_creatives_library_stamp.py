"""The "library" data stamp: the creative library's cached counts and the campaign and brand
filter options (the library's and Execution's), cached by campaigns.library.

Bumped by every write that can change how many creatives a library filter set matches, or the
options' labels and order:

- a creative's INSERT, DELETE, or UPDATE of what the filters and the search read (campaign,
  platform, status, time, caption, hashtags, pillar, call to action);
- a campaign's INSERT, DELETE, or UPDATE of its name or brand (the campaign options, the brand
  filter, the search over names);
- a brand's INSERT, DELETE, or UPDATE of its name.

The triggers are those of campaigns 0007 (one per table, statement-level on PostgreSQL).
"""

import importlib

from django.db import migrations

stamps = importlib.import_module("campaigns.migrations.0007_data_stamps")

SCOPE = "library"
TABLES = {
    "campaigns_creative": (
        ("campaign_id", "platform", "status", "scheduled_at", "caption", "hashtags", "pillar",
         "call_to_action"), True,
    ),
    "campaigns_campaign": (("name", "brand_id"), True),
    "campaigns_brand": (("name",), True),
}


def create(apps, schema_editor):
    run = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
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
        ("campaigns", "0010_creatives_publication_done"),
    ]

    operations = [migrations.RunPython(create, drop)]
