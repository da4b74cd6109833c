"""Each insight against figures worked out by hand from the `northwind` fixture."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kaizen import insights


def _figures(rows):
    return [(row.key, row.posts, row.engagements, row.impressions, round(row.rate, 6))
            for row in rows]


@pytest.mark.embedded
def test_platform_rates_rank_platforms_by_engagement_rate(northwind):
    # instagram: (70 + 40 + 100) / 4000; linkedin: (20 + 10 + 5) / 2000; mastodon: 1 post only.
    assert _figures(insights.platform_rates(northwind)) == [
        ("instagram", 3, 210, 4000, 0.0525),
        ("linkedin", 3, 35, 2000, 0.0175),
    ]


@pytest.mark.embedded
def test_weekday_rates_count_monday_as_zero(northwind):
    # Monday: posts 1, 2, 5 → 120 / 2500; Tuesday: posts 3, 4, 6 → 125 / 3500.
    assert _figures(insights.weekday_rates(northwind)) == [
        (0, 3, 120, 2500, 0.048),
        (1, 3, 125, 3500, round(125 / 3500, 6)),
    ]
    assert insights.weekday_rates(northwind)[0].label == "Monday"


@pytest.mark.embedded
def test_hour_rates_rank_hours_posted(northwind):
    assert _figures(insights.hour_rates(northwind)) == [
        (9, 3, 210, 4000, 0.0525),
        (14, 3, 35, 2000, 0.0175),
    ]


@pytest.mark.embedded
def test_hashtag_rates_normalise_tags_and_count_each_post_once(northwind):
    # sale: posts 5, 6, 7 → 65 / 1100; brew: posts 1, 2, 3 → 210 / 4000;
    # coffee: posts 1, 3, 4, 5 → 200 / 4500 (post 4 carries it twice, counted once).
    assert _figures(insights.hashtag_rates(northwind)) == [
        ("sale", 3, 65, 1100, round(65 / 1100, 6)),
        ("brew", 3, 210, 4000, 0.0525),
        ("coffee", 4, 200, 4500, round(200 / 4500, 6)),
    ]


@pytest.mark.embedded
def test_overall_rate_covers_every_current_post_of_the_brand(northwind):
    overall = insights.overall_rate(northwind)
    assert (overall.posts, overall.engagements, overall.impressions) == (7, 295, 6100)


def test_rates_over_all_brands_include_the_other_brand(northwind):
    # Helio's one instagram post (500 / 1000) joins Northwind's three.
    assert _figures(insights.platform_rates())[0] == ("instagram", 4, 710, 5000, 0.142)


@pytest.mark.embedded
def test_rates_hide_groups_below_the_minimum_sample(northwind, settings):
    settings.INSIGHTS_MIN_SAMPLE = 4
    assert insights.platform_rates(northwind) == []
    assert insights.weekday_rates(northwind) == []
    assert [row.key for row in insights.hashtag_rates(northwind)] == ["coffee"]


def test_minimum_sample_defaults_to_five(northwind, settings):
    del settings.INSIGHTS_MIN_SAMPLE
    assert insights.min_sample() == 5
    assert insights.hour_rates(northwind) == []


def test_simulated_posts_count_when_settings_include_them(northwind, settings):
    settings.INSIGHTS_INCLUDE_SIMULATED = True
    instagram = insights.platform_rates(northwind)[0]
    assert (instagram.posts, instagram.engagements, instagram.impressions) == (4, 1110, 5000)


@pytest.mark.embedded
def test_rejection_reasons_group_without_case_or_spaces(northwind):
    rows = insights.rejection_reasons(northwind)
    assert [(row.label, row.count) for row in rows] == [("too salesy", 2), ("wrong tone", 1)]


def test_rejection_reasons_over_all_brands(northwind):
    labels = [row.label for row in insights.rejection_reasons()]
    assert labels == ["too salesy", "off brand", "wrong tone"]


@pytest.mark.embedded
def test_approval_time_averages_generation_to_first_approval(northwind):
    # 2, 4 and 6 hours: the later approval of post 1's second version does not count.
    figure = insights.approval_time(northwind)
    assert (figure.count, figure.average) == (3, timedelta(hours=4))
    by_platform = insights.approval_time_by_platform(northwind)
    assert [(row.key, row.count, row.average) for row in by_platform] == [
        ("instagram", 3, timedelta(hours=4))
    ]


def test_approval_time_is_hidden_below_the_minimum_sample(northwind, settings):
    settings.INSIGHTS_MIN_SAMPLE = 4
    assert insights.approval_time(northwind) is None
    assert insights.approval_time_by_platform(northwind) == []


def test_insights_take_one_query_each_whatever_the_data(northwind):
    with CaptureQueriesContext(connection) as queries:
        insights.platform_rates(northwind)
        insights.hashtag_rates(northwind)
        insights.rejection_reasons(northwind)
        insights.approval_time(northwind)
    assert len(queries) == 4
