"""Two more uses of the data stamps (campaigns.stamps), for the layout every page draws:

- "autonomy": any write to the autonomy policies, so the kill-switch banner is read from the cache
  (autonomy.policy.kill_switch_shown). Actions still read the switch fresh before they start.
- "auth" now watches every column of a user but last_login, not only the active and superuser
  flags: the session's user is cached under it (aicmo_site.permissions.CachedUserMiddleware), and
  a new password, name or staff flag must show on the next request. Signing in writes only
  last_login, so it still throws no one's cached permissions away.
"""

from importlib import import_module

from django.db import migrations

stamps = import_module("campaigns.migrations.0007_data_stamps")
STAMP_TABLE = stamps.STAMP_TABLE

NEW = [("autonomy", "autonomy_autonomypolicy", None, True)]
# auth_user's trigger in 0007 (two columns) and its replacement (every column but last_login).
OLD_USER = ("auth", "auth_user", stamps.SCOPES["auth"]["auth_user"][0], False)
NEW_USER = ("auth", "auth_user", ("password", "is_superuser", "username", "first_name",
                                  "last_name", "email", "is_staff", "is_active", "date_joined"),
            False)


def _create(schema_editor, scope, table, columns, insert):
    run = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        run(f"CREATE TRIGGER {table}_{scope}_stamp AFTER {stamps._pg_events(columns, insert)} "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION campaigns_stamp_bump('{scope}')")
    else:
        for statement in stamps._sqlite_triggers(scope, table, columns, insert):
            run(statement)


def _drop(schema_editor, scope, table, columns, insert):
    run = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        run(f"DROP TRIGGER IF EXISTS {table}_{scope}_stamp ON {table}")
    else:
        for statement in stamps._sqlite_triggers(scope, table, columns, insert):
            run(f"DROP TRIGGER IF EXISTS {statement.split()[2]}")


def _scope_row(schema_editor, scope, present: bool):
    if schema_editor.connection.vendor == "postgresql":
        return  # PostgreSQL's bump inserts the row it needs
    if present:
        schema_editor.execute(f"INSERT INTO {STAMP_TABLE} (scope, pid, n) VALUES ('{scope}', 0, 0)")
    else:
        schema_editor.execute(f"DELETE FROM {STAMP_TABLE} WHERE scope = '{scope}'")


def forwards(apps, schema_editor):
    for watched in NEW:
        _scope_row(schema_editor, watched[0], present=True)
        _create(schema_editor, *watched)
    _drop(schema_editor, *OLD_USER)
    _create(schema_editor, *NEW_USER)


def backwards(apps, schema_editor):
    _drop(schema_editor, *NEW_USER)
    _create(schema_editor, *OLD_USER)
    for watched in NEW:
        _drop(schema_editor, *watched)
        _scope_row(schema_editor, watched[0], present=False)


class Migration(migrations.Migration):

    dependencies = [
        ("campaigns", "0008_creative_queue_indexes"),
        ("autonomy", "0003_global_policy"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
