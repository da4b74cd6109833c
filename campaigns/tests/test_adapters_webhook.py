"""The signed webhook adapter against a real local receiver that verifies the signature."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging

import pytest

from campaigns.attribution import creative_apply_utm
from campaigns.models import PublicationStatus, PublishAttempt
from campaigns.publishing.adapters.webhook import sign
from campaigns.publishing.services import publication_publish_live
from campaigns.tests.fake_platform import (
    WEBHOOK_SECRET,
    approved_creative,
    credential,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def creative(fake):
    creative = approved_creative("linkedin", image=True)
    credential(creative, "webhook", fake.url)
    return creative


def test_webhook_sign_is_hmac_sha256_of_the_exact_bytes():
    body = b'{"a":1}'
    expected = hmac.new(b"k" * 16, body, hashlib.sha256).hexdigest()
    assert sign("k" * 16, body) == f"sha256={expected}"


def test_webhook_publish_is_signed_and_verified_by_the_receiver(fake, creative, operator):
    outcome = publication_publish_live(creative=creative, user=operator)
    assert outcome.ok
    [call] = fake.calls("/hook")
    expected = hmac.new(WEBHOOK_SECRET.encode(), call["body"], hashlib.sha256).hexdigest()
    assert call["headers"]["X-Signature-256"] == f"sha256={expected}"
    payload = json.loads(call["body"])
    creative_apply_utm(creative=creative)  # what goes out carries the UTM parameters
    assert payload["text"] == creative.full_text()
    assert "utm_source=linkedin" in payload["text"]
    assert payload["image"]["alt"] == "Beans cooling in a steel tray"
    publication = outcome.publication
    assert publication.status == PublicationStatus.PUBLISHED
    assert publication.external_id == f"zap-aicmo-{publication.pk}"
    assert publication.published_by == operator


def test_webhook_retries_a_5xx_with_the_same_delivery_id(fake, creative):
    fake.plan("/hook", 500, 503)
    outcome = publication_publish_live(creative=creative)
    assert outcome.ok
    keys = {call["headers"]["Idempotency-Key"] for call in fake.calls("/hook")}
    assert keys == {f"aicmo-{outcome.publication.pk}"}
    attempts = list(outcome.publication.attempts.values_list("ok", "status_code"))
    assert attempts == [(False, 500), (False, 503), (True, None)]


def test_webhook_4xx_is_final_with_the_receivers_message(fake, creative):
    fake.plan("/hook", (403, {"error": "Zap is turned off"}, {}))
    outcome = publication_publish_live(creative=creative)
    assert not outcome.ok
    assert "Zap is turned off" in outcome.publication.last_error
    assert outcome.publication.status == PublicationStatus.FAILED
    assert PublishAttempt.objects.count() == 1


def test_webhook_timeouts_are_retried_then_fail_with_a_readable_error(fake, creative):
    fake.plan("/hook", "slow", "slow", "slow")
    outcome = publication_publish_live(creative=creative)
    assert not outcome.ok
    assert "did not answer within" in outcome.publication.last_error
    assert outcome.publication.attempts.count() == 3


def test_webhook_proxy_html_page_reads_502_from_the_platform(fake, creative):
    fake.plan("/hook", "html502", "html502", "html502")
    outcome = publication_publish_live(creative=creative)
    assert outcome.publication.last_error.startswith("502 from the platform")


def test_webhook_accepts_a_2xx_that_is_not_json(fake, creative):
    fake.plan("/hook", "garbage")
    outcome = publication_publish_live(creative=creative)
    assert outcome.ok
    assert outcome.publication.external_id == f"aicmo-{outcome.publication.pk}"


def test_webhook_secret_never_reaches_logs_or_attempts(fake, creative, caplog):
    fake.plan("/hook", 500, (400, {"error": "nope"}, {}))
    with caplog.at_level(logging.DEBUG):
        publication_publish_live(creative=creative)
    assert WEBHOOK_SECRET not in caplog.text
    assert not PublishAttempt.objects.filter(message__contains=WEBHOOK_SECRET).exists()


def test_webhook_redirect_is_not_taken_for_success(fake, creative):
    fake.plan("/hook", (302, {"error": "Moved"}, {"Location": "/login"}))
    outcome = publication_publish_live(creative=creative)
    assert not outcome.ok
    assert "302" in outcome.publication.last_error
    assert fake.calls("/login") == []
