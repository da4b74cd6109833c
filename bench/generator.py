"""Synthetic agency data at scale for the benchmarks (`manage.py seed_bench --scale N`).

At scale 1: 100,000 leads, 50 brands, 500 campaigns, 20,000 published creatives with their
reviews, 20,000 publications and 200,000 metric snapshots — plus 2,000 creatives awaiting review,
so the approval queue has work at scale (a publication needs an approved creative, so the
20,000 published ones cannot also be the queue's). Rows go in with bulk inserts in large batches;
the data is deterministic (seeded), so two runs at one scale measure the same thing.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils import timezone

from bench import BENCH_IMPORT_SOURCE
from campaigns.models import (
    Brand,
    Campaign,
    Creative,
    CreativeStatus,
    MetricSnapshot,
    Publication,
    PublicationStatus,
    Review,
)
from campaigns.publishing.platforms import PLATFORMS
from leads.models import ImportJob, ImportLeadChange, Lead, LeadActivity
from leads.statuses import LeadStatus

BATCH = 5000
PER_SCALE = {
    "leads": 100_000,
    "brands": 50,
    "campaigns": 500,
    # One in eleven awaits review; 20,000 of the approved ones are published and the other ~900
    # wait in Execution's queue, so that page is measured with work to show.
    "creatives": 23_000,
    "publications": 20_000,
    "snapshots": 200_000,
}
PREFIX = "bench-"


def counts_for(scale: float) -> dict[str, int]:
    return {name: max(1, int(count * scale)) for name, count in PER_SCALE.items()}


def _bulk(model, rows, log: Callable[[str], None]) -> list:
    created = []
    for start in range(0, len(rows), BATCH):
        created += model.objects.bulk_create(rows[start:start + BATCH], batch_size=BATCH)
    log(f"  {model.__name__}: {len(rows):,}")
    return created


def clear_leads(prefix: str = PREFIX) -> int:
    """Deletes the bench's leads (with their activities and import records) in a few statements,
    however many: the ORM's delete() would first load a million ids to cascade by hand."""
    LeadActivity.objects.filter(lead__email__startswith=prefix)._raw_delete(connection.alias)
    # The measured import is undoable, so it recorded a change per lead it wrote.
    ImportLeadChange.objects.filter(lead__email__startswith=prefix)._raw_delete(connection.alias)
    ImportJob.objects.filter(changes__isnull=True, source=BENCH_IMPORT_SOURCE).delete()
    return Lead.objects.filter(email__startswith=prefix)._raw_delete(connection.alias)


# Every NOT NULL column of leads_lead gets a value: one INSERT … SELECT, run by the database.
TOP_UP_SQL = """
INSERT INTO leads_lead (
    name, email, phone, company, company_size, title, website, source, status, score, consent,
    notes, utm_source, utm_campaign, utm_content, created_at, updated_at
)
SELECT 'Export ' || g, %(prefix)s || 'export-' || g || '@leads.example', '', 'Company ' || (g %% 5000),
       1 + g %% 500, 'Owner', '', 'bench', 'NEW', g %% 100, false, '', '', '', '',
       now() - (g || ' seconds')::interval, now()
FROM generate_series(1, %(count)s) AS g
ON CONFLICT DO NOTHING
"""


@transaction.atomic
def top_up_leads(count: int) -> int:
    """Adds `count` plain leads (for the export of a million); seed_bench's clear removes them."""
    with connection.cursor() as cursor:
        cursor.execute(TOP_UP_SQL, {"prefix": PREFIX, "count": count})
        return cursor.rowcount


def clear() -> None:
    """Removes earlier bench data (everything whose brand or email carries the prefix)."""
    clear_leads()
    MetricSnapshot.objects.filter(publication__creative__campaign__brand__slug__startswith=PREFIX).delete()
    Publication.objects.filter(creative__campaign__brand__slug__startswith=PREFIX).delete()
    Creative.objects.filter(campaign__brand__slug__startswith=PREFIX).delete()
    Campaign.objects.filter(brand__slug__startswith=PREFIX).delete()
    Brand.objects.filter(slug__startswith=PREFIX).delete()


@transaction.atomic
def generate(scale: float, log: Callable[[str], None] = print) -> dict[str, int]:  # noqa: C901
    rng = random.Random(20261125)  # noqa: S311 (synthetic data, not security)
    counts = counts_for(scale)
    clear()
    owner, _ = User.objects.get_or_create(username="bench-operator")
    platforms = list(PLATFORMS)
    brands = _bulk(Brand, [
        Brand(name=f"Bench Brand {i}", slug=f"{PREFIX}brand-{i}", industry="Retail",
              audience="Shoppers", voice="Friendly", default_hashtags=["bench"],
              website="https://bench.example", mastodon_instance="mastodon.social")
        for i in range(counts["brands"])
    ], log)
    today = date.today()
    campaigns = _bulk(Campaign, [
        Campaign(brand=brands[i % len(brands)], name=f"Campaign {i}", slug=f"{PREFIX}campaign-{i}",
                 objectives="Grow sign-ups", platforms=rng.sample(platforms, 2), cadence=3,
                 start_date=today - timedelta(days=60 - i % 60),
                 end_date=today + timedelta(days=30 + i % 30), posting_mode="manual", owner=owner)
        for i in range(counts["campaigns"])
    ], log)
    now = timezone.now()
    statuses = [CreativeStatus.APPROVED] * 10 + [CreativeStatus.PENDING]
    creatives = _bulk(Creative, [
        Creative(campaign=campaigns[i % len(campaigns)], platform=platforms[i % len(platforms)],
                 scheduled_at=now + timedelta(hours=rng.randint(-24 * 60, 24 * 30)),
                 pillar="Craft", caption=f"Bench post {i}: {rng.choice(['tips', 'story', 'offer', 'news'])} about our craft and community.",
                 hashtags=["bench", f"tag{i % 40}"], link="https://bench.example/p",
                 status=statuses[i % len(statuses)], version=1 + (i % 7 == 0 and statuses[i % len(statuses)] == CreativeStatus.PENDING),
                 author=owner)
        for i in range(counts["creatives"])
    ], log)
    _bulk(Review, [
        Review(creative=creative, version=1,
               decision="approved" if creative.status == CreativeStatus.APPROVED else "rejected",
               reason="" if creative.status == CreativeStatus.APPROVED else "Tighten the hook",
               reviewer=owner, reviewed_at=now - timedelta(hours=rng.randint(1, 500)))
        for creative in creatives if creative.status == CreativeStatus.APPROVED or creative.version > 1
    ], log)
    approved = [c for c in creatives if c.status == CreativeStatus.APPROVED]
    publish_count = min(counts["publications"], len(approved))
    publications = _bulk(Publication, [
        Publication(creative=creative, platform=creative.platform, mode="manual",
                    status=PublicationStatus.PUBLISHED,
                    url=f"https://{(PLATFORMS[creative.platform].post_domains or ('mastodon.social',))[0]}/p/{creative.pk}",
                    published_at=now - timedelta(hours=rng.randint(1, 24 * 60)), published_by=owner)
        for creative in approved[:publish_count]
    ], log)
    per_publication = max(1, counts["snapshots"] // max(1, len(publications)))
    snapshots = []
    for publication in publications:
        impressions = rng.randint(200, 20_000)
        for step in range(per_publication):
            grown = impressions * (step + 1) // per_publication
            snapshots.append(MetricSnapshot(
                publication=publication, captured_at=publication.published_at + timedelta(hours=6 * (step + 1)),
                impressions=grown, reach=grown * 4 // 5, likes=grown // 40, comments=grown // 400,
                shares=grown // 500, saves=grown // 600, clicks=grown // 60, source="manual"))
    _bulk(MetricSnapshot, snapshots, log)
    lead_statuses = list(LeadStatus.values)
    sources = ["web_form", "csv", "event", "referral"]
    _bulk(Lead, [
        Lead(name=f"Lead {i}", email=f"{PREFIX}{i}@leads.example", company=f"Company {i % 5000}",
             company_size=rng.randint(1, 500), title=rng.choice(["Head of Marketing", "Owner", "Analyst", "CTO"]),
             source=sources[i % len(sources)], status=lead_statuses[i % len(lead_statuses)],
             score=rng.randint(-20, 100), campaign=campaigns[i % len(campaigns)] if i % 3 == 0 else None)
        for i in range(counts["leads"])
    ], log)
    return {**counts, "publications": len(publications), "snapshots": len(snapshots)}
