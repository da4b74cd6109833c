"""The Bluesky adapter against a real local XRPC server; facets, rkeys and timestamps."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from campaigns.models import PublishingCredential
from campaigns.publishing.adapters.bluesky import created_at, facets, record_key, tid
from campaigns.publishing.services import publication_publish_live
from campaigns.tests.factories import CreativeFactory
from campaigns.tests.fake_platform import (
    BLUESKY_PASSWORD,
    approved_creative,
    credential,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def creative(fake):
    creative = approved_creative("bluesky", image=True, caption="Roast day ☕ at the lab",
                                 hashtags=["coffee"], link="https://brand.example/roast")
    credential(creative, "bluesky", fake.url)
    return creative


def test_facets_count_utf8_bytes_for_links_and_tags():
    text = "Café ☕ https://a.example/x #roast"
    found = facets(text)
    link, tag = found
    start = len("Café ☕ ".encode())
    assert link["index"] == {"byteStart": start, "byteEnd": start + len("https://a.example/x")}
    assert link["features"][0]["uri"] == "https://a.example/x"
    tag_start = len("Café ☕ https://a.example/x ".encode())
    assert tag["index"] == {"byteStart": tag_start, "byteEnd": tag_start + len("#roast")}
    assert tag["features"][0] == {"$type": "app.bsky.richtext.facet#tag", "tag": "roast"}


def test_created_at_ends_in_z():
    assert created_at(datetime(2026, 11, 25, 13, 0, 5, 123456, tzinfo=UTC)) == \
        "2026-11-25T13:00:05.123Z"


def test_tid_is_13_sortable_characters():
    early = tid(datetime(2026, 1, 1, tzinfo=UTC), 7)
    late = tid(datetime(2026, 1, 2, tzinfo=UTC), 7)
    assert len(early) == 13 and early < late


def test_bluesky_posts_a_record_with_a_deterministic_rkey_and_swap_null(fake, creative):
    outcome = publication_publish_live(creative=creative)
    assert outcome.ok
    [put] = fake.calls("/xrpc/com.atproto.repo.putRecord")
    import json
    body = json.loads(put["body"])
    assert body["rkey"] == record_key(outcome.publication)
    assert "swapRecord" in body and body["swapRecord"] is None
    record = body["record"]
    assert record["createdAt"].endswith("Z")
    assert record["embed"]["images"][0]["alt"] == "Beans cooling in a steel tray"
    assert record["embed"]["images"][0]["image"]["ref"] == {"$link": "bafkblob"}
    assert {f["features"][0]["$type"] for f in record["facets"]} == {
        "app.bsky.richtext.facet#link", "app.bsky.richtext.facet#tag"}
    assert outcome.publication.url == f"https://bsky.app/profile/brand.test/post/{body['rkey']}"


def test_bluesky_keeps_the_session_across_posts(fake, creative):
    second = CreativeFactory(campaign=creative.campaign, platform="bluesky", status="approved")
    assert publication_publish_live(creative=creative).ok
    assert publication_publish_live(creative=second).ok
    assert fake.sessions_created == 1
    stored = PublishingCredential.objects.get().session
    assert stored["did"] == "did:plc:testbrand"


def test_bluesky_refreshes_an_expired_token_and_retries(fake, creative):
    assert publication_publish_live(creative=creative).ok
    session = PublishingCredential.objects.get().session
    fake.expired_tokens.add(session["accessJwt"])
    second = CreativeFactory(campaign=creative.campaign, platform="bluesky", status="approved")
    assert publication_publish_live(creative=second).ok
    assert fake.sessions_refreshed == 1
    assert fake.sessions_created == 1


def test_bluesky_lost_answer_is_found_not_posted_again(fake, creative):
    fake.plan("/xrpc/com.atproto.repo.putRecord", "slow")
    outcome = publication_publish_live(creative=creative)
    assert outcome.ok
    assert len(fake.records) == 1
    assert len(fake.calls("/xrpc/com.atproto.repo.putRecord")) == 1  # found by getRecord


def test_bluesky_wrong_app_password_is_final(fake, creative):
    PublishingCredential.objects.update(secret="not-" + BLUESKY_PASSWORD)
    outcome = publication_publish_live(creative=creative)
    assert not outcome.ok
    assert "Invalid identifier or password" in outcome.publication.last_error
    assert outcome.publication.attempts.count() == 1


def test_bluesky_5xx_then_success(fake, creative):
    fake.plan("/xrpc/com.atproto.repo.putRecord", 500)
    outcome = publication_publish_live(creative=creative)
    assert outcome.ok
    assert len(fake.records) == 1


def test_bluesky_html_error_page_is_reported_not_raised(fake, creative):
    fake.plan("/xrpc/com.atproto.server.createSession", "html502", "html502", "html502")
    outcome = publication_publish_live(creative=creative)
    assert outcome.publication.last_error.startswith("502 from the platform")


def test_bluesky_refuses_a_post_over_300_graphemes(fake):
    creative = approved_creative("bluesky", caption="x" * 301, hashtags=[], link="")
    credential(creative, "bluesky", fake.url)
    outcome = publication_publish_live(creative=creative)
    assert not outcome.ok
    assert "300" in outcome.publication.last_error
    assert fake.records == {}
