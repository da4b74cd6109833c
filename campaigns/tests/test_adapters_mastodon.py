"""The Mastodon adapter against a real local server implementing the endpoints it calls."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from campaigns.attribution import creative_apply_utm
from campaigns.models import PublicationStatus
from campaigns.publishing.services import publication_publish_live
from campaigns.tests.fake_platform import (
    MASTODON_TOKEN,
    approved_creative,
    credential,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def creative(fake):
    creative = approved_creative("mastodon", image=True)
    credential(creative, "mastodon", fake.url)
    return creative


def test_mastodon_posts_the_status_with_its_media_and_alt_text(fake, creative):
    outcome = publication_publish_live(creative=creative)
    assert outcome.ok
    [status] = fake.status_list
    creative_apply_utm(creative=creative)  # what goes out carries the UTM parameters
    assert status["content"] == creative.full_text()
    assert status["media_ids"] == [next(iter(fake.media))]
    assert next(iter(fake.media.values()))["description"]
    assert outcome.publication.url == status["url"]
    assert outcome.publication.external_id == status["id"]


def test_mastodon_sends_an_idempotency_key_per_publication(fake, creative):
    outcome = publication_publish_live(creative=creative)
    [call] = fake.calls("/api/v1/statuses")
    assert call["headers"]["Idempotency-Key"] == f"aicmo-{outcome.publication.pk}"
    assert call["headers"]["Authorization"] == f"Bearer {MASTODON_TOKEN}"


def test_mastodon_reads_the_instance_limit_and_refuses_a_longer_post(fake, creative):
    fake.max_characters = 20
    outcome = publication_publish_live(creative=creative)
    assert not outcome.ok
    assert "allows 20 characters" in outcome.publication.last_error
    assert fake.status_list == []


def test_mastodon_lost_answer_is_not_posted_twice(fake, creative):
    fake.plan("/api/v1/statuses", "slow")  # the status is made, the answer comes too late
    outcome = publication_publish_live(creative=creative)
    assert outcome.ok
    assert len(fake.calls("/api/v1/statuses")) == 2
    assert len(fake.status_list) == 1
    assert outcome.publication.url == fake.status_list[0]["url"]


def test_mastodon_429_waits_for_x_ratelimit_reset_then_posts(fake, creative):
    reset = (datetime.now(UTC) + timedelta(seconds=0.2)).isoformat()
    fake.plan("/api/v1/statuses", (429, {"error": "Too many requests"}, {"X-RateLimit-Reset": reset}))
    outcome = publication_publish_live(creative=creative)
    assert outcome.ok
    assert [a.status_code for a in outcome.publication.attempts.all()] == [429, None]


def test_mastodon_422_while_media_processes_is_retried(fake, creative):
    fake.plan("/api/v1/statuses", (422, {"error": "Cannot attach files that have not finished processing. Try again in a moment!"}, {}))
    outcome = publication_publish_live(creative=creative)
    assert outcome.ok
    assert len(fake.status_list) == 1


def test_mastodon_polls_media_answered_202_until_ready(fake, creative):
    fake.media_processing_polls = 2
    outcome = publication_publish_live(creative=creative)
    assert outcome.ok
    assert len([c for c in fake.requests if c["path"].startswith("/api/v1/media/")]) == 3


def test_mastodon_401_is_final_with_the_platform_message(fake, creative):
    creative.campaign.brand.credentials.update(secret="wrong-token-123456")
    outcome = publication_publish_live(creative=creative)
    assert not outcome.ok
    assert "The access token is invalid" in outcome.publication.last_error
    assert outcome.publication.attempts.count() == 1
    assert outcome.publication.status == PublicationStatus.FAILED


def test_mastodon_5xx_is_retried(fake, creative):
    fake.plan("/api/v1/statuses", 502, 500)
    outcome = publication_publish_live(creative=creative)
    assert outcome.ok
    assert outcome.publication.attempts.count() == 3


def test_mastodon_garbage_answer_fails_without_crashing(fake, creative):
    fake.plan("/api/v1/statuses", "garbage")
    outcome = publication_publish_live(creative=creative)
    assert not outcome.ok
    assert "not with JSON" in outcome.publication.last_error


def test_mastodon_failed_post_can_be_retried(fake, creative):
    fake.plan("/api/v1/statuses", 500, 500, 500)
    first = publication_publish_live(creative=creative)
    assert not first.ok
    second = publication_publish_live(creative=creative)
    assert second.ok
    assert second.publication.pk == first.publication.pk
    assert second.publication.attempts.count() == 4
