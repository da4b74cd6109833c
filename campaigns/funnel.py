"""The attribution funnel, per campaign and per post: impressions → clicks → leads → qualified
→ won, with the rate of each step over the one before.

Every figure and every rate is computed by the database, in one query per table shown:

* impressions and clicks: the sum of each published post's latest snapshot (as in
  campaigns.metrics; simulated snapshots are counted only when asked);
* leads: the leads linked to the campaign (or the post) through their `campaign` (or
  `creative`) foreign key, which the public form and imports set from the UTM values;
* qualified: of those, the ones that reached QUALIFIED: status QUALIFIED, ROUTED or WON
  (routing moves a qualified lead on to ROUTED; a won lead was qualified first);
* won: status WON.

A rate is None when the step before it is zero (nothing to divide by).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from campaigns import metrics
from campaigns.models import (
    Campaign,
    Creative,
    MetricSnapshot,
    MetricSource,
    Publication,
    PublicationStatus,
)
from leads.models import Lead
from leads.statuses import LeadStatus

QUALIFIED_STATUSES = (LeadStatus.QUALIFIED, LeadStatus.ROUTED, LeadStatus.WON)
STEPS = ("impressions", "clicks", "leads", "qualified", "won")
STEP_LABELS = {
    "impressions": "Impressions", "clicks": "Clicks", "leads": "Leads",
    "qualified": "Qualified", "won": "Won",
}
RATE_LABELS = {
    "clicks": "click-through", "leads": "leads per click", "qualified": "qualified",
    "won": "won",
}
_PERCENT = DecimalField(max_digits=20, decimal_places=6)
_RATE = DecimalField(max_digits=12, decimal_places=2)


def _rate(numerator: str, denominator: str):
    """numerator / denominator as a percentage to two places, in SQL; NULL over zero."""
    return Case(
        When(
            **{f"{denominator}__gt": 0},
            then=Cast(
                Cast(F(numerator), _PERCENT) * Value(Decimal(100))
                / Cast(F(denominator), _PERCENT),
                _RATE,
            ),
        ),
        default=Value(None),
        output_field=_RATE,
    )


def _with_rates(queryset: QuerySet) -> QuerySet:
    return queryset.annotate(
        rate_clicks=_rate("n_clicks", "n_impressions"),
        rate_leads=_rate("n_leads", "n_clicks"),
        rate_qualified=_rate("n_qualified", "n_leads"),
        rate_won=_rate("n_won", "n_qualified"),
    )


def _current_snapshots(include_simulated: bool) -> QuerySet:
    """Each published post's latest snapshot (simulated ones only when included)."""
    candidates = MetricSnapshot.objects.filter(publication=OuterRef("publication"))
    current = MetricSnapshot.objects.filter(publication__status=PublicationStatus.PUBLISHED)
    if not include_simulated:
        candidates = candidates.exclude(source=MetricSource.SIMULATED)
        current = current.exclude(source=MetricSource.SIMULATED).filter(
            publication__simulated=False
        )
    latest = Subquery(candidates.order_by("-captured_at", "-pk").values("pk")[:1])
    return current.filter(pk=latest)


def _summed(queryset: QuerySet, key: str, figure: str):
    """SUM(figure) of `queryset` grouped by `key` = the outer row, as a subquery (0 when none)."""
    return Coalesce(
        Subquery(
            queryset.filter(**{key: OuterRef("pk")}).order_by().values(key)
            .annotate(total=Sum(figure)).values("total")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def _counted(key: str, condition: Q | None = None):
    leads = Lead.objects.filter(**{key: OuterRef("pk")})
    if condition is not None:
        leads = leads.filter(condition)
    return Coalesce(
        Subquery(
            leads.order_by().values(key).annotate(total=Count("pk")).values("total")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def _annotate_funnel(queryset: QuerySet, *, snapshot_key: str, lead_key: str,
                     include_simulated: bool) -> QuerySet:
    snapshots = _current_snapshots(include_simulated)
    return _with_rates(queryset.annotate(
        n_impressions=_summed(snapshots, snapshot_key, "impressions"),
        n_clicks=_summed(snapshots, snapshot_key, "clicks"),
        n_leads=_counted(lead_key),
        n_qualified=_counted(lead_key, Q(status__in=QUALIFIED_STATUSES)),
        n_won=_counted(lead_key, Q(status=LeadStatus.WON)),
    ))


def campaign_funnels(campaigns: QuerySet | None = None, *, include_simulated: bool) -> QuerySet:
    """Campaigns (all, or the given queryset) annotated with the funnel (n_impressions,
    n_clicks, n_leads, n_qualified, n_won) and its rates (rate_clicks … rate_won)."""
    queryset = campaigns if campaigns is not None else Campaign.objects.all()
    return _annotate_funnel(
        queryset.select_related("brand"), snapshot_key="publication__creative__campaign",
        lead_key="campaign", include_simulated=include_simulated,
    )


def post_funnels(campaign: Campaign, *, include_simulated: bool) -> QuerySet:
    """The campaign's posts that were published or brought a lead, each with its funnel."""
    queryset = Creative.objects.filter(campaign=campaign).filter(
        Q(publication__status=PublicationStatus.PUBLISHED) | Q(leads__isnull=False)
    ).distinct()
    return _annotate_funnel(
        queryset, snapshot_key="publication__creative", lead_key="creative",
        include_simulated=include_simulated,
    ).order_by("scheduled_at", "pk")


def publication_lead_counts(publications: QuerySet) -> QuerySet:
    """Publications annotated with the leads, qualified and won of their post (posts table)."""
    return _with_rates(publications.annotate(
        n_impressions=Coalesce(F("current_impressions"), 0),
        n_clicks=Coalesce(F("current_clicks"), 0),
        n_leads=_counted_by_creative(),
        n_qualified=_counted_by_creative(Q(status__in=QUALIFIED_STATUSES)),
        n_won=_counted_by_creative(Q(status=LeadStatus.WON)),
    ))


class PostRow(NamedTuple):
    """One row of the Monitoring posts table: the post, its current figures (None without a
    snapshot) and the leads it brought."""

    pk: int
    platform: str
    simulated: bool
    url: str
    published_at: datetime | None
    caption: str
    campaign: str
    brand: str
    captured_at: datetime | None
    impressions: int | None
    engagements: int | None
    clicks: int | None
    warnings: list | None
    leads: int
    qualified: int
    won: int


# The page's publications (the paginated queryset's SQL, with the columns the rows show, so
# that the table is not joined again: a join fewer is ~0.1 ms less planning) joined to their
# caption, their latest snapshot (as metrics.current_snapshots picks it: latest captured, then
# highest pk) and their leads' counts (as publication_lead_counts counts them).
_PAGE_FIELDS = ("pk", "platform", "simulated", "url", "published_at", "creative")
_POST_ROWS_SQL = """
WITH p ({columns}) AS ({page})
SELECT p.id, p.platform, p.simulated, p.url, p.published_at, c.caption, c.campaign_id,
       s.captured_at, s.impressions, s.likes + s.comments + s.shares + s.saves, s.clicks,
       s.warnings, l.leads, l.qualified, l.won
FROM p
JOIN campaigns_creative c ON c.id = p.creative_id
{figures_and_leads}
ORDER BY {order}
"""
_LATEST = """
    FROM campaigns_metricsnapshot latest
    WHERE latest.publication_id = p.id{snapshot_filter}
    ORDER BY latest.captured_at DESC, latest.id DESC LIMIT 1
"""
# PostgreSQL plans a LATERAL join per row in about half the time of the portable form's
# subplan and grouped join (its planning, not its execution, is most of this query's cost).
_POSTGRESQL_JOINS = """
LEFT JOIN LATERAL (
    SELECT latest.captured_at, latest.impressions, latest.likes, latest.comments,
           latest.shares, latest.saves, latest.clicks, latest.warnings {latest}
) s ON TRUE
LEFT JOIN LATERAL (
    SELECT COUNT(id) AS leads,
           COUNT(id) FILTER (WHERE status IN (%s, %s, %s)) AS qualified,
           COUNT(id) FILTER (WHERE status = %s) AS won
    FROM leads_lead WHERE creative_id = p.creative_id
) l ON TRUE
"""
_PORTABLE_JOINS = """
LEFT JOIN campaigns_metricsnapshot s ON s.id = (SELECT latest.id {latest})
LEFT JOIN (
    SELECT creative_id, COUNT(id) AS leads,
           SUM(CASE WHEN status IN (%s, %s, %s) THEN 1 ELSE 0 END) AS qualified,
           SUM(CASE WHEN status = %s THEN 1 ELSE 0 END) AS won
    FROM leads_lead
    WHERE creative_id IN (SELECT creative_id FROM p)
    GROUP BY creative_id
) l ON l.creative_id = p.creative_id
"""


def post_rows(
    page: QuerySet, *, include_simulated: bool,
    campaign_names: dict[int, tuple[str, str]] | None = None,
) -> list[PostRow]:
    """The posts table's rows for a page of publications (a sliced, ordered queryset), in its
    order, from one query.

    Three ORM queries (the page with its names, the latest snapshots, the lead counts) cost
    more to compile and turn into model instances than the database took to answer them.
    `campaign_names`: (brand name, campaign name) by campaign pk, e.g. from a cache, which
    spares the query two joins (a third of its planning); names it lacks are read.
    """
    ordering = [name.removeprefix("-") for name in page.query.order_by]
    fields = [*_PAGE_FIELDS, *(name for name in ordering if name not in _PAGE_FIELDS)]
    try:
        sql, params = page.values(*fields).query.sql_with_params()
    except EmptyResultSet:  # e.g. the first page of no posts: [0:0]
        return []
    snapshot_filter, snapshot_params = "", []
    if not include_simulated:
        snapshot_filter, snapshot_params = " AND latest.source <> %s", [MetricSource.SIMULATED]
    joins = _POSTGRESQL_JOINS if connection.vendor == "postgresql" else _PORTABLE_JOINS
    query = _POST_ROWS_SQL.format(
        columns=", ".join(connection.ops.quote_name(_column(name)) for name in fields),
        page=sql, order=_outer_order(page),
        figures_and_leads=joins.format(latest=_LATEST.format(snapshot_filter=snapshot_filter)),
    )
    with connection.cursor() as cursor:
        cursor.execute(query, [*params, *snapshot_params, *QUALIFIED_STATUSES, LeadStatus.WON])
        rows = cursor.fetchall()
    names = campaign_names or {}
    missing = {row[6] for row in rows} - names.keys()
    if missing:
        names = {**names, **{
            pk: (brand, name) for pk, brand, name in
            Campaign.objects.filter(pk__in=missing).values_list("pk", "brand__name", "name")
        }}
    warnings_field = MetricSnapshot._meta.get_field("warnings")
    return [
        PostRow(
            pk, platform, bool(simulated), url, _moment(published_at), caption,
            names[campaign][1], names[campaign][0], _moment(captured_at), impressions,
            engagements, clicks,
            None if warnings is None else warnings_field.from_db_value(warnings, None, connection),
            leads or 0, qualified or 0, won or 0,
        )
        for (pk, platform, simulated, url, published_at, caption, campaign, captured_at,
             impressions, engagements, clicks, warnings, leads, qualified, won) in rows
    ]


def _column(name: str) -> str:
    """The column of a publication field named as values() names it (pk, a foreign key)."""
    return (Publication._meta.pk if name == "pk" else Publication._meta.get_field(name)).column


def _outer_order(page: QuerySet) -> str:
    """The page's ORDER BY (publication fields, e.g. -published_at, -pk) over the alias p."""
    terms = []
    for name in page.query.order_by:
        field = name.removeprefix("-")
        terms.append(f"p.{connection.ops.quote_name(_column(field))}{' DESC' if name != field else ''}")
    return ", ".join(terms)


def _moment(value) -> datetime | None:
    """A timestamp as the ORM reads it (SQLite's cursor gives text or a naive datetime)."""
    if value is None or isinstance(value, datetime) and timezone.is_aware(value):
        return value
    if isinstance(value, str):
        value = parse_datetime(value)
    return timezone.make_aware(value, connection.timezone) if settings.USE_TZ else value


def _counted_by_creative(condition: Q | None = None):
    leads = Lead.objects.filter(creative=OuterRef("creative"))
    if condition is not None:
        leads = leads.filter(condition)
    return Coalesce(
        Subquery(
            leads.order_by().values("creative").annotate(total=Count("pk")).values("total")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    value: int
    rate: Decimal | None
    rate_label: str


def steps(row) -> list[Step]:
    """A funnel row (annotated model) as its five steps, for templates."""
    return [
        Step(key, STEP_LABELS[key], getattr(row, f"n_{key}"),
             getattr(row, f"rate_{key}", None) if key != "impressions" else None,
             RATE_LABELS.get(key, ""))
        for key in STEPS
    ]


def include_simulated_for(campaign: Campaign) -> bool:
    """Simulated figures count only where no real ones exist (as on the Monitoring page)."""
    real = MetricSnapshot.objects.filter(
        publication__creative__campaign=campaign, publication__simulated=False
    ).exclude(source=MetricSource.SIMULATED)
    return not real.exists()


def _post_label(creative: Creative) -> str:
    caption = " ".join(creative.caption.split())
    short = caption if len(caption) <= 60 else caption[:59] + "…"
    return f"{creative.get_platform_display()} · {short}"


def campaign_funnel_context(campaign: Campaign) -> dict:
    """What the campaign page shows: the campaign's funnel and one row per post (3 queries)."""
    include = include_simulated_for(campaign)
    row = campaign_funnels(Campaign.objects.filter(pk=campaign.pk), include_simulated=include).get()
    posts = [
        {"label": _post_label(creative), "steps": steps(creative),
         "url": creative.get_absolute_url(),
         "note": f"scheduled {creative.scheduled_at:%-d %b %Y}"}
        for creative in post_funnels(campaign, include_simulated=include)
    ]
    return {
        "funnel_steps": steps(row), "funnel_posts": posts,
        "funnel_simulated": include and row.n_impressions > 0,
        "funnel_empty": not posts and row.n_leads == 0,
    }


def monitoring_funnel_rows(campaign_ids, *, include_simulated: bool) -> list[dict]:
    """One funnel row per campaign, from two grouped queries whatever the number of campaigns.

    The figures are the same as campaign_funnels(): all the campaign's published posts' latest
    snapshots and every lead linked to it. campaign_funnels() sums them in a correlated subquery
    per campaign, which suits the campaign page's one campaign but took seconds for the 500 of
    the Monitoring page; here snapshots and leads are grouped by campaign once each, and the
    rates (rounded half up to two places, as the SQL casts do) are divided here.
    """
    campaigns = list(
        Campaign.objects.filter(pk__in=campaign_ids).select_related("brand")
        .only("name", "brand__name")
        .annotate(
            n_leads=Count("leads"),
            n_qualified=Count("leads", filter=Q(leads__status__in=QUALIFIED_STATUSES)),
            n_won=Count("leads", filter=Q(leads__status=LeadStatus.WON)),
        )
        .order_by("brand__name", "name")
    )
    ids = tuple(campaign.pk for campaign in campaigns)
    if not ids:
        return []
    figures = {
        row["campaign"]: row
        for row in metrics.current_snapshots(
            metrics.MetricFilters(campaigns=ids), include_simulated=include_simulated
        )
        .values(campaign=F("publication__creative__campaign"))
        .annotate(impressions=Sum("impressions"), clicks=Sum("clicks"))
        .order_by()
    }
    rows = []
    for campaign in campaigns:
        counts = {
            "impressions": figures.get(campaign.pk, {}).get("impressions") or 0,
            "clicks": figures.get(campaign.pk, {}).get("clicks") or 0,
            **{key: getattr(campaign, f"n_{key}") for key in ("leads", "qualified", "won")},
        }
        rows.append({
            "label": f"{campaign.brand.name} · {campaign.name}",
            "steps": [
                Step(key, STEP_LABELS[key], counts[key],
                     metrics.rate(counts[key], counts[before]) if before else None,
                     RATE_LABELS.get(key, ""))
                for before, key in zip((None, *STEPS), STEPS, strict=False)
            ],
            "url": campaign.get_absolute_url(), "note": "",
        })
    return rows
