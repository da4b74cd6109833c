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
NEW = {"autonomy": {"autonomy_autonomypolicy": (None, True)}}
# auth_user's trigger in 0007 (two columns) and its replacement (every column but last_login).
OLD_USER = ("auth", "auth_user", stamps.SCOPES["auth"]["auth_user"][0], False)
NEW_USER = ("auth", "auth_user", ("password", "is_superuser", "username", "first_name",
                                  "last_name", "email", "is_staff", "is_active", "date_joined"),
            False)


def forwards(apps, schema_editor):
    stamps.add_scopes(schema_editor, NEW)
    stamps.drop_trigger(schema_editor, *OLD_USER)
    stamps.create_trigger(schema_editor, *NEW_USER)


def backwards(apps, schema_editor):
    stamps.drop_trigger(schema_editor, *NEW_USER)
    stamps.create_trigger(schema_editor, *OLD_USER)
    stamps.remove_scopes(schema_editor, NEW)


class Migration(migrations.Migration):

    dependencies = [
        ("campaigns", "0008_creative_queue_indexes"),
        ("autonomy", "0003_global_policy"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
