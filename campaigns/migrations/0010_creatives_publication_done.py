"""Creative.publication_done: whether the creative's publication is published or skipped, kept
by the database so Execution reads its waiting posts (approved, not done) from a partial index.

Before, every Execution page anti-joined all approved posts (20,900 at scale 1) with the done
publications (20,000) twice, for its counts and for its page of rows, to find the ~900 still
waiting. The flag turns that into a read of the creative_waiting index.

Triggers, not services or signals, so that bulk_create, queryset.update(), admin edits, fixtures
and raw SQL all keep it right:

- a publication's INSERT, DELETE, or UPDATE of its status or creative: the creatives it names
  (old and new) get the flag recomputed (PostgreSQL: also TRUNCATE, which clears every flag);
- a creative's INSERT, or an UPDATE that names publication_done (Django's save() of the whole
  row, holding a value read before a publication changed): the flag is recomputed from
  campaigns_publication, so a stale value written back never sticks.

"Done" is campaigns.publishing.selectors.DONE: published or skipped.

SQLite adds a NOT NULL column by rebuilding the table, which drops the table's triggers: the
data-stamp triggers of campaigns 0007 on campaigns_creative are created again after the rebuild
(both ways).
"""

import importlib

from django.db import migrations, models

stamps = importlib.import_module("campaigns.migrations.0007_data_stamps")

DONE_SQL = "('published', 'skipped')"


def _done(creative: str) -> str:
    """SQL: whether the creative with id `creative` has a published or skipped publication."""
    return (f"EXISTS (SELECT 1 FROM campaigns_publication AS done WHERE "
            f"done.creative_id = {creative} AND done.status IN {DONE_SQL})")


PG_CREATE = [
    f"""
    CREATE FUNCTION campaigns_creative_publication_done() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.publication_done := {_done("NEW.id")};
        RETURN NEW;
    END
    $$
    """,
    "CREATE TRIGGER campaigns_creative_publication_done BEFORE INSERT OR UPDATE OF "
    "publication_done ON campaigns_creative FOR EACH ROW "
    "EXECUTE FUNCTION campaigns_creative_publication_done()",
    # Flipping a flag that differs from the truth sets it to the truth; the UPDATE names
    # publication_done, so the creative's trigger above recomputes it all the same.
    f"""
    CREATE FUNCTION campaigns_publication_done_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE' THEN
            UPDATE campaigns_creative SET publication_done = false WHERE publication_done;
            RETURN NULL;
        END IF;
        UPDATE campaigns_creative AS c SET publication_done = NOT c.publication_done
        WHERE c.id IN (OLD.creative_id, NEW.creative_id)
          AND c.publication_done <> {_done("c.id")};
        RETURN NULL;
    END
    $$
    """,
    "CREATE TRIGGER campaigns_publication_done_sync AFTER INSERT OR DELETE OR UPDATE OF "
    "status, creative_id ON campaigns_publication FOR EACH ROW "
    "EXECUTE FUNCTION campaigns_publication_done_sync()",
    "CREATE TRIGGER campaigns_publication_done_truncate AFTER TRUNCATE ON campaigns_publication "
    "FOR EACH STATEMENT EXECUTE FUNCTION campaigns_publication_done_sync()",
]

PG_DROP = [
    "DROP TRIGGER IF EXISTS campaigns_publication_done_truncate ON campaigns_publication",
    "DROP TRIGGER IF EXISTS campaigns_publication_done_sync ON campaigns_publication",
    "DROP FUNCTION IF EXISTS campaigns_publication_done_sync()",
    "DROP TRIGGER IF EXISTS campaigns_creative_publication_done ON campaigns_creative",
    "DROP FUNCTION IF EXISTS campaigns_creative_publication_done()",
]


def _sqlite_sync(creatives: str) -> str:
    return (f"UPDATE campaigns_creative SET publication_done = {_done('campaigns_creative.id')} "
            f"WHERE id IN ({creatives}) "
            f"AND publication_done IS NOT {_done('campaigns_creative.id')};")


# SQLite's triggers run AFTER the write and cannot set NEW: they correct the row instead (a
# trigger's own UPDATE does not fire it again: recursive triggers are off by default).
SQLITE_TRIGGERS = {
    "campaigns_creative_done_insert":
        f"AFTER INSERT ON campaigns_creative BEGIN {_sqlite_sync('NEW.id')} END",
    "campaigns_creative_done_update":
        f"AFTER UPDATE OF publication_done ON campaigns_creative BEGIN {_sqlite_sync('NEW.id')} END",
    "campaigns_publication_done_insert":
        f"AFTER INSERT ON campaigns_publication BEGIN {_sqlite_sync('NEW.creative_id')} END",
    "campaigns_publication_done_update":
        "AFTER UPDATE OF status, creative_id ON campaigns_publication "
        f"BEGIN {_sqlite_sync('OLD.creative_id, NEW.creative_id')} END",
    "campaigns_publication_done_delete":
        f"AFTER DELETE ON campaigns_publication BEGIN {_sqlite_sync('OLD.creative_id')} END",
}


def _restore_stamp_triggers(schema_editor) -> None:
    stamps.restore_sqlite_triggers(schema_editor, "campaigns_creative")


def restore_after_removal(apps, schema_editor):
    _restore_stamp_triggers(schema_editor)


def create(apps, schema_editor):
    run = schema_editor.execute
    _restore_stamp_triggers(schema_editor)
    run(f"UPDATE campaigns_creative SET publication_done = true WHERE {_done('campaigns_creative.id')}")
    if schema_editor.connection.vendor == "postgresql":
        for statement in PG_CREATE:
            run(statement)
    else:
        for name, body in SQLITE_TRIGGERS.items():
            run(f"CREATE TRIGGER {name} {body}")


def drop(apps, schema_editor):
    run = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        for statement in PG_DROP:
            run(statement)
    else:
        for name in SQLITE_TRIGGERS:
            run(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ("campaigns", "0009_layout_stamps"),
    ]

    operations = [
        # Backwards, after RemoveField has rebuilt the table again.
        migrations.RunPython(migrations.RunPython.noop, restore_after_removal),
        migrations.AddField(
            model_name="creative",
            name="publication_done",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(create, drop),
        migrations.AddIndex(
            model_name="creative",
            index=models.Index(
                condition=models.Q(("publication_done", False), ("status", "approved")),
                fields=["scheduled_at", "id"], include=("campaign", "platform"),
                name="creative_waiting",
            ),
        ),
    ]
