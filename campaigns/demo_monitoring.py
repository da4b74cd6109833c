"""Demo figures for the Monitoring section (`seed_demo`): published posts with a few snapshots.

Idempotent: a campaign that already has the demo's posts is left alone.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta

from django.utils import timezone

from campaigns.models import (
    Brand,
    Campaign,
    Creative,
    CreativeStatus,
    MetricSnapshot,
    MetricSource,
    PostingMode,
    Publication,
    PublicationStatus,
)

# (platform, days after start, hour, impressions on day 1, growth per snapshot, engagement %)
DEMO_POSTS = (
    ("linkedin", 0, 9, 820, 1.6, 4.1),
    ("instagram", 1, 18, 1400, 1.4, 6.3),
    ("x", 2, 12, 610, 1.2, 1.8),
    ("linkedin", 3, 8, 1020, 1.5, 3.2),
    ("facebook", 4, 19, 540, 1.3, 2.4),
    ("instagram", 6, 20, 1750, 1.5, 7.0),
    ("linkedin", 7, 10, 930, 1.4, 2.9),
    ("x", 9, 17, 480, 1.1, 1.2),
)
POST_URLS = {
    "linkedin": "https://www.linkedin.com/feed/update/urn:li:activity:7{0:018d}",
    "instagram": "https://www.instagram.com/p/NWDEMO{0:04d}/",
    "x": "https://x.com/northwind/status/18{0:017d}",
    "facebook": "https://www.facebook.com/northwindcoffee/posts/{0:016d}",
}


def seed_monitoring(log: Callable[[str], None]) -> None:
    _seed_manual(log)
    _seed_simulated(log)


def _seed_manual(log: Callable[[str], None]) -> None:
    """A manual-mode campaign whose posts have three snapshots each."""
    brand = Brand.objects.filter(name="Northwind Coffee").first()
    if brand is None:
        return
    start = timezone.localdate() - timedelta(days=21)
    campaign, created = Campaign.objects.get_or_create(
        brand=brand, name="Autumn blend launch",
        defaults=dict(
            slug="northwind-autumn-blend-launch",
            objectives="Launch the autumn blend and grow newsletter sign-ups.",
            platforms=["linkedin", "instagram", "x", "facebook"], cadence=4,
            start_date=start, end_date=start + timedelta(days=27),
            posting_mode=PostingMode.MANUAL,
        ),
    )
    if not created or campaign.creatives.exists():
        return
    for index, (platform, offset, hour, first, growth, engagement) in enumerate(DEMO_POSTS):
        moment = timezone.make_aware(datetime.combine(start + timedelta(days=offset), time(hour)))
        creative = Creative.objects.create(
            campaign=campaign, platform=platform, scheduled_at=moment, pillar="Launch",
            caption=f"Autumn blend, post {index + 1}: notes of fig, cocoa and toasted hazelnut.",
            hashtags=["specialtycoffee"], status=CreativeStatus.APPROVED,
        )
        publication = Publication.objects.create(
            creative=creative, platform=platform, mode=PostingMode.MANUAL,
            status=PublicationStatus.PUBLISHED, url=POST_URLS[platform].format(index + 1),
            published_at=moment,
        )
        impressions = float(first)
        for day in (1, 3, 7):
            impressions *= growth if day > 1 else 1
            total = int(impressions)
            engaged = int(total * engagement / 100)
            MetricSnapshot.objects.create(
                publication=publication, captured_at=moment + timedelta(days=day),
                impressions=total, reach=int(total * 0.78), likes=int(engaged * 0.7),
                comments=int(engaged * 0.12), shares=int(engaged * 0.1),
                saves=engaged - int(engaged * 0.7) - int(engaged * 0.12) - int(engaged * 0.1),
                clicks=int(total * 0.021), source=MetricSource.MANUAL,
            )
    log(f"Monitoring: {len(DEMO_POSTS)} published posts with figures in “{campaign.name}”.")


def _seed_simulated(log: Callable[[str], None]) -> None:
    """A proof-mode campaign: its posts and figures are simulated and labelled so."""
    brand = Brand.objects.filter(name="Helio Solar").first()
    if brand is None:
        return
    start = timezone.localdate() - timedelta(days=10)
    campaign, created = Campaign.objects.get_or_create(
        brand=brand, name="Battery explainer (proof)",
        defaults=dict(
            slug="helio-battery-explainer-proof",
            objectives="Rehearse the battery explainer series before going live.",
            platforms=["linkedin", "facebook"], cadence=2,
            start_date=start, end_date=start + timedelta(days=20),
            posting_mode=PostingMode.PROOF,
        ),
    )
    if not created or campaign.creatives.exists():
        return
    for index, (platform, hour) in enumerate((("linkedin", 8), ("facebook", 13), ("linkedin", 16))):
        moment = timezone.make_aware(datetime.combine(start + timedelta(days=index * 2), time(hour)))
        creative = Creative.objects.create(
            campaign=campaign, platform=platform, scheduled_at=moment, pillar="Explainers",
            caption=f"How a home battery pays back, part {index + 1}.",
            status=CreativeStatus.APPROVED,
        )
        publication = Publication.objects.create(
            creative=creative, platform=platform, mode=PostingMode.PROOF, simulated=True,
            status=PublicationStatus.PUBLISHED, published_at=moment,
        )
        MetricSnapshot.objects.create(
            publication=publication, captured_at=moment + timedelta(days=2),
            impressions=2400 + 600 * index, reach=1900 + 400 * index, likes=90 + 10 * index,
            comments=12, shares=9, saves=6, clicks=70, source=MetricSource.SIMULATED,
        )
    log("Monitoring: 3 simulated posts (proof mode) in “Battery explainer (proof)”.")


