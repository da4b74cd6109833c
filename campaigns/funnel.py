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
from decimal import Decimal

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

from campaigns import metrics
from campaigns.models import Campaign, Creative, MetricSnapshot, MetricSource, PublicationStatus
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


def with_lead_counts(publications: list) -> list:
    """Sets the funnel of publication_lead_counts() on a page of publications that carry their
    current figures (metrics.with_current_figures), from one grouped query over their leads."""
    counts = {
        row["creative"]: row
        for row in Lead.objects.filter(creative__in=[p.creative_id for p in publications])
        .values("creative").annotate(
            leads=Count("pk"),
            qualified=Count("pk", filter=Q(status__in=QUALIFIED_STATUSES)),
            won=Count("pk", filter=Q(status=LeadStatus.WON)),
        ).order_by()
    }
    for publication in publications:
        row = counts.get(publication.creative_id, {})
        publication.n_impressions = publication.current_impressions or 0
        publication.n_clicks = publication.current_clicks or 0
        publication.n_leads = row.get("leads", 0)
        publication.n_qualified = row.get("qualified", 0)
        publication.n_won = row.get("won", 0)
        publication.rate_clicks = metrics.rate(publication.n_clicks, publication.n_impressions)
        publication.rate_leads = metrics.rate(publication.n_leads, publication.n_clicks)
        publication.rate_qualified = metrics.rate(publication.n_qualified, publication.n_leads)
        publication.rate_won = metrics.rate(publication.n_won, publication.n_qualified)
    return publications


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
