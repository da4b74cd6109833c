"""Platform rules: counting, limits and the post-URL checks."""

from __future__ import annotations

import pytest

from campaigns.publishing.platforms import PLATFORMS, count_graphemes, count_mastodon, count_x
from campaigns.validation import normalise_hashtags, post_problems


@pytest.mark.embedded
def test_x_counts_each_url_as_23():
    assert count_x("Read https://example.com/a/very/long/path/indeed") == len("Read ") + 23


def test_x_counts_cjk_and_emoji_as_two():
    assert count_x("日本") == 4
    assert count_x("👍🏽") == 2


def test_graphemes_keep_zwj_families_and_flags_together():
    assert count_graphemes("👨‍👩‍👧") == 1
    assert count_graphemes("🇬🇧") == 1
    assert count_graphemes("é") == 1  # e + combining acute


def test_mastodon_counts_mentions_by_local_part():
    assert count_mastodon("@ann@example.social hi") == len("@ann hi")


@pytest.mark.parametrize(
    ("platform", "url", "instance"),
    [
        ("linkedin", "https://www.linkedin.com/feed/update/urn:li:activity:1/", ""),
        ("x", "https://x.com/brand/status/1", ""),
        ("x", "https://twitter.com/brand/status/1", ""),
        ("facebook", "https://fb.com/story/1", ""),
        ("threads", "https://www.threads.com/@brand/post/abc", ""),
        ("bluesky", "https://bsky.app/profile/brand.bsky.social/post/3k", ""),
        ("mastodon", "https://mastodon.social/@brand/1123", "mastodon.social"),
        ("instagram", "https://www.instagram.com/p/Cx1/", ""),
    ],
)
def test_post_url_on_platform_domain_is_accepted(platform, url, instance):
    assert PLATFORMS[platform].validate_post_url(url, instance) is None


@pytest.mark.parametrize(
    ("platform", "url", "instance", "reason"),
    [
        ("linkedin", "http://www.linkedin.com/feed/update/1", "", "https://"),
        ("linkedin", "https://linkedin.com.evil.example/post/1", "", "must be on linkedin.com"),
        ("x", "javascript:alert(1)", "", "https://"),
        ("mastodon", "https://fosstodon.org/@brand/1", "mastodon.social", "mastodon.social"),
        ("bluesky", "https://bsky.app/", "", "home page"),
    ],
)
def test_post_url_elsewhere_is_refused(platform, url, instance, reason):
    assert reason in PLATFORMS[platform].validate_post_url(url, instance)


def test_instagram_refuses_more_than_five_hashtags():
    problems = post_problems(platform="instagram", caption="Hi", hashtags=list("abcdef"))
    assert problems == ["Instagram allows at most 5 hashtags; this post has 6."]


def test_bluesky_limit_is_300_graphemes():
    assert post_problems(platform="bluesky", caption="a" * 300, hashtags=[]) == []
    assert post_problems(platform="bluesky", caption="a" * 301, hashtags=[])


def test_normalise_hashtags_strips_hashes_and_repeats():
    assert normalise_hashtags("#Coffee, coffee  #beans") == ["Coffee", "beans"]


@pytest.mark.django_db
def test_preview_folds_linkedin_text_near_210_characters():
    from campaigns.tests.factories import CreativeFactory

    creative = CreativeFactory(caption=("word " * 80).strip(), hashtags=[], link="")
    shown, hidden = creative.preview_parts()
    assert 126 < len(shown) <= 210
    assert shown + hidden == creative.full_text()


@pytest.mark.django_db
def test_preview_does_not_fold_x_posts():
    from campaigns.tests.factories import CreativeFactory

    creative = CreativeFactory(platform="x", caption="Short post", hashtags=[], link="")
    assert creative.preview_parts() == ("Short post", "")
