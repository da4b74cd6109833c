"""Demo data for Strategy and Creatives: two running campaigns with versioned plans and a month
of scheduled posts, including the problems the calendar flags (so the demo shows them)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta

from django.utils import timezone

POSTS = [
    # (campaign key, day offset from Monday of this week, hour, platform, pillar, caption, tags)
    ("roast", 0, 9, "linkedin", "Craft",
     "Every Tuesday we roast in small batches of twelve kilos. Small batches mean we can taste "
     "every roast before it ships, and adjust the next one the same afternoon. This week: a "
     "washed Ethiopian with notes of bergamot and apricot. If you run a café and want to try it "
     "on your bar, reply and we will send a sample bag.",
     ["specialtycoffee", "northwind", "roasting"]),
    ("roast", 0, 9, "linkedin", "Community",
     "Meet Ana, head roaster at Northwind. She has cupped more than four thousand coffees.",
     ["northwind"]),
    ("roast", 2, 12, "instagram", "Craft",
     "Bergamot, apricot, honey. Our washed Ethiopian is back on the roaster this week.",
     ["specialtycoffee", "ethiopia", "northwind"]),
    ("roast", 4, 17, "x", "Community",
     "Friday cupping at the roastery, 5pm. Bring a mug and an opinion.",
     ["northwind"]),
    ("roast", 8, 9, "linkedin", "Craft",
     "How we pick a green coffee: three rounds of cupping, a roast profile test and a week of "
     "resting before we decide.",
     ["specialtycoffee"]),
    ("roast", 15, 10, "instagram", "Community",
     "Your home setup, our beans. Tag us in your morning brew for a chance to be featured.",
     ["homebarista", "northwind"]),
    ("roast", 40, 10, "x", "Craft",
     "Last call for the autumn roast subscription.", ["northwind"]),
    ("solar", 1, 8, "facebook", "Savings",
     "What does a 4 kW system really save in a British winter? We measured twelve homes in "
     "Leeds last January; the median household saved £41 a month. Full numbers on our blog.",
     ["solar", "cleanenergy"]),
    ("solar", 3, 8, "linkedin", "Trust",
     "Every Helio installation is MCS certified and comes with a ten-year workmanship "
     "warranty. Here is what that covers, line by line.",
     ["solar"]),
    ("solar", 9, 8, "facebook", "Savings",
     "Batteries: worth it? A plain answer with numbers from our own customers.",
     ["solar", "batteries"]),
]


def seed_strategy(log: Callable[[str], None]) -> None:
    from campaigns.attribution import creative_apply_utm
    from campaigns.models import Brand, Campaign, Creative, CreativeStatus, Plan
    from campaigns.services import creative_snapshot

    brands = {b.name: b for b in Brand.objects.filter(name__in=["Northwind Coffee", "Helio Solar"])}
    if len(brands) < 2:
        return
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    specs = {
        "roast": dict(brand=brands["Northwind Coffee"], name="Autumn roast launch",
                      slug="demo-autumn-roast-launch",
                      objectives="Launch the autumn single origins to cafés and home baristas.",
                      platforms=["linkedin", "instagram", "x"], cadence=3,
                      start_date=monday, end_date=monday + timedelta(days=34)),
        "solar": dict(brand=brands["Helio Solar"], name="Winter savings",
                      slug="demo-winter-savings",
                      objectives="Book home surveys before the new year.",
                      platforms=["facebook", "linkedin"], cadence=2,
                      start_date=monday, end_date=monday + timedelta(days=27)),
    }
    campaigns = {}
    for key, fields in specs.items():
        campaign, created = Campaign.objects.get_or_create(
            brand=fields["brand"], name=fields["name"], defaults=fields
        )
        campaigns[key] = (campaign, created)
    for key, (campaign, created) in campaigns.items():
        if not created:
            continue
        Plan.objects.create(
            campaign=campaign, version=1, engine="local",
            pillars=["Craft", "Community"] if key == "roast" else ["Savings", "Trust"],
            audience=campaign.brand.audience,
            key_messages=["Roasted in small batches, tasted before it ships"]
            if key == "roast" else ["Numbers over adjectives: what solar saves in winter"],
        )
        Plan.objects.create(
            campaign=campaign, version=2, engine="manual",
            pillars=["Craft", "Community", "Origin"] if key == "roast" else ["Savings", "Trust"],
            audience=campaign.brand.audience,
            key_messages=["Roasted in small batches, tasted before it ships",
                          "Every coffee has a farm and a name behind it"]
            if key == "roast" else ["Numbers over adjectives: what solar saves in winter",
                                    "Certified, warranted, local"],
            rationale="Added the origin pillar after the first week's questions.",
        )
        for index, (camp, offset, hour, platform, pillar, caption, tags) in enumerate(POSTS):
            if camp != key:
                continue
            day = monday + timedelta(days=offset)
            creative = Creative.objects.create(
                campaign=campaign, platform=platform, pillar=pillar, caption=caption,
                hashtags=tags, link=campaign.brand.website if platform != "instagram" else "",
                scheduled_at=timezone.make_aware(datetime.combine(day, time(hour))),
                status=[CreativeStatus.APPROVED, CreativeStatus.PENDING, CreativeStatus.DRAFT][index % 3],
            )
            if creative_apply_utm(creative=creative, fit=True):  # as generation does
                creative.save(update_fields=["link", "caption", "hashtags"])
            creative_snapshot(creative=creative)
        log(f"Strategy demo: {campaign} with two plan versions and its posts.")
