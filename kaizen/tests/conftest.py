from __future__ import annotations

from datetime import timedelta

import pytest

from campaigns.models import Creative, PublicationStatus
from kaizen.tests.builders import (
    APPROVED,
    REJECTED,
    add_snapshot,
    at,
    make_brand,
    make_campaign,
    make_post,
    make_review,
)


@pytest.fixture
def small_sample(db, settings):
    """Figures need 3 posts: small enough to compute by hand."""
    settings.INSIGHTS_MIN_SAMPLE = 3
    settings.INSIGHTS_INCLUDE_SIMULATED = False
    settings.TIME_ZONE = "UTC"


@pytest.fixture
def northwind(db, small_sample):
    """Seven posts whose figures are worked out in the tests by hand.

    2026-11-16 and 2026-11-23 are Mondays. Engagements = likes + comments + shares + saves.
      1 instagram Mon 16 09:00  1000 imp  70 eng  brew, coffee
      2 instagram Mon 23 09:00  1000 imp  40 eng  brew            (an older snapshot differs)
      3 instagram Tue 17 09:00  2000 imp 100 eng  Brew, #coffee
      4 linkedin  Tue 24 14:00  1000 imp  20 eng  coffee, Coffee  (counted once)
      5 linkedin  Mon 09 14:00   500 imp  10 eng  coffee, sale
      6 linkedin  Tue 10 14:00   500 imp   5 eng  sale
      7 mastodon  Wed 18 18:00   100 imp  50 eng  sale
    Left out: a simulated post, a failed one, one with no impressions, another brand's post.
    """
    brand = make_brand("Northwind")
    campaign = make_campaign(brand)
    posts = [
        make_post(campaign, platform="instagram", published_at=at("2026-11-16", 9),
                  impressions=1000, likes=50, comments=10, shares=5, saves=5,
                  hashtags=["brew", "coffee"]),
        make_post(campaign, platform="instagram", published_at=at("2026-11-23", 9),
                  impressions=1000, likes=40, hashtags=["brew"]),
        make_post(campaign, platform="instagram", published_at=at("2026-11-17", 9),
                  impressions=2000, likes=60, comments=20, shares=10, saves=10,
                  hashtags=["Brew", "#coffee"]),
        make_post(campaign, platform="linkedin", published_at=at("2026-11-24", 14),
                  impressions=1000, likes=20, hashtags=["coffee", "Coffee"]),
        make_post(campaign, platform="linkedin", published_at=at("2026-11-09", 14),
                  impressions=500, likes=10, hashtags=["coffee", "sale"]),
        make_post(campaign, platform="linkedin", published_at=at("2026-11-10", 14),
                  impressions=500, comments=5, hashtags=["sale"]),
        make_post(campaign, platform="mastodon", published_at=at("2026-11-18", 18),
                  impressions=100, shares=50, hashtags=["sale"]),
    ]
    # Post 2's earlier snapshot: not its current figure.
    add_snapshot(posts[1], captured_at=at("2026-11-23", 10), impressions=500, likes=400)
    make_post(campaign, platform="instagram", published_at=at("2026-11-16", 9),
              impressions=1000, likes=900, hashtags=["brew"], simulated=True)
    make_post(campaign, platform="instagram", published_at=at("2026-11-16", 9),
              impressions=1000, likes=900, hashtags=["brew"], status=PublicationStatus.FAILED)
    make_post(campaign, platform="instagram", published_at=at("2026-11-16", 9),
              impressions=0, likes=900, hashtags=["brew"])
    other = make_campaign(make_brand("Helio"))
    make_post(other, platform="instagram", published_at=at("2026-11-16", 9),
              impressions=1000, likes=500, hashtags=["solar"])

    creatives = [post.creative for post in posts]
    # Rejection reasons: "too salesy" twice (case and spaces aside), "wrong tone" once.
    make_review(creatives[3], decision=REJECTED, reason="Too salesy")
    make_review(creatives[4], decision=REJECTED, reason="  too salesy ")
    make_review(creatives[5], decision=REJECTED, reason="Wrong tone")
    make_review(creatives[6], decision=REJECTED, reason="")
    make_review(other.creatives.first(), decision=REJECTED, reason="Off brand")
    # Time to approval: posts 1-3 generated at T, first approved after 2, 4 and 6 hours.
    generated = at("2026-11-10", 8)
    Creative.objects.filter(pk__in=[c.pk for c in creatives[:3]]).update(created_at=generated)
    for creative, hours in zip(creatives[:3], (2, 4, 6), strict=True):
        make_review(creative, decision=APPROVED, reason="great",
                    reviewed_at=generated + timedelta(hours=hours))
    make_review(creatives[0], decision=APPROVED, version=2,
                reviewed_at=generated + timedelta(hours=30))
    return brand
