"""Client review links: the token, its scope, expiry, revocation, rate limit and decisions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from campaigns.client_review import hash_token, review_link_create
from campaigns.models import ClientReviewLink, CreativeStatus, Review
from campaigns.services import creative_decide, creative_snapshot
from campaigns.tests.factories import CampaignFactory, CreativeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign():
    return CampaignFactory()


@pytest.fixture
def link_and_token(campaign, approver):
    return review_link_create(campaign=campaign, label="Dana", user=approver)


def _answer(token, creative, decision, reason=""):
    return Client().post(f"/review/{token}/", {
        "creative": creative.pk, "version": creative.version, "decision": decision, "reason": reason,
    })


def test_token_has_at_least_128_bits_and_only_its_hash_is_stored(link_and_token):
    link, token = link_and_token
    assert len(token) >= 22  # 128 bits in URL-safe base64
    assert link.token_hash == hash_token(token) and token not in link.token_hash
    assert not ClientReviewLink.objects.filter(token_hash=token).exists()


def test_link_expires_after_fourteen_days_by_default(link_and_token):
    link, _ = link_and_token
    assert abs((link.expires_at - timezone.now()) - timedelta(days=14)) < timedelta(minutes=1)


def test_client_sees_pending_posts_without_an_account(campaign, link_and_token):
    _, token = link_and_token
    CreativeFactory(campaign=campaign, caption="Awaiting the client")
    CreativeFactory(campaign=campaign, caption="Already approved", status=CreativeStatus.APPROVED)
    page = Client().get(f"/review/{token}/").content.decode()
    assert "Awaiting the client" in page
    assert "Already approved" not in page


def test_unknown_token_is_refused(link_and_token):
    assert Client().get("/review/not-a-token/").status_code == 404


def test_expired_link_is_refused(link_and_token):
    link, token = link_and_token
    ClientReviewLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert Client().get(f"/review/{token}/").status_code == 404


def test_revoked_link_stops_working_at_once(approver_client, campaign, link_and_token):
    link, token = link_and_token
    approver_client.post(f"/campaigns/{campaign.pk}/review-links/{link.pk}/revoke/")
    assert Client().get(f"/review/{token}/").status_code == 404


def test_link_cannot_answer_for_another_campaigns_post(link_and_token):
    _, token = link_and_token
    elsewhere = CreativeFactory()
    assert _answer(token, elsewhere, "approve").status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.status == CreativeStatus.PENDING
    assert not Review.objects.exists()


def test_link_is_rate_limited(settings, link_and_token):
    settings.CLIENT_REVIEW_RATE_PER_MINUTE = 3
    _, token = link_and_token
    statuses = [Client().get(f"/review/{token}/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_client_approval_needs_an_approver_when_not_final(campaign, link_and_token, approver):
    link, token = link_and_token
    creative = CreativeFactory(campaign=campaign)
    assert _answer(token, creative, "approve").status_code == 302
    creative.refresh_from_db()
    assert creative.status == CreativeStatus.PENDING
    review = Review.objects.get()
    assert (review.source, review.decision, review.client_link) == ("client", "approved", link)
    creative_decide(creative=creative, reviewer=approver, approve=True)
    creative.refresh_from_db()
    assert creative.status == CreativeStatus.APPROVED


def test_client_approval_is_final_when_the_campaign_says_so(campaign, link_and_token):
    campaign.client_approval_final = True
    campaign.save()
    _, token = link_and_token
    creative = CreativeFactory(campaign=campaign)
    _answer(token, creative, "approve")
    creative.refresh_from_db()
    assert creative.status == CreativeStatus.APPROVED


def test_request_changes_needs_feedback_and_sends_post_back(campaign, link_and_token):
    _, token = link_and_token
    creative = CreativeFactory(campaign=campaign)
    response = _answer(token, creative, "changes")
    assert response.status_code == 400
    assert "Say what should change" in response.content.decode()
    _answer(token, creative, "changes", "Use the spring photo")
    creative.refresh_from_db()
    assert creative.status == CreativeStatus.REJECTED
    assert Review.objects.get().reason == "Use the spring photo"


def test_reject_needs_a_reason(campaign, link_and_token):
    _, token = link_and_token
    creative = CreativeFactory(campaign=campaign)
    assert "Say why the post is rejected" in _answer(token, creative, "reject").content.decode()
    assert not Review.objects.exists()


def test_client_answer_shows_in_the_creative_history(campaign, link_and_token, operator):
    _, token = link_and_token
    creative = CreativeFactory(campaign=campaign, caption="Spring beans are here")
    creative_snapshot(creative=creative)
    _answer(token, creative, "changes", "Mention the price")
    from campaigns.services import creative_revise

    creative_revise(creative=creative, editor=operator, changes={"caption": "Spring beans are here at £9"})
    page = Client().get(f"/review/{token}/").content.decode()
    assert "Mention the price" in page
    assert "via the link for Dana" in page
    assert "<ins> at £9</ins>" in page


def test_operator_cannot_make_review_links(operator_client, campaign):
    response = operator_client.post(f"/campaigns/{campaign.pk}/review-links/new/", {"label": "X"})
    assert response.status_code == 403
    assert not ClientReviewLink.objects.exists()


def test_approver_makes_a_link_and_sees_it_once(approver_client, campaign):
    approver_client.post(f"/campaigns/{campaign.pk}/review-links/new/", {"label": "Dana", "days": "7"})
    first = approver_client.get(f"/campaigns/{campaign.pk}/review-links/").content.decode()
    second = approver_client.get(f"/campaigns/{campaign.pk}/review-links/").content.decode()
    assert 'readonly value="http://testserver/review/' in first
    assert "readonly" not in second
    link = ClientReviewLink.objects.get()
    assert abs((link.expires_at - timezone.now()) - timedelta(days=7)) < timedelta(minutes=1)
