"""Each platform's limits and post-URL checks, from the one registry."""

from __future__ import annotations

import pytest

from campaigns.publishing.adapters.base import retry_after_seconds
from campaigns.publishing.platforms import PLATFORMS

LIMITS = {"linkedin": 3000, "instagram": 2200, "x": 280, "facebook": 63206, "threads": 500,
          "mastodon": 500, "bluesky": 300}


@pytest.mark.embedded
@pytest.mark.parametrize(("slug", "limit"), LIMITS.items())
def test_platform_caption_limit_is_enforced_at_the_limit(slug, limit):
    rules = PLATFORMS[slug]
    assert rules.caption_limit == limit
    assert rules.check_length("a" * limit) == []
    assert rules.check_length("a" * (limit + 1))


def test_bluesky_limit_counts_graphemes_not_code_points():
    assert PLATFORMS["bluesky"].check_length("e\u0301" * 300) == []  # 600 code points


def test_bluesky_refuses_more_than_3000_bytes_within_300_graphemes():
    problems = PLATFORMS["bluesky"].check_length("👨‍👩‍👧" * 200)  # 200 graphemes, 3,600 bytes
    assert problems == ["Bluesky allows 3,000 bytes of UTF-8 text."]



def test_instagram_allows_five_hashtags():
    assert PLATFORMS["instagram"].check_hashtags(["a"] * 5) == []
    assert PLATFORMS["instagram"].check_hashtags(["a"] * 6)


def test_x_link_weighs_23_against_the_limit():
    text = "a" * 257 + "https://example.com/" + "b" * 300
    assert PLATFORMS["x"].count(text) == 280


GOOD_URLS = {
    "linkedin": "https://www.linkedin.com/feed/update/urn:li:activity:7000000000000000000/",
    "instagram": "https://www.instagram.com/p/C0abcdEFgh/",
    "x": "https://x.com/northwind/status/1790000000000000000",
    "facebook": "https://www.facebook.com/northwind/posts/pfbid02abc",
    "threads": "https://www.threads.net/@northwind/post/C0abcdEFgh",
    "bluesky": "https://bsky.app/profile/northwind.bsky.social/post/3kabcdefghi2x",
    "mastodon": "https://mastodon.social/@northwind/113000000000000000",
}


@pytest.mark.embedded
@pytest.mark.parametrize(("slug", "url"), GOOD_URLS.items())
def test_platform_accepts_a_post_url_on_its_domain(slug, url):
    assert PLATFORMS[slug].validate_post_url(url, instance="mastodon.social") is None


def test_x_accepts_twitter_com_too():
    assert PLATFORMS["x"].validate_post_url("https://twitter.com/a/status/1") is None


@pytest.mark.parametrize("slug", sorted(GOOD_URLS))
def test_platform_refuses_plain_http(slug):
    url = GOOD_URLS[slug].replace("https://", "http://")
    assert "https://" in PLATFORMS[slug].validate_post_url(url, instance="mastodon.social")


@pytest.mark.parametrize("slug", sorted(GOOD_URLS))
def test_platform_refuses_javascript_urls(slug):
    problem = PLATFORMS[slug].validate_post_url("javascript:alert(1)//x.com/a",
                                                 instance="mastodon.social")
    assert problem


@pytest.mark.parametrize(("slug", "url"), [
    ("linkedin", "https://evil-linkedin.com/feed/update/1"),
    ("linkedin", "https://linkedin.com.evil.example/feed/update/1"),
    ("instagram", "https://instagram.example/p/1"),
    ("x", "https://bsky.app/profile/a/post/1"),
    ("facebook", "https://faceb00k.com/a/posts/1"),
    ("threads", "https://threads.example/@a/post/1"),
    ("bluesky", "https://bsky.social.evil.example/profile/a/post/1"),
])
def test_platform_refuses_a_url_on_another_domain(slug, url):
    assert "must be on" in PLATFORMS[slug].validate_post_url(url, instance="mastodon.social")


def test_mastodon_refuses_another_instance():
    problem = PLATFORMS["mastodon"].validate_post_url(
        "https://fosstodon.org/@northwind/1", instance="mastodon.social")
    assert "mastodon.social" in problem


def test_mastodon_needs_the_brands_instance():
    problem = PLATFORMS["mastodon"].validate_post_url("https://mastodon.social/@a/1", instance="")
    assert "instance" in problem


def test_platform_refuses_its_home_page():
    assert "home page" in PLATFORMS["linkedin"].validate_post_url("https://www.linkedin.com/")


def test_mastodon_compose_link_uses_the_brands_instance():
    link = PLATFORMS["mastodon"].compose_link("Hi there", instance="fosstodon.org")
    assert link == "https://fosstodon.org/share?text=Hi%20there"


def test_instagram_has_no_compose_link():
    assert PLATFORMS["instagram"].compose_link("Hi") == ""


def test_retry_after_reads_seconds_iso_and_epoch_headers():
    from datetime import UTC, datetime

    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    assert retry_after_seconds({"Retry-After": "7"}, now) == 7
    assert retry_after_seconds({"X-RateLimit-Reset": "2026-11-25T12:00:30.000Z"}, now) == 30
    assert retry_after_seconds({"RateLimit-Reset": str(int(now.timestamp()) + 12)}, now) == 12
    assert retry_after_seconds({}, now) is None


def test_bluesky_image_over_two_million_bytes_is_refused():
    problems = PLATFORMS["bluesky"].image_problems(width=1000, height=1000, size=2_000_001, alt="")
    assert problems == ["Bluesky takes images up to 2,000,000 bytes; this one has 2,000,001."]


def test_mastodon_alt_text_over_1500_characters_is_refused():
    problems = PLATFORMS["mastodon"].image_problems(width=10, height=10, size=10, alt="a" * 1501)
    assert "alt text up to 1,500" in problems[0]


def test_instagram_portrait_4_5_image_is_fine():
    assert PLATFORMS["instagram"].image_problems(width=1080, height=1350, size=1, alt="") == []
