"""Demo data for Learn / Kaizen: a few articles, one finished campaign with its published posts,
metrics and reviews (so the insights have something to show), and its retrospective.

Idempotent: nothing is created when the articles and the campaign already exist.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.contrib.auth.models import User
from django.utils import timezone

DEMO_CAMPAIGN = "Spring menu launch"

ARTICLES = [
    ("Posting checklist for a campaign launch", ["launch", "checklist"], None, """\
Before the first post of a campaign goes out:

1. **Every creative approved** in the queue — no draft left behind.
2. Links checked on a phone, with UTM tags.
3. Alt text on every image.
4. The manual posting steps printed for whoever posts by hand.

> Launch on the brand's best weekday (see *Insights*), not on a Friday afternoon.
"""),
    ("Writing captions reviewers approve", ["captions", "reviews"], None, """\
The three reasons reviewers reject most often are, in order: **too salesy**, *missing alt
text* and *wrong tone*. So:

- Lead with the reader's problem, not the product.
- Write the alt text when you write the caption.
- Read the brand's voice notes first.

| Platform | Caption sweet spot |
|---|---|
| LinkedIn | 600–1,200 characters |
| Instagram | 120–300 characters |
| Mastodon | under 400 characters |
"""),
    ("Northwind Coffee: voice and hashtags", ["brand-voice", "hashtags"], "Northwind Coffee", """\
Northwind speaks like a friendly head roaster: warm, curious and precise. No hype words.

Hashtags that have earned their place: `#specialtycoffee`, `#brewguide`, `#homebarista`.
Avoid `#coffeetime` — it buries posts among millions of others.
"""),
]

# (platform, days before the campaign ended, hour, impressions, engagements, hashtags)
POSTS = [
    ("instagram", 40, 9, 1800, 122, ["specialtycoffee", "brewguide"]),
    ("instagram", 38, 18, 1500, 60, ["specialtycoffee"]),
    ("instagram", 33, 9, 2100, 150, ["brewguide", "homebarista"]),
    ("instagram", 31, 12, 1200, 41, ["coffeetime"]),
    ("instagram", 26, 9, 2400, 171, ["brewguide", "specialtycoffee"]),
    ("instagram", 24, 18, 1300, 52, ["coffeetime", "specialtycoffee"]),
    ("instagram", 19, 9, 2000, 138, ["homebarista", "brewguide"]),
    ("instagram", 17, 12, 1100, 39, ["coffeetime"]),
    ("linkedin", 39, 8, 900, 31, ["specialtycoffee", "cafeowners"]),
    ("linkedin", 32, 8, 1000, 36, ["cafeowners"]),
    ("linkedin", 25, 13, 700, 15, ["specialtycoffee"]),
    ("linkedin", 18, 8, 1100, 42, ["cafeowners", "specialtycoffee"]),
    ("linkedin", 11, 13, 800, 18, ["cafeowners"]),
    ("mastodon", 37, 18, 400, 22, ["homebarista", "coffeetime"]),
    ("mastodon", 30, 9, 500, 31, ["homebarista"]),
    ("mastodon", 23, 18, 450, 20, ["coffeetime"]),
    ("mastodon", 16, 9, 520, 33, ["homebarista", "brewguide"]),
    ("mastodon", 9, 12, 380, 14, ["coffeetime"]),
]
REJECTIONS = ["Too salesy", "too salesy ", "Missing alt text", "Too salesy", "Wrong tone"]


def _seed_articles(author) -> None:
    from campaigns.models import Brand
    from kaizen.models import Article
    from kaizen.services import article_create

    for title, tags, brand_name, body in ARTICLES:
        if Article.objects.filter(title=title).exists():
            continue
        brand = Brand.objects.filter(name=brand_name).first() if brand_name else None
        article_create(title=title, body=body, tags=tags, brand=brand, author=author)


def _seed_campaign(operator, approver, log) -> None:
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
    from kaizen.services import action_item_add, retrospective_open, retrospective_update

    brand = Brand.objects.filter(name="Northwind Coffee").first()
    if brand is None or Campaign.objects.filter(brand=brand, name=DEMO_CAMPAIGN).exists():
        return
    ended = timezone.localtime().replace(minute=0, second=0, microsecond=0) - timedelta(days=3)
    campaign = Campaign.objects.create(
        brand=brand, name=DEMO_CAMPAIGN, slug="northwind-spring-menu-launch",
        objectives="Launch the spring menu to home baristas; grow newsletter sign-ups.",
        platforms=["instagram", "linkedin", "mastodon"], cadence=4,
        start_date=(ended - timedelta(days=42)).date(), end_date=ended.date(),
        posting_mode=PostingMode.MANUAL, owner=operator, completed_at=ended,
    )
    for index, (platform, days, hour, impressions, engagements, tags) in enumerate(POSTS):
        posted = ended.replace(hour=hour) - timedelta(days=days)
        creative = Creative.objects.create(
            campaign=campaign, platform=platform, scheduled_at=posted, pillar="Spring menu",
            caption=f"Spring menu, part {index + 1}: what changes in the cup this season.",
            hashtags=tags, status=CreativeStatus.APPROVED, author=operator,
            version=2 if index < len(REJECTIONS) else 1,
        )
        generated = posted - timedelta(days=3, hours=index % 5 * 4)
        Creative.objects.filter(pk=creative.pk).update(created_at=generated)
        if index < len(REJECTIONS):
            Review.objects.create(creative=creative, version=1, decision=ReviewDecision.REJECTED,
                                  reason=REJECTIONS[index], reviewer=approver,
                                  reviewed_at=generated + timedelta(hours=3))
        Review.objects.create(creative=creative, version=creative.version,
                              decision=ReviewDecision.APPROVED, reviewer=approver,
                              reviewed_at=generated + timedelta(hours=6 + index % 4 * 5))
        publication = Publication.objects.create(
            creative=creative, platform=platform, mode=PostingMode.MANUAL,
            status=PublicationStatus.PUBLISHED, published_at=posted, published_by=operator,
            url=f"https://{platform}.example/northwind/{index + 1}",
        )
        # Engagements split across likes, comments, shares and saves; the latest snapshot counts.
        MetricSnapshot.objects.create(
            publication=publication, captured_at=posted + timedelta(hours=6),
            impressions=impressions // 2, likes=engagements // 3, source=MetricSource.MANUAL,
        )
        likes = engagements * 6 // 10
        comments = engagements * 2 // 10
        shares = engagements // 10
        MetricSnapshot.objects.create(
            publication=publication, captured_at=posted + timedelta(days=2),
            impressions=impressions, reach=impressions * 8 // 10, likes=likes, comments=comments,
            shares=shares, saves=engagements - likes - comments - shares,
            source=MetricSource.MANUAL, created_by=operator,
        )
    retrospective = retrospective_open(campaign=campaign)
    retrospective_update(
        retrospective=retrospective, editor=operator,
        what_worked="Brew-guide posts on Instagram at 09:00 did best; Mastodon readers saved "
                    "and shared the how-to posts.",
        what_did_not="#coffeetime posts sank without trace; LinkedIn posts after lunch barely "
                     "moved. Two captions came back as too salesy.",
    )
    today = timezone.localdate()
    for description, due in (
        ("Drop #coffeetime from Northwind's default hashtags", today + timedelta(days=7)),
        ("Schedule LinkedIn posts for 08:00 only", today + timedelta(days=14)),
        ("Add an alt-text line to the caption template", today - timedelta(days=1)),
    ):
        action_item_add(retrospective=retrospective, description=description, owner=operator,
                        due_date=due)
    log(f"Kaizen: {DEMO_CAMPAIGN} with {len(POSTS)} published posts and its retrospective.")


def seed_kaizen(log: Callable[[str], None]) -> None:
    operator = User.objects.filter(username="operator").first()
    approver = User.objects.filter(username="approver").first()
    if operator is None or approver is None:
        return
    _seed_articles(operator)
    _seed_campaign(operator, approver, log)
