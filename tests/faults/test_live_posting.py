"""A live posting batch against adapters that fail, go slow or answer garbage midway.

The operator posts a campaign's approved Mastodon posts one after another through the
Execution page (as a posting session does), against a real local server that speaks the
Mastodon API and counts every status it receives. Whatever breaks midway: what was posted is
recorded with its link, what was not is recorded as failed with the reason and can be retried
from the page, and no status reaches the platform twice.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from campaigns.models import Publication, PublicationStatus, PublishAttempt
from campaigns.tests.factories import CampaignFactory, CreativeFactory
from campaigns.tests.fake_platform import FakePlatform, credential, fast_publishing

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
STATUSES = "/api/v1/statuses"


@pytest.fixture
def fake(settings):
    fast_publishing(settings)
    with FakePlatform(slow_seconds=0.6) as server:
        yield server


@pytest.fixture
def batch(fake):
    """Five approved Mastodon posts of one campaign, with the brand's Mastodon credential."""
    campaign = CampaignFactory(platforms=["mastodon"])
    creatives = [
        CreativeFactory(campaign=campaign, platform="mastodon", status="approved",
                        caption=f"Batch post {n}: roasting notes.", hashtags=[])
        for n in range(1, 6)
    ]
    credential(creatives[0], "mastodon", fake.url)
    return creatives


def _publish(client, creative):
    url = reverse("campaigns:execution_publish", args=[creative.platform, creative.pk])
    response = client.post(url, **HTMX)
    assert response.status_code == 200
    return response.content.decode()


def _status_of(creative) -> str:
    publication = Publication.objects.filter(creative=creative).first()
    return publication.status if publication else "none"


def _posted_texts(fake) -> list[str]:
    return [status["content"].split(":")[0] for status in fake.status_list]


def test_batch_failing_midway_records_what_was_posted_and_what_was_not(operator_client, fake,
                                                                     batch):
    # Posts 1 and 2 go through; the platform then fails hard on post 3 (every attempt), and
    # the batch carries on with 4 and 5.
    _publish(operator_client, batch[0])
    _publish(operator_client, batch[1])
    fake.plan(STATUSES, 500, 500, 500)
    page = _publish(operator_client, batch[2])
    _publish(operator_client, batch[3])
    _publish(operator_client, batch[4])

    assert "Not posted:" in page
    assert "gave up after 3 attempts" in page
    assert [_status_of(c) for c in batch] == [
        PublicationStatus.PUBLISHED, PublicationStatus.PUBLISHED, PublicationStatus.FAILED,
        PublicationStatus.PUBLISHED, PublicationStatus.PUBLISHED,
    ]
    failed = Publication.objects.get(creative=batch[2])
    assert "gave up after 3 attempts" in failed.last_error
    assert (failed.url, failed.external_id) == ("", "")
    assert PublishAttempt.objects.filter(publication=failed, ok=False).count() == 3
    assert all(Publication.objects.get(creative=c).url.startswith("https://mastodon.social/")
               for c in (batch[0], batch[1], batch[3], batch[4]))
    assert _posted_texts(fake) == ["Batch post 1", "Batch post 2", "Batch post 4", "Batch post 5"]


def test_batch_retry_posts_only_what_failed(operator_client, fake, batch):
    _publish(operator_client, batch[0])
    fake.plan(STATUSES, 503, 503, 503)
    _publish(operator_client, batch[1])
    assert _status_of(batch[1]) == PublicationStatus.FAILED

    # The operator runs the whole batch again: the failed post goes out, the others are
    # recognised as done and nothing reaches the platform twice.
    pages = [_publish(operator_client, c) for c in batch]

    assert "already recorded" in pages[0]
    assert [_status_of(c) for c in batch] == [PublicationStatus.PUBLISHED] * 5
    assert sorted(_posted_texts(fake)) == [f"Batch post {n}" for n in range(1, 6)]
    assert _posted_texts(fake).count("Batch post 1") == 1


def test_batch_lost_answer_is_not_posted_twice(operator_client, fake, batch):
    # The platform posts, then answers too late (the answer is lost): the retry carries the
    # same idempotency key, so the status is found, not posted again.
    fake.plan(STATUSES, "slow")
    _publish(operator_client, batch[0])
    _publish(operator_client, batch[1])
    assert [_status_of(c) for c in batch[:2]] == [PublicationStatus.PUBLISHED] * 2
    assert _posted_texts(fake) == ["Batch post 1", "Batch post 2"]


@pytest.mark.parametrize("behaviour", ["html502", 429])
def test_batch_garbage_answer_is_retried_and_posts_once(operator_client, fake, batch,
                                                        behaviour):
    fake.plan(STATUSES, behaviour)
    _publish(operator_client, batch[0])
    assert _status_of(batch[0]) == PublicationStatus.PUBLISHED
    assert _posted_texts(fake) == ["Batch post 1"]


def test_batch_garbage_200_fails_with_a_message_and_the_retry_posts_once(operator_client, fake,
                                                                        batch):
    # A 200 that is not JSON may or may not have posted: the adapter stops and says so, and
    # the operator's retry (same idempotency key) cannot post it twice.
    fake.plan(STATUSES, "garbage")
    page = _publish(operator_client, batch[0])
    assert "answered 200 but not with JSON" in page
    assert _status_of(batch[0]) == PublicationStatus.FAILED
    _publish(operator_client, batch[0])
    assert _status_of(batch[0]) == PublicationStatus.PUBLISHED
    assert _posted_texts(fake) == ["Batch post 1"]


def test_batch_platform_down_says_so_and_can_be_retried(operator_client, fake, batch, settings):
    from campaigns.models import PublishingCredential

    PublishingCredential.objects.update(config={"api_base": "http://127.0.0.1:9"})
    page = _publish(operator_client, batch[0])
    assert "Not posted:" in page
    assert _status_of(batch[0]) == PublicationStatus.FAILED
    PublishingCredential.objects.update(config={"api_base": fake.url})
    _publish(operator_client, batch[0])
    assert _status_of(batch[0]) == PublicationStatus.PUBLISHED
    assert _posted_texts(fake) == ["Batch post 1"]


def test_batch_slow_platform_without_an_answer_fails_cleanly(operator_client, fake, batch,
                                                             settings):
    """Every attempt times out: the post is FAILED (not left "posting"), and the retry, once the
    platform is quick again, finds the status the slow attempts made instead of posting it."""
    fake.plan(STATUSES, "slow", "slow", "slow")
    page = _publish(operator_client, batch[0])
    assert "Not posted:" in page
    assert _status_of(batch[0]) == PublicationStatus.FAILED
    _publish(operator_client, batch[0])
    assert _status_of(batch[0]) == PublicationStatus.PUBLISHED
    assert _posted_texts(fake) == ["Batch post 1"]
