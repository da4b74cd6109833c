"""Adapting a post for another platform keeps it within that platform's rules."""

from __future__ import annotations

from itertools import permutations

import pytest

from campaigns.adapting import ELLIPSIS, adapt_post, creative_adapt, hashtag_allowance
from campaigns.models import Creative, CreativeStatus
from campaigns.publishing.platforms import PLATFORMS
from campaigns.tests.factories import CampaignFactory, CreativeFactory
from campaigns.validation import post_problems

SENTENCE = "Small batches mean we can taste every roast before it ships, and adjust the next. "


def longest_post(slug: str) -> dict:
    """A post that fills the source platform: as many sentences and hashtags as it allows."""
    rules = PLATFORMS[slug]
    tags = [f"tag{i}" for i in range(rules.hashtag_limit if rules.hashtag_limit is not None else 8)]
    link = "https://brand.example/a/long/path/to/the/autumn-roast?utm_source=aicmo"
    caption = ""
    while not post_problems(platform=slug, caption=caption + SENTENCE, hashtags=tags, link=link):
        caption += SENTENCE
        if len(caption) > 5000:  # Facebook's limit is far away; 5,000 characters is plenty
            break
    caption = caption or "Fresh beans."
    assert not post_problems(platform=slug, caption=caption, hashtags=tags, link=link)
    return {"caption": caption.strip(), "hashtags": tags, "link": link}


@pytest.mark.parametrize(("source", "target"), list(permutations(PLATFORMS, 2)),
                         ids=lambda s: s)
def test_adapt_post_stays_within_the_target_platforms_rules(source, target):
    post = longest_post(source)
    adapted = adapt_post(target=target, **post)
    assert post_problems(platform=target, caption=adapted.caption, hashtags=adapted.hashtags,
                         link=adapted.link) == []
    assert adapted.caption
    allowance = hashtag_allowance(PLATFORMS[target])
    if allowance is not None:
        assert len(adapted.hashtags) <= allowance
    assert adapted.hashtags == post["hashtags"][: len(adapted.hashtags)]


def test_adapt_post_cuts_at_a_sentence_boundary():
    caption = "First sentence here. " * 30
    adapted = adapt_post(caption=caption, hashtags=[], link="", target="x")
    assert adapted.caption.endswith("First sentence here.")
    assert len(adapted.caption) <= 280


def test_adapt_post_cuts_a_long_sentence_at_a_word_with_an_ellipsis():
    caption = " ".join(["roasting"] * 100)
    adapted = adapt_post(caption=caption, hashtags=[], link="", target="bluesky")
    assert adapted.caption.endswith("roasting" + ELLIPSIS)
    assert len(adapted.caption) <= 300


def test_adapt_post_keeps_the_link_where_it_is_clickable():
    adapted = adapt_post(caption="Read more.", hashtags=[], link="https://b.example/x", target="x")
    assert adapted.link == "https://b.example/x"


def test_adapt_post_drops_the_link_on_instagram_for_the_bio():
    adapted = adapt_post(caption="Read more.", hashtags=[], link="https://b.example/x",
                         target="instagram")
    assert adapted.link == ""
    assert adapted.caption == "Read more. Link in bio."


def test_adapt_post_trims_hashtags_to_the_platform_limit():
    tags = ["a", "b", "c", "d", "e", "f", "g"]
    assert adapt_post(caption="Hi.", hashtags=tags, link="", target="threads").hashtags == ["a"]
    assert adapt_post(caption="Hi.", hashtags=tags, link="", target="instagram").hashtags == tags[:5]
    assert adapt_post(caption="Hi.", hashtags=tags, link="", target="x").hashtags == ["a", "b"]
    assert adapt_post(caption="Hi.", hashtags=tags, link="", target="mastodon").hashtags == tags


def test_adapt_post_counts_wide_characters_the_way_x_does():
    caption = "焙煎したての豆をお届けします。" * 20
    adapted = adapt_post(caption=caption, hashtags=["coffee"], link="", target="x")
    assert post_problems(platform="x", caption=adapted.caption, hashtags=adapted.hashtags) == []


@pytest.mark.django_db
def test_creative_adapt_makes_a_new_draft_and_leaves_the_original(operator):
    campaign = CampaignFactory(platforms=["linkedin", "x"])
    original = CreativeFactory(campaign=campaign, status=CreativeStatus.APPROVED,
                               caption=SENTENCE * 10, hashtags=["a", "b", "c", "d"])
    copy = creative_adapt(creative=original, platform="x", author=operator)
    assert (copy.platform, copy.status, copy.version, copy.author) == ("x", "draft", 1, operator)
    assert copy.campaign == campaign and copy.scheduled_at == original.scheduled_at
    assert not copy.over_limit()
    assert copy.versions.count() == 1
    original.refresh_from_db()
    assert (original.status, original.platform) == ("approved", "linkedin")
    assert Creative.objects.count() == 2
