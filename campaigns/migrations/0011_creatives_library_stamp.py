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
    stamps.add_scopes(schema_editor, {SCOPE: TABLES})


def drop(apps, schema_editor):
    stamps.remove_scopes(schema_editor, {SCOPE: TABLES})


class Migration(migrations.Migration):

    dependencies = [
        ("campaigns", "0010_creatives_publication_done"),
    ]

    operations = [migrations.RunPython(create, drop)]
