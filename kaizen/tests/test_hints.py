"""generation_hints_for: what the local engine takes from a brand's insights."""

from __future__ import annotations

import pytest

from kaizen.selectors import GenerationHints, generation_hints_for
from kaizen.tests.builders import REJECTED, at, make_brand, make_campaign, make_post, make_review


@pytest.mark.embedded
def test_generation_hints_for_a_brand_with_enough_data(northwind):
    hints = generation_hints_for(northwind)
    assert isinstance(hints, GenerationHints)
    assert hints.best_weekdays == [0, 1]
    assert hints.best_hours == [9, 14]
    # Overall rate 295 / 6100 ≈ 4.84 %: sale (5.91 %) and brew (5.25 %) beat it, coffee does not.
    assert hints.hashtags == ["sale", "brew"]
    assert hints.avoid_phrases == ["too salesy"]


def test_generation_hints_rationale_names_the_insights(northwind):
    rationale = generation_hints_for(northwind).rationale
    assert rationale == (
        "Kaizen insights for Northwind: Mondays engage best (4.8% over 3 posts); "
        "09:00 is the best hour (5.2% over 3 posts); best hashtags #sale, #brew; "
        "avoiding “too salesy” (rejected 2 times)."
    )
    assert "\n" not in rationale


@pytest.mark.embedded
def test_generation_hints_for_a_brand_without_data_is_none(northwind):
    assert generation_hints_for(make_brand("Newcomer")) is None


def test_generation_hints_below_the_minimum_sample_is_none(small_sample):
    brand = make_brand("Thin")
    campaign = make_campaign(brand)
    post = make_post(campaign, platform="instagram", published_at=at("2026-11-16"),
                     impressions=100, likes=10, hashtags=["one"])
    make_review(post.creative, decision=REJECTED, reason="Too long")
    assert generation_hints_for(brand) is None


def test_generation_hints_shorten_long_rejection_reasons(small_sample):
    brand = make_brand("Wordy")
    campaign = make_campaign(brand)
    reason = "The caption reads like an advert and never mentions what the reader gets out of it"
    for day in ("2026-11-16", "2026-11-17"):
        post = make_post(campaign, platform="x", published_at=at(day), impressions=10)
        make_review(post.creative, decision=REJECTED, reason=reason)
    hints = generation_hints_for(brand)
    assert hints.avoid_phrases == ["the caption reads like an advert and never mentions what"]
    assert hints.best_weekdays == [] and hints.hashtags == []
