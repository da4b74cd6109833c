"""Publishing budgets per connected account: counted over a moving 24 hours, respected by live
posting, and held under two concurrent workers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from campaigns.models import Publication, PublicationStatus
from campaigns.publishing.budgets import budget_remaining, budget_wait_reason
from campaigns.publishing.platforms import PLATFORMS
from campaigns.publishing.services import BudgetWait, publication_publish_live
from campaigns.tests.factories import CreativeFactory, PublicationFactory
from campaigns.tests.fake_platform import (
    FakePlatform,
    approved_creative,
    credential,
    fast_publishing,
)
from campaigns.tests.test_execution_services import run_in_threads

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="row locks need PostgreSQL")


def _used(campaign, platform: str, count: int, *, hours_ago: float = 1, **fields):
    at = timezone.now() - timedelta(hours=hours_ago)
    values = {"mode": "live", "status": PublicationStatus.PUBLISHED, **fields}
    for _ in range(count):
        PublicationFactory(
            creative=CreativeFactory(campaign=campaign, platform=platform, status="approved"),
            platform=platform, published_at=at, **values,
        )


@pytest.mark.embedded
def test_registry_carries_the_documented_budgets():
    budgets = {slug: rules.daily_post_budget for slug, rules in PLATFORMS.items()}
    assert (budgets["instagram"], budgets["threads"], budgets["linkedin"]) == (50, 250, 150)
    assert budgets["facebook"] is None


@pytest.mark.django_db
def test_budget_counts_live_posts_of_the_last_24_hours_only():
    creative = approved_creative("instagram")
    _used(creative.campaign, "instagram", 3)
    _used(creative.campaign, "instagram", 2, hours_ago=25)           # out of the window
    _used(creative.campaign, "instagram", 2, mode="manual")          # posted by hand
    _used(creative.campaign, "instagram", 1, status=PublicationStatus.FAILED)
    brand = creative.campaign.brand
    assert budget_remaining(brand, "instagram") == 50 - 3
    assert budget_remaining(brand, "facebook") is None
    assert budget_wait_reason(brand, "instagram") == ""


@pytest.mark.django_db
def test_budget_wait_reason_says_when_the_next_slot_frees():
    creative = approved_creative("instagram")
    _used(creative.campaign, "instagram", 50, hours_ago=2)
    reason = budget_wait_reason(creative.campaign.brand, "instagram")
    assert reason.startswith("Waiting for the Instagram posting budget: this account has used "
                             "its 50 posts per 24 hours")
    assert "the next slot frees at" in reason
    assert budget_remaining(creative.campaign.brand, "instagram") == 0


@pytest.mark.django_db
def test_live_posting_waits_when_the_budget_is_used_and_sends_nothing(settings):
    fast_publishing(settings)
    creative = approved_creative("instagram")
    _used(creative.campaign, "instagram", 50)
    with FakePlatform() as fake:
        credential(creative, "webhook", fake.url)
        with pytest.raises(BudgetWait, match="Waiting for the Instagram posting budget"):
            publication_publish_live(creative=creative)
        assert fake.requests == []
    assert not Publication.objects.filter(creative=creative).exists()


@pytest.mark.django_db
def test_posting_page_says_the_post_waits_for_the_budget(operator_client, settings):
    creative = approved_creative("instagram")
    creative.campaign.posting_mode = "live"
    creative.campaign.save()
    _used(creative.campaign, "instagram", 50)
    credential(creative, "webhook", "http://127.0.0.1:9")
    page = operator_client.get(f"/execution/instagram/{creative.pk}/").content.decode()
    assert "Waiting for the Instagram posting budget" in page


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_workers_cannot_both_take_the_last_slot_of_the_budget(settings):
    fast_publishing(settings)
    settings.PUBLISHING_TIMEOUT = 3
    first = approved_creative("instagram")
    second = approved_creative("instagram", campaign=first.campaign)
    _used(first.campaign, "instagram", 49)
    with FakePlatform(slow_seconds=0.3) as fake:
        credential(first, "webhook", fake.url)
        fake.plan("/hook", "slow")
        results = run_in_threads(lambda: publication_publish_live(creative=first),
                                 lambda: publication_publish_live(creative=second))
        sent = len(fake.calls("/hook", "POST"))
    assert sum(isinstance(result, BudgetWait) for result in results) == 1, results
    assert sum(getattr(result, "ok", False) for result in results) == 1, results
    assert sent == 1
    assert budget_remaining(first.campaign.brand, "instagram") == 0
