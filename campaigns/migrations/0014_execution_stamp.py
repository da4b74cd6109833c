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
    stamps.add_scopes(schema_editor, {SCOPE: TABLES})


def drop(apps, schema_editor):
    stamps.remove_scopes(schema_editor, {SCOPE: TABLES})


class Migration(migrations.Migration):

    dependencies = [
        ("campaigns", "0013_campaigns_list_index"),
    ]

    operations = [migrations.RunPython(create, drop)]
