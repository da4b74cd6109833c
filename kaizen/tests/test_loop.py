"""The loop closes: the local engine plans differently for a brand whose numbers teach it."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from campaigns.services import campaign_generate
from campaigns.tests.factories import CampaignFactory
from kaizen.tests.builders import make_brand


def _generated(brand, operator):
    campaign = CampaignFactory(
        brand=brand, name=f"Next for {brand.name}", slug=f"next-{brand.slug}",
        platforms=["instagram"], cadence=3,
        start_date=date(2026, 12, 1), end_date=date(2026, 12, 28),
        objectives="Grow newsletter sign-ups",
    )
    outcome = campaign_generate(campaign=campaign, user=operator)
    creatives = list(campaign.creatives.order_by("scheduled_at"))
    return outcome.plan, creatives


def test_local_engine_uses_a_brands_insights_and_says_so(northwind, operator):
    learned_plan, learned = _generated(northwind, operator)
    fresh = make_brand("Newcomer")
    fresh_plan, plain = _generated(fresh, operator)

    learned_slots = {(timezone.localtime(c.scheduled_at).weekday(), timezone.localtime(c.scheduled_at).hour) for c in learned}
    plain_slots = {(timezone.localtime(c.scheduled_at).weekday(), timezone.localtime(c.scheduled_at).hour) for c in plain}
    assert {weekday for weekday, _ in learned_slots} <= {0, 1}  # Mondays and Tuesdays engage best
    assert {hour for _, hour in learned_slots} <= {9, 14}
    assert learned_slots != plain_slots

    learned_tags = {tag for c in learned for tag in c.hashtags}
    assert {"sale", "brew"} & learned_tags
    assert not {"sale", "brew"} & {tag for c in plain for tag in c.hashtags}

    assert "Kaizen insights for Northwind" in learned_plan.rationale
    assert "Kaizen insights" not in fresh_plan.rationale
    assert all("too salesy" not in c.caption.lower() for c in learned)
