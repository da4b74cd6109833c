"""Three more data stamps, for the campaign list and the approval queue (campaigns.stamps):

- "choices": what their filters list and the campaign list counts: a brand's name, a
  campaign's name and brand, and any brand or campaign added or removed.
- "progress": what a campaign's step and the queue's counts read: a creative's status,
  campaign and platform; a publication's status and creative; a review's creative; a
  campaign's brand (the queue's brand filter); and any of those rows added or removed.
- "history": what a queue card's history prints: any write to versions and reviews, a
  person's names, a client review link's label.

The triggers are made by the helpers of 0007 (PostgreSQL: one per table and scope, bumped per
statement; SQLite: one per event, with the scope's row inserted here).
"""

import importlib

from django.db import migrations

stamps = importlib.import_module("campaigns.migrations.0007_data_stamps")

SCOPES = {
    "choices": {
        "campaigns_brand": (("name",), True),
        "campaigns_campaign": (("name", "brand_id"), True),
    },
    "progress": {
        "campaigns_creative": (("status", "campaign_id", "platform"), True),
        "campaigns_publication": (("status", "creative_id"), True),
        "campaigns_review": (("creative_id",), True),
        "campaigns_campaign": (("brand_id",), False),
    },
    "history": {
        "campaigns_creativeversion": (None, True),
        "campaigns_review": (None, True),
        "auth_user": (("first_name", "last_name", "username"), False),
        "campaigns_clientreviewlink": (("label",), False),
    },
}


def create(apps, schema_editor):
    stamps.add_scopes(schema_editor, SCOPES)


def drop(apps, schema_editor):
    stamps.remove_scopes(schema_editor, SCOPES)


class Migration(migrations.Migration):

    dependencies = [
        ("campaigns", "0011_creatives_library_stamp"),
    ]

    operations = [migrations.RunPython(create, drop)]
