"""Monitoring's services and selectors: figures recorded, KPIs computed, simulated switch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from campaigns import metrics
from campaigns.metrics import MetricFilters
from campaigns.models import MetricSnapshot, MetricSource, PublicationStatus
from campaigns.tests.factories import (
    CampaignFactory,
    CreativeFactory,
    MetricSnapshotFactory,
    PublicationFactory,
)

pytestmark = pytest.mark.django_db

ZERO = dict(impressions=0, reach=0, likes=0, comments=0, shares=0, saves=0, clicks=0,
            video_views=0)


def figures(**values) -> dict[str, int]:
    return {**ZERO, **values}


def ago(days: float):
    return timezone.now() - timedelta(days=days)


def test_kpis_match_hand_computed_figures():
    first, second = PublicationFactory(), PublicationFactory()
    # An earlier snapshot of the first post must not count: only the latest does.
    MetricSnapshotFactory(publication=first, captured_at=ago(3), impressions=500, likes=10)
    MetricSnapshotFactory(publication=first, captured_at=ago(1), impressions=1000, reach=800,
                          likes=40, comments=5, shares=3, saves=2, clicks=25)
    MetricSnapshotFactory(publication=second, captured_at=ago(2), impressions=3000, reach=2000,
                          likes=100, comments=20, shares=10, saves=20, clicks=30)
    kpis = metrics.kpis(MetricFilters(), include_simulated=False)
    assert (kpis["posts"], kpis["impressions"], kpis["reach"]) == (2, 4000, 2800)
    assert kpis["engagements"] == 200  # (40 + 5 + 3 + 2) + (100 + 20 + 10 + 20)
    assert kpis["engagement_rate"] == Decimal("5.00")  # 200 / 4000
    assert kpis["click_through_rate"] == Decimal("1.38")  # 55 / 4000 = 1.375, half up


@pytest.mark.embedded
def test_kpis_with_zero_impressions_have_no_rates():
    MetricSnapshotFactory(impressions=0, reach=0, likes=3, comments=0, shares=0, saves=0,
                          clicks=2)
    kpis = metrics.kpis(MetricFilters(), include_simulated=False)
    assert kpis["impressions"] == 0
    assert kpis["engagement_rate"] is None
    assert kpis["click_through_rate"] is None


def test_kpis_count_published_posts_without_figures():
    PublicationFactory()
    PublicationFactory(status=PublicationStatus.FAILED)
    kpis = metrics.kpis(MetricFilters(), include_simulated=False)
    assert (kpis["posts"], kpis["measured"], kpis["impressions"]) == (1, 0, 0)


def test_kpis_follow_the_campaign_platform_and_date_filters():
    chosen = CampaignFactory()
    MetricSnapshotFactory(publication__creative__campaign=chosen, impressions=100)
    MetricSnapshotFactory(publication__creative__campaign=chosen, impressions=7,
                          publication__creative__platform="x")
    MetricSnapshotFactory(impressions=900)
    MetricSnapshotFactory(publication__creative__campaign=chosen, impressions=50,
                          publication__published_at=ago(40))
    only = MetricFilters(campaigns=(chosen.pk,), platform="linkedin",
                         date_from=timezone.localdate() - timedelta(days=7))
    assert metrics.kpis(only, include_simulated=False)["impressions"] == 100


@pytest.mark.embedded
def test_current_snapshots_are_the_latest_of_each_publication():
    publication = PublicationFactory()
    MetricSnapshotFactory(publication=publication, captured_at=ago(1), impressions=300)
    # Entered later but captured earlier: it is history, not the current figure.
    MetricSnapshotFactory(publication=publication, captured_at=ago(5), impressions=100)
    current = metrics.current_snapshots(MetricFilters(), include_simulated=False)
    assert [snapshot.impressions for snapshot in current] == [300]


def test_current_snapshot_ties_on_capture_time_go_to_the_last_recorded():
    publication = PublicationFactory()
    moment = ago(1)
    MetricSnapshotFactory(publication=publication, captured_at=moment, impressions=10)
    MetricSnapshotFactory(publication=publication, captured_at=moment, impressions=20)
    current = metrics.current_snapshots(MetricFilters(), include_simulated=False)
    assert [snapshot.impressions for snapshot in current] == [20]


@pytest.mark.embedded
def test_timeline_counts_what_each_capture_day_adds():
    publication = PublicationFactory()
    MetricSnapshotFactory(publication=publication, captured_at=ago(2), impressions=100,
                          likes=10, comments=0, shares=0, saves=0)
    MetricSnapshotFactory(publication=publication, captured_at=ago(1), impressions=250,
                          likes=15, comments=0, shares=0, saves=0)
    days = metrics.timeline(MetricFilters(), include_simulated=False)
    assert [(d["gained_impressions"], d["impressions_to_date"]) for d in days] == [
        (100, 100), (150, 250)
    ]
    assert [d["engagements_to_date"] for d in days] == [10, 15]


def test_ranked_posts_order_by_engagement_rate_and_skip_zero_impressions():
    best = MetricSnapshotFactory(impressions=100, likes=20, comments=0, shares=0, saves=0)
    worst = MetricSnapshotFactory(impressions=100, likes=1, comments=0, shares=0, saves=0)
    MetricSnapshotFactory(impressions=0, likes=5)
    top, bottom = metrics.ranked_posts(MetricFilters(), include_simulated=False, limit=1)
    assert [s.pk for s in top] == [best.pk]
    assert [s.pk for s in bottom] == [worst.pk]
    assert top[0].engagement_rate == Decimal("20.00")


def test_snapshot_record_refuses_negative_numbers(operator):
    publication = PublicationFactory()
    with pytest.raises(ValidationError, match="cannot be negative"):
        metrics.snapshot_record(publication=publication, figures=figures(impressions=-1),
                                source=MetricSource.MANUAL, user=operator)
    assert not MetricSnapshot.objects.exists()


def test_snapshot_record_refuses_unpublished_posts(operator):
    publication = PublicationFactory(status=PublicationStatus.PENDING)
    with pytest.raises(ValidationError, match="not published"):
        metrics.snapshot_record(publication=publication, figures=figures(impressions=5),
                                source=MetricSource.MANUAL, user=operator)


def test_snapshot_record_warns_when_clicks_exceed_impressions(operator):
    snapshot = metrics.snapshot_record(
        publication=PublicationFactory(), figures=figures(impressions=10, clicks=12),
        source=MetricSource.MANUAL, user=operator,
    )
    snapshot.refresh_from_db()
    assert snapshot.warnings == ["Clicks (12) are above impressions (10)."]


def test_snapshot_record_warns_when_a_total_falls(operator):
    publication = PublicationFactory()
    MetricSnapshotFactory(publication=publication, captured_at=ago(2), impressions=1000)
    snapshot = metrics.snapshot_record(
        publication=publication, figures=figures(impressions=900), source=MetricSource.MANUAL,
        user=operator, captured_at=ago(1),
    )
    assert any("Impressions fell from 1,000" in warning for warning in snapshot.warnings)


def test_snapshot_record_warns_when_above_a_later_snapshot(operator):
    publication = PublicationFactory()
    MetricSnapshotFactory(publication=publication, captured_at=ago(1), impressions=1000)
    snapshot = metrics.snapshot_record(
        publication=publication, figures=figures(impressions=1500), source=MetricSource.MANUAL,
        user=operator, captured_at=ago(3),
    )
    assert any("above the later figure of 1,000" in warning for warning in snapshot.warnings)


def test_snapshot_record_keeps_plausible_figures_without_warnings(operator):
    publication = PublicationFactory()
    MetricSnapshotFactory(publication=publication, captured_at=ago(2), impressions=100, reach=80,
                          likes=1, comments=0, shares=0, saves=0, clicks=1)
    snapshot = metrics.snapshot_record(
        publication=publication, figures=figures(impressions=200, reach=150, likes=3, clicks=4),
        source=MetricSource.MANUAL, user=operator,
    )
    assert snapshot.warnings == []


def test_snapshot_record_marks_figures_of_a_simulated_post_simulated(operator):
    publication = PublicationFactory(simulated=True, mode="proof")
    snapshot = metrics.snapshot_record(publication=publication, figures=figures(impressions=5),
                                       source=MetricSource.MANUAL, user=operator)
    assert snapshot.source == MetricSource.SIMULATED


def _simulated(**kwargs):
    return MetricSnapshotFactory(
        publication__simulated=True, publication__mode="proof", source="simulated", **kwargs
    )


def test_figure_sources_count_real_and_simulated_snapshots():
    MetricSnapshotFactory()
    _simulated()
    _simulated()
    assert metrics.figure_sources(MetricFilters()) == {"real": 1, "simulated": 2}


@pytest.mark.embedded
def test_kpis_leave_simulated_figures_out_when_asked():
    MetricSnapshotFactory(impressions=100)
    _simulated(impressions=5000)
    assert metrics.kpis(MetricFilters(), include_simulated=False)["impressions"] == 100
    included = metrics.kpis(MetricFilters(), include_simulated=True)
    assert (included["impressions"], included["simulated"]) == (5100, 1)


def test_simulated_snapshot_of_a_real_post_is_not_its_current_figure_when_left_out():
    publication = PublicationFactory()
    MetricSnapshotFactory(publication=publication, captured_at=ago(2), impressions=100)
    MetricSnapshotFactory(publication=publication, captured_at=ago(1), impressions=999,
                          source="simulated")
    current = metrics.current_snapshots(MetricFilters(), include_simulated=False)
    assert [snapshot.impressions for snapshot in current] == [100]


def test_posts_with_figures_show_each_posts_current_figures():
    publication = PublicationFactory(creative=CreativeFactory(status="approved"))
    MetricSnapshotFactory(publication=publication, captured_at=ago(2), impressions=10)
    MetricSnapshotFactory(publication=publication, captured_at=ago(1), impressions=40)
    PublicationFactory()
    rows = list(metrics.posts_with_figures(MetricFilters(), include_simulated=False))
    assert sorted((row.current_impressions or 0) for row in rows) == [0, 40]


def test_snapshot_record_keeps_the_previous_value_of_an_unreported_figure(operator):
    publication = PublicationFactory()
    MetricSnapshotFactory(publication=publication, captured_at=ago(2), impressions=100, likes=9)
    snapshot = metrics.snapshot_record(
        publication=publication, figures={**figures(impressions=120), "likes": None},
        source=MetricSource.MANUAL, user=operator,
    )
    assert snapshot.likes == 9


def test_snapshot_record_requires_impressions(operator):
    with pytest.raises(ValidationError, match="Enter the impressions"):
        metrics.snapshot_record(publication=PublicationFactory(),
                                figures={**figures(), "impressions": None},
                                source=MetricSource.MANUAL, user=operator)


@pytest.mark.embedded
def test_by_weekday_hour_groups_posts_by_when_they_went_out():
    monday_morning = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    MetricSnapshotFactory(publication__published_at=monday_morning, impressions=200, likes=10,
                          comments=0, shares=0, saves=0)
    MetricSnapshotFactory(publication__published_at=monday_morning + timedelta(minutes=10),
                          impressions=200, likes=30, comments=0, shares=0, saves=0)
    cells = metrics.by_weekday_hour(MetricFilters(), include_simulated=False)
    assert [(c["weekday"], c["hour"], c["posts"], c["engagement_rate"]) for c in cells] == [
        (2, 9, 2, Decimal("10.00"))  # ExtractWeekDay: 2 = Monday; (10 + 30) / 400
    ]


@pytest.mark.embedded
def test_scope_counts_agree_with_figure_sources_and_the_posts_counts():
    real = MetricSnapshotFactory(source=MetricSource.MANUAL).publication
    MetricSnapshotFactory(publication=real, source=MetricSource.SIMULATED, captured_at=ago(1))
    MetricSnapshotFactory(publication__simulated=True, source=MetricSource.SIMULATED)
    PublicationFactory()  # published, no figures yet
    PublicationFactory(status=PublicationStatus.FAILED)
    counts = metrics.scope_counts(MetricFilters())
    assert {"real": counts["real"], "simulated": counts["simulated"]} == metrics.figure_sources(
        MetricFilters()
    ) == {"real": 1, "simulated": 2}
    assert counts["posts"] == metrics.kpis(MetricFilters(), include_simulated=False)["posts"] == 2
    assert counts["posts_with_simulated"] == 3
    assert metrics.kpis(MetricFilters(), include_simulated=True)["posts"] == 3


@pytest.mark.embedded
def test_an_unbound_filter_form_gives_the_default_filters():
    # The Monitoring view uses MetricFilters() for a request without parameters.
    from campaigns.metric_forms import MetricFilterForm

    assert MetricFilterForm(None).filters() == MetricFilters()
