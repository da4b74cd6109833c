"""The "execution" data stamp: Execution's waiting posts, cached per selection by
campaigns.publishing.selectors.waiting_posts (their ids and times in queue order, the posting
sessions, the campaign and brand names).

Bumped by every write that can change which posts wait, their order, their sessions or the
names printed for them:

- a creative's INSERT, DELETE, or UPDATE of its status, time, platform, campaign or
  publication_done;
- a publication's INSERT, DELETE, or UPDATE of its status or creative (what publication_done is
  kept from, by the triggers of 0010);
- a campaign's INSERT, DELETE, or UPDATE of its name, brand or completion (a completed
  campaign's posts leave the queue);
- a brand's INSERT, DELETE, or UPDATE of its name.

The triggers are those of campaigns 0007 (one per table, statement-level on PostgreSQL).
"""

import importlib

from django.db import migrations

stamps = importlib.import_module("campaigns.migrations.0007_data_stamps")

SCOPE = "execution"
TABLES = {
    "campaigns_creative": (
        ("status", "scheduled_at", "platform", "campaign_id", "publication_done"), True,
    ),
    "campaigns_publication": (("status", "creative_id"), True),
    "campaigns_campaign": (("name", "brand_id", "completed_at"), True),
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
        ("campaigns", "0013_campaigns_list_index"),
    ]

    operations = [migrations.RunPython(create, drop)]
