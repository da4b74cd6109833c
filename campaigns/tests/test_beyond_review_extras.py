"""Issue 15 extras on existing pages: diffs on the queue card, the review-links link on the
campaign page, and the Approvers' "client approval is final" toggle."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns.models import Campaign
from campaigns.services import creative_decide, creative_revise, creative_snapshot
from campaigns.tests.factories import CampaignFactory, CreativeFactory

pytestmark = pytest.mark.django_db


def _revised(approver, operator, **fields):
    creative = CreativeFactory(caption="Old hook here", hashtags=["coffee"], link="", **fields)
    creative_snapshot(creative=creative)
    creative_decide(creative=creative, reviewer=approver, approve=False, reason="Weak hook")
    creative_revise(creative=creative, editor=operator, changes={
        "caption": "New hook here", "hashtags": ["coffee", "beans"],
        "scheduled_at": creative.scheduled_at + timedelta(days=1),
    })
    return creative


def test_queue_card_shows_what_changed_next_to_the_reason(viewer_client, approver, operator):
    _revised(approver, operator)
    page = viewer_client.get(reverse("campaigns:queue")).content.decode()
    assert "What changed since v1:" in page
    assert "<del>Old</del><ins>New</ins>" in page
    assert "#beans</ins>" in page
    assert '<span class="diff__field">Schedule:</span>' in page
    assert "“Weak hook”" in page


def test_queue_query_count_stays_flat_with_diffs(approver, operator, viewer_client):
    # The other users first: adding one to a group bumps the permission stamp, and the
    # client's first page would then count the permission reads too.
    campaign = CampaignFactory()
    _revised(approver, operator, campaign=campaign)
    cache.clear()  # both requests compute the cached names, counts and histories
    with CaptureQueriesContext(connection) as small:
        viewer_client.get(reverse("campaigns:queue"))
    for _ in range(4):
        _revised(approver, operator, campaign=campaign)
    cache.clear()
    with CaptureQueriesContext(connection) as large:
        viewer_client.get(reverse("campaigns:queue"))
    assert len(large) == len(small)


def test_campaign_page_links_to_client_review_links(viewer_client):
    campaign = CampaignFactory()
    page = viewer_client.get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    assert f'href="{reverse("campaigns:review_links", args=[campaign.pk])}"' in page


def test_approver_makes_client_approval_final(approver_client):
    campaign = CampaignFactory()
    url = reverse("campaigns:review_policy", args=[campaign.pk])
    response = approver_client.post(url, {"client_approval_final": "on"}, follow=True)
    assert "A client&#x27;s approval is now final for this campaign." in response.content.decode()
    assert Campaign.objects.get(pk=campaign.pk).client_approval_final is True
    approver_client.post(url, {})
    assert Campaign.objects.get(pk=campaign.pk).client_approval_final is False


def test_client_approval_policy_is_forbidden_to_operators(operator_client):
    campaign = CampaignFactory()
    url = reverse("campaigns:review_policy", args=[campaign.pk])
    assert operator_client.post(url, {"client_approval_final": "on"}).status_code == 403
    assert Campaign.objects.get(pk=campaign.pk).client_approval_final is False


def test_client_approval_policy_refuses_get(approver_client):
    url = reverse("campaigns:review_policy", args=[CampaignFactory().pk])
    assert approver_client.get(url).status_code == 405


def test_client_approval_policy_redirects_anonymous_users(client):
    url = reverse("campaigns:review_policy", args=[CampaignFactory().pk])
    assert client.post(url, {"client_approval_final": "on"}).status_code == 302


def test_review_links_page_shows_the_toggle_to_approvers_only(approver_client, viewer_client):
    campaign = CampaignFactory()
    url = reverse("campaigns:review_links", args=[campaign.pk])
    assert "Client approval is final" in approver_client.get(url).content.decode()
    assert "Client approval is final" not in viewer_client.get(url).content.decode()
