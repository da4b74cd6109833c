"""Demo campaigns at every step of the wizard, for `manage.py seed_demo`. Idempotent: a
campaign that already exists is left as it is."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from campaigns.models import Brand, Campaign, CreativeStatus

DEMO_CAMPAIGNS = (
    # (brand, name, objectives, platforms, cadence, starts in days, weeks, step)
    ("Northwind Coffee", "Winter blends launch",
     "Grow newsletter sign-ups ahead of the winter blends.\nSell more subscriptions.",
     ["linkedin", "instagram"], 2, 7, 4, "created"),
    ("Northwind Coffee", "Home espresso basics",
     "Build awareness with home baristas.\nGrow newsletter sign-ups.",
     ["instagram", "threads"], 3, 3, 3, "generated"),
    ("Helio Solar", "Battery season",
     "Book free home battery consultations.", ["linkedin", "facebook", "x"], 2, 5, 3, "in_review"),
    ("Helio Solar", "Panels explained",
     "Generate leads for panel quotes.\nBuild trust with plain numbers.",
     ["linkedin", "mastodon", "bluesky"], 2, 2, 2, "approved"),
)


def seed_campaigns(log: Callable[[str], None]) -> None:
    from campaigns.services import (
        campaign_create,
        campaign_generate,
        creative_decide,
        creative_revise,
    )

    operator = User.objects.filter(username="operator").first()
    approver = User.objects.filter(username="approver").first()
    today = timezone.localdate()
    for brand_name, name, objectives, platforms, cadence, starts_in, weeks, step in DEMO_CAMPAIGNS:
        brand = Brand.objects.filter(name=brand_name).first()
        if brand is None or Campaign.objects.filter(brand=brand, name=name).exists():
            continue
        start = today + timedelta(days=starts_in)
        campaign = campaign_create(
            brand=brand, name=name, objectives=objectives, platforms=platforms, cadence=cadence,
            start_date=start, end_date=start + timedelta(days=weeks * 7 - 1), owner=operator,
        )
        log(f"Campaign {brand_name} · {name} ({step})")
        if step == "created":
            continue
        campaign_generate(campaign=campaign, user=operator, engine="local")
        if step == "generated":
            continue
        creatives = list(campaign.creatives.order_by("scheduled_at", "platform", "pk"))
        if step == "in_review":
            for creative in creatives[:3]:
                creative_decide(creative=creative, reviewer=approver, approve=True)
            rejected = creatives[3]
            creative_decide(creative=rejected, reviewer=approver, approve=False,
                            reason="Too generic for homeowners: name the battery and one saving.")
            creative_decide(creative=creatives[4], reviewer=approver, approve=False,
                            reason="The hook needs a question, not a statement.")
            creative_revise(creative=creatives[4], editor=operator, changes={
                "caption": "Is your home ready for a battery this winter?\n\n"
                           "A home battery stores the daytime sun for the evening peak. "
                           "We will tell you honestly whether it pays back for your roof.",
            })
        if step == "approved":
            for creative in creatives:
                if creative.status == CreativeStatus.PENDING:
                    creative_decide(creative=creative, reviewer=approver, approve=True)
