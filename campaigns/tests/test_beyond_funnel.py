"""The attribution funnel against figures computed by hand."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaigns.funnel import campaign_funnels, post_funnels
from campaigns.models import Campaign
from campaigns.tests.factories import (
    CampaignFactory,
    CreativeFactory,
    MetricSnapshotFactory,
    PublicationFactory,
)
from leads.models import Lead

pytestmark = pytest.mark.django_db


def _leads(campaign, creative, *statuses):
    for status in statuses:
        Lead.objects.create(
            email=f"{status.lower()}{Lead.objects.count()}@ex.com", status=status,
            campaign=campaign, creative=creative,
        )


@pytest.fixture
def spring():
    """Two published posts; the first has an older snapshot that must not count.

    Post A: latest 2,000 impressions, 80 clicks; leads NEW, QUALIFIED, ROUTED, WON, LOST.
    Post B: 1,000 impressions, 20 clicks; leads WON.
    The campaign also has one lead without a post (QUALIFIED), and a simulated snapshot on
    another post that real figures leave out.
    """
    campaign = CampaignFactory(slug="spring")
    now = timezone.now()
    post_a = PublicationFactory(creative__campaign=campaign)
    MetricSnapshotFactory(publication=post_a, impressions=500, clicks=5,
                          captured_at=now - timedelta(days=2))
    MetricSnapshotFactory(publication=post_a, impressions=2000, clicks=80, captured_at=now)
    post_b = PublicationFactory(creative__campaign=campaign)
    MetricSnapshotFactory(publication=post_b, impressions=1000, clicks=20, captured_at=now)
    simulated = PublicationFactory(creative__campaign=campaign, simulated=True)
    MetricSnapshotFactory(publication=simulated, impressions=99999, clicks=999,
                          source="simulated")
    _leads(campaign, post_a.creative, "NEW", "QUALIFIED", "ROUTED", "WON", "LOST")
    _leads(campaign, post_b.creative, "WON")
    _leads(campaign, None, "QUALIFIED")
    other = CampaignFactory()
    _leads(other, None, "WON", "WON")
    return campaign, post_a.creative, post_b.creative


def test_campaign_funnel_matches_hand_computed_figures(spring):
    campaign, _, _ = spring
    row = campaign_funnels(Campaign.objects.filter(pk=campaign.pk), include_simulated=False).get()
    # impressions 2000 + 1000; clicks 80 + 20; leads 5 + 1 + 1; qualified: QUALIFIED, ROUTED,
    # WON of A + WON of B + the QUALIFIED without a post = 5; won 2.
    assert (row.n_impressions, row.n_clicks, row.n_leads, row.n_qualified, row.n_won) == (3000, 100, 7, 5, 2)
    assert row.rate_clicks == Decimal("3.33")   # 100 / 3000
    assert row.rate_leads == Decimal("7.00")    # 7 / 100
    assert row.rate_qualified == Decimal("71.43")  # 5 / 7
    assert row.rate_won == Decimal("40.00")     # 2 / 5


def test_post_funnel_matches_hand_computed_figures(spring):
    campaign, post_a, post_b = spring
    rows = {row.pk: row for row in post_funnels(campaign, include_simulated=False)}
    a, b = rows[post_a.pk], rows[post_b.pk]
    assert (a.n_impressions, a.n_clicks, a.n_leads, a.n_qualified, a.n_won) == (2000, 80, 5, 3, 1)
    assert (a.rate_clicks, a.rate_leads, a.rate_qualified, a.rate_won) == (
        Decimal("4.00"), Decimal("6.25"), Decimal("60.00"), Decimal("33.33"))
    assert (b.n_impressions, b.n_clicks, b.n_leads, b.n_qualified, b.n_won) == (1000, 20, 1, 1, 1)
    assert b.rate_leads == Decimal("5.00")


def test_funnel_rate_is_empty_when_the_step_before_is_zero():
    campaign = CampaignFactory()
    row = campaign_funnels(Campaign.objects.filter(pk=campaign.pk), include_simulated=False).get()
    assert (row.n_impressions, row.n_leads, row.rate_clicks, row.rate_won) == (0, 0, None, None)


def test_funnel_counts_simulated_figures_only_when_asked(spring):
    campaign, _, _ = spring
    row = campaign_funnels(Campaign.objects.filter(pk=campaign.pk), include_simulated=True).get()
    assert (row.n_impressions, row.n_clicks) == (3000 + 99999, 100 + 999)


def test_campaign_page_shows_the_funnel(viewer_client, spring):
    campaign, _, _ = spring
    page = viewer_client.get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    assert "From post to won lead" in page
    assert "3,000" in page and "71.43%" in page and "40.00%" in page


def test_monitoring_shows_the_funnel_per_campaign_and_per_post(viewer_client, spring):
    page = viewer_client.get(reverse("campaigns:monitoring")).content.decode()
    assert "From post to won lead" in page
    assert "71.43%" in page  # the campaign row
    assert "33.33%" in page  # post A's won rate


def test_monitoring_funnel_query_count_does_not_grow_with_campaigns(viewer_client, spring):
    with CaptureQueriesContext(connection) as small:
        viewer_client.get(reverse("campaigns:monitoring"))
    for _ in range(3):
        campaign = CampaignFactory()
        publication = PublicationFactory(creative=CreativeFactory(campaign=campaign))
        MetricSnapshotFactory(publication=publication)
        _leads(campaign, publication.creative, "WON")
    with CaptureQueriesContext(connection) as large:
        viewer_client.get(reverse("campaigns:monitoring"))
    assert len(large) == len(small)


def test_campaign_page_says_when_there_is_no_funnel_yet(viewer_client):
    campaign = CampaignFactory()
    page = viewer_client.get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    assert "No post of this campaign is published and no lead has come in" in page
    assert 'class="funnel"' not in page
