"""Test data for kaizen, built directly with the ORM from campaigns.models."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import count

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
    Review,
    ReviewDecision,
)

_serial = count(1)


def at(day: str, hour: int = 9) -> datetime:
    """'2026-11-16', 9 → an aware datetime in UTC."""
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def make_brand(name: str = "Northwind") -> Brand:
    return Brand.objects.create(name=name)


def make_campaign(brand: Brand, *, name: str | None = None, completed_at=None) -> Campaign:
    n = next(_serial)
    return Campaign.objects.create(
        brand=brand, name=name or f"Campaign {n}", slug=f"campaign-{n}", objectives="Grow",
        platforms=["instagram", "linkedin"], start_date=date(2026, 10, 1),
        end_date=date(2026, 11, 30), completed_at=completed_at,
    )


def make_creative(campaign: Campaign, *, platform: str = "instagram", hashtags=None,
                  scheduled_at=None, version: int = 1) -> Creative:
    return Creative.objects.create(
        campaign=campaign, platform=platform, scheduled_at=scheduled_at or at("2026-11-16"),
        caption="A post.", hashtags=hashtags or [], status=CreativeStatus.APPROVED,
        version=version,
    )


def make_post(campaign: Campaign, *, platform: str, published_at: datetime, impressions: int,
              likes: int = 0, comments: int = 0, shares: int = 0, saves: int = 0,
              hashtags=None, simulated: bool = False,
              status: str = PublicationStatus.PUBLISHED) -> Publication:
    """A published creative with one metric snapshot (its current figure)."""
    creative = make_creative(campaign, platform=platform, hashtags=hashtags,
                             scheduled_at=published_at)
    publication = Publication.objects.create(
        creative=creative, platform=platform, mode=PostingMode.MANUAL, status=status,
        simulated=simulated, published_at=published_at,
    )
    add_snapshot(publication, captured_at=published_at + timedelta(days=1),
                 impressions=impressions, likes=likes, comments=comments, shares=shares,
                 saves=saves)
    return publication


def add_snapshot(publication: Publication, *, captured_at: datetime, impressions: int,
                 likes: int = 0, comments: int = 0, shares: int = 0, saves: int = 0):
    return MetricSnapshot.objects.create(
        publication=publication, captured_at=captured_at, impressions=impressions, likes=likes,
        comments=comments, shares=shares, saves=saves, source=MetricSource.MANUAL,
    )


def make_review(creative: Creative, *, decision: str, reason: str = "", version: int = 1,
                reviewed_at=None) -> Review:
    return Review.objects.create(
        creative=creative, version=version, decision=decision, reason=reason,
        reviewed_at=reviewed_at or at("2026-11-16", 12),
    )


REJECTED = ReviewDecision.REJECTED
APPROVED = ReviewDecision.APPROVED
