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
    stamps.add_scopes(schema_editor, {SCOPE: TABLES})


def drop(apps, schema_editor):
    stamps.remove_scopes(schema_editor, {SCOPE: TABLES})


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0007_leadgen_search_text_list_index"),
        ("campaigns", "0007_data_stamps"),
    ]

    operations = [migrations.RunPython(create, drop)]
