"""What the numbers teach, computed by the database on demand.

Every figure here is an aggregate the database computes (GROUP BY, SUM, COUNT, AVG); Python only
formats the rows. A publication's current figure is its latest metric snapshot. Engagement rate
is (likes + comments + shares + saves) / impressions over the posts of a group, i.e. the summed
engagements divided by the summed impressions, so a post seen by many weighs more than one seen
by few. A group with fewer posts than settings.INSIGHTS_MIN_SAMPLE is not shown at all.
Simulated publications (proof mode) are left out unless settings.INSIGHTS_INCLUDE_SIMULATED:
learning from made-up numbers would mislead the next plan.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.models import (
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Cast, ExtractHour, ExtractIsoWeekDay, Lower, Trim

from campaigns.models import (
    Creative,
    MetricSnapshot,
    Publication,
    PublicationStatus,
    Review,
    ReviewDecision,
)
from campaigns.publishing.platforms import PLATFORM_CHOICES

PLATFORM_LABELS = dict(PLATFORM_CHOICES)
WEEKDAY_LABELS = dict(enumerate(calendar.day_name))  # 0 = Monday


@dataclass(frozen=True)
class RateRow:
    """One group's engagement rate and the posts behind it."""

    key: str | int
    label: str
    posts: int
    engagements: int
    impressions: int
    rate: float  # a fraction: 0.052 is 5.2 %

    @property
    def percent(self) -> float:
        return self.rate * 100


@dataclass(frozen=True)
class CountRow:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class DurationRow:
    key: str
    label: str
    count: int
    average: timedelta

    @property
    def hours(self) -> float:
        return self.average.total_seconds() / 3600


def min_sample() -> int:
    return max(1, int(getattr(settings, "INSIGHTS_MIN_SAMPLE", 5)))


def current_snapshots(brand=None) -> QuerySet[MetricSnapshot]:
    """The latest snapshot of each published post with impressions, optionally of one brand."""
    latest = (
        MetricSnapshot.objects.filter(publication=OuterRef("publication"))
        .order_by("-captured_at", "-pk")
        .values("pk")[:1]
    )
    snapshots = MetricSnapshot.objects.filter(
        pk=Subquery(latest),
        publication__status=PublicationStatus.PUBLISHED,
        publication__published_at__isnull=False,
        impressions__gt=0,
    )
    if not getattr(settings, "INSIGHTS_INCLUDE_SIMULATED", False):
        snapshots = snapshots.filter(publication__simulated=False)
    if brand is not None:
        snapshots = snapshots.filter(publication__creative__campaign__brand=brand)
    return snapshots


def _engagements():
    return F("likes") + F("comments") + F("shares") + F("saves")


def _rates(brand, key_expression, labels) -> list[RateRow]:
    rows = (
        current_snapshots(brand)
        .annotate(group_key=key_expression)
        .values("group_key")
        .annotate(
            posts=Count("pk"),
            engagement_sum=Sum(_engagements()),
            impression_sum=Sum("impressions"),
        )
        .annotate(
            rate=ExpressionWrapper(
                Cast("engagement_sum", FloatField()) / Cast("impression_sum", FloatField()),
                output_field=FloatField(),
            )
        )
        .filter(posts__gte=min_sample())
        .order_by("-rate", "group_key")
    )
    return [
        RateRow(
            key=row["group_key"],
            label=labels.get(row["group_key"], str(row["group_key"])),
            posts=row["posts"],
            engagements=row["engagement_sum"],
            impressions=row["impression_sum"],
            rate=row["rate"],
        )
        for row in rows
    ]


def overall_rate(brand=None) -> RateRow | None:
    """All current posts together; None below the minimum sample."""
    figures = current_snapshots(brand).aggregate(
        posts=Count("pk"), engagement_sum=Sum(_engagements()), impression_sum=Sum("impressions")
    )
    if figures["posts"] < min_sample():
        return None
    return RateRow(
        key="all", label="All posts", posts=figures["posts"],
        engagements=figures["engagement_sum"], impressions=figures["impression_sum"],
        rate=figures["engagement_sum"] / figures["impression_sum"],
    )


def platform_rates(brand=None) -> list[RateRow]:
    return _rates(brand, F("publication__platform"), PLATFORM_LABELS)


def weekday_rates(brand=None) -> list[RateRow]:
    weekday = ExpressionWrapper(
        ExtractIsoWeekDay("publication__published_at") - 1, output_field=IntegerField()
    )
    return _rates(brand, weekday, WEEKDAY_LABELS)


def hour_rates(brand=None) -> list[RateRow]:
    labels = {hour: f"{hour:02d}:00" for hour in range(24)}
    return _rates(brand, ExtractHour("publication__published_at"), labels)


def _unnest_hashtags(column: str) -> str:
    """SQL joining each snapshot row to its creative's hashtags, one row per hashtag."""
    if connection.vendor == "postgresql":
        return (
            "CROSS JOIN LATERAL jsonb_array_elements_text(CASE WHEN jsonb_typeof("
            f"{column}) = 'array' THEN {column} ELSE '[]'::jsonb END) AS tag(value)"
        )
    return f"CROSS JOIN json_each(CASE WHEN json_type({column}) = 'array' THEN {column} ELSE '[]' END) AS tag"


def hashtag_rates(brand=None, limit: int = 10) -> list[RateRow]:
    """Hashtags by the engagement rate of the posts that carried them, best first."""
    qn = connection.ops.quote_name
    snapshot_table = qn(MetricSnapshot._meta.db_table)
    publication_table = qn(Publication._meta.db_table)
    creative_table = qn(Creative._meta.db_table)
    inner_sql, inner_params = current_snapshots(brand).values("pk").query.sql_with_params()
    # DISTINCT: a post that repeats a hashtag counts once for it.
    sql = f"""
        SELECT tagged.tag, COUNT(*), SUM(tagged.engagements), SUM(tagged.impressions),
               CAST(SUM(tagged.engagements) AS DOUBLE PRECISION) / SUM(tagged.impressions) AS rate
        FROM (
            SELECT DISTINCT s.id AS snapshot_id, LOWER(LTRIM(tag.value, '#')) AS tag,
                   s.likes + s.comments + s.shares + s.saves AS engagements,
                   s.impressions AS impressions
            FROM {snapshot_table} s
            JOIN {publication_table} p ON p.id = s.publication_id
            JOIN {creative_table} c ON c.id = p.creative_id
            {_unnest_hashtags("c.hashtags")}
            WHERE s.id IN ({inner_sql})
        ) tagged
        WHERE tagged.tag <> ''
        GROUP BY tagged.tag
        HAVING COUNT(*) >= %s
        ORDER BY rate DESC, tagged.tag
        LIMIT %s
    """  # noqa: S608 - table names from the models, values passed as parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [*inner_params, min_sample(), limit])
        rows = cursor.fetchall()
    return [
        RateRow(
            key=tag, label=f"#{tag}", posts=posts, engagements=int(engagements),
            impressions=int(impressions), rate=float(rate),
        )
        for tag, posts, engagements, impressions, rate in rows
    ]


def rejection_reasons(brand=None, limit: int = 10) -> list[CountRow]:
    """The reasons reviewers give most when they reject, compared without case or spaces."""
    reviews = Review.objects.filter(decision=ReviewDecision.REJECTED)
    if brand is not None:
        reviews = reviews.filter(creative__campaign__brand=brand)
    rows = (
        reviews.annotate(normalised=Lower(Trim("reason")))
        .exclude(normalised="")
        .values("normalised")
        .annotate(count=Count("pk"))
        .order_by("-count", "normalised")[:limit]
    )
    return [
        CountRow(key=row["normalised"], label=row["normalised"], count=row["count"]) for row in rows
    ]


def _approval_delays(brand=None) -> QuerySet[Creative]:
    first_approval = (
        Review.objects.filter(creative=OuterRef("pk"), decision=ReviewDecision.APPROVED)
        .order_by("reviewed_at")
        .values("reviewed_at")[:1]
    )
    creatives = Creative.objects.annotate(approved_at=Subquery(first_approval)).filter(
        approved_at__isnull=False
    )
    if brand is not None:
        creatives = creatives.filter(campaign__brand=brand)
    return creatives.annotate(
        delay=ExpressionWrapper(F("approved_at") - F("created_at"), output_field=DurationField())
    )


def approval_time(brand=None) -> DurationRow | None:
    """Average time from a creative's generation to its first approval, over all platforms."""
    figures = _approval_delays(brand).aggregate(count=Count("pk"), average=Avg("delay"))
    if figures["count"] < min_sample() or figures["average"] is None:
        return None
    return DurationRow(key="all", label="All platforms", count=figures["count"],
                       average=figures["average"])


def approval_time_by_platform(brand=None) -> list[DurationRow]:
    rows = (
        _approval_delays(brand)
        .values("platform")
        .annotate(count=Count("pk"), average=Avg("delay"))
        .filter(count__gte=min_sample())
        .order_by("average", "platform")
    )
    return [
        DurationRow(
            key=row["platform"], label=PLATFORM_LABELS.get(row["platform"], row["platform"]),
            count=row["count"], average=row["average"],
        )
        for row in rows
    ]
