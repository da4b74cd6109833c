"""Reads for the Intake and Lead Gen pages, with what each page needs loaded up front."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q, QuerySet, TextField, Value
from django.db.models.functions import Upper

from aicmo_site.html import option_tags
from campaigns.models import Campaign
from leads.models import ImportJob, Lead, LeadActivity
from leads.statuses import LeadStatus

BOARD_CARDS_PER_STATUS = 12


def lead_list_for(filters: dict) -> QuerySet[Lead]:
    """Leads ranked by score, narrowed by the Lead Gen filters (cleaned by LeadFilterForm)."""
    queryset = Lead.objects.order_by("-score", "-created_at", "-pk")
    if filters.get("status"):
        queryset = queryset.filter(status=filters["status"])
    if filters.get("min_score") is not None:
        queryset = queryset.filter(score__gte=filters["min_score"])
    if filters.get("max_score") is not None:
        queryset = queryset.filter(score__lte=filters["max_score"])
    if filters.get("source"):
        queryset = queryset.filter(source=filters["source"])
    if filters.get("owner") == "none":
        queryset = queryset.filter(owner__isnull=True)
    elif filters.get("owner"):
        queryset = queryset.filter(owner_id=filters["owner"])
    if filters.get("campaign"):
        queryset = queryset.filter(campaign_id=filters["campaign"])
    if filters.get("q"):
        queryset = lead_search(queryset, filters["q"])
    return queryset


# The Lead Gen list's count and sources are cached under the "leads" data stamp, which triggers
# bump on every write to a lead column the filters read (migration campaigns 0007), committed
# with the write: no worker serves a count older than the leads it can read.
LEADS_CACHE_SECONDS = 60 * 60


def _cache_key(kind: str, stamp: int, filters: dict | None = None) -> str:
    digest = hashlib.sha256(repr(sorted((filters or {}).items())).encode()).hexdigest()[:32]
    return f"leads:{kind}:{settings.DASHBOARD_BUILD}:{stamp}:{digest}"


@dataclass(frozen=True)
class LeadGenNames:
    """The names the Lead Gen list shows and offers, shared by every user and filter set:
    campaigns' and users' names by id (a row's campaign and owner), and the Campaign and Owner
    <option>s as option_tags writes them with nothing selected (aicmo_site.html.select_option
    marks the chosen one)."""

    campaigns: dict[int, str]
    users: dict[int, str]
    campaign_options: str
    owner_options: str


def _leadgen_names() -> LeadGenNames:
    username = get_user_model().USERNAME_FIELD
    campaigns = list(Campaign.objects.values_list("pk", "name"))
    return LeadGenNames(
        campaigns=dict(campaigns),
        users=dict(get_user_model().objects.order_by().values_list("pk", username)),
        campaign_options=str(option_tags(campaigns)),
        owner_options=str(option_tags(lead_owners().values_list("pk", username))),
    )


def leadgen_names(*, stamp: int) -> LeadGenNames:
    """LeadGenNames, cached under the leadgen_names stamp (migration leads 0008): 500 campaigns
    read and written as <option>s once per change to them, not on every request."""
    key = f"leads:names:{settings.DASHBOARD_BUILD}:{stamp}"
    return cache.get_or_set(key, _leadgen_names, LEADS_CACHE_SECONDS)


class LeadRow(NamedTuple):
    """A lead as the Lead Gen table shows it: its columns, its owner's and campaign's names."""

    pk: int
    name: str
    email: str
    company: str
    company_size: int | None
    title: str
    status: str
    score: int
    source: str
    created_at: datetime
    owner_id: int | None
    campaign_id: int | None
    owner_name: str
    campaign_name: str


# LeadRow's columns, all in the rank index (lead_rank includes them, migration 0007): a page is
# one index-only scan, however deep or filtered, with no join to plan or run.
ROW_COLUMNS = LeadRow._fields[:-2]
_OWNER, _CAMPAIGN = ROW_COLUMNS.index("owner_id"), ROW_COLUMNS.index("campaign_id")


class RankedPage:
    """The ranked leads for a Paginator: counted by the database (or read from the cache under
    `count_key`), and a page read as LeadRows, the owners' and campaigns' names looked up in
    `names` (or read, for one created since they were cached)."""

    def __init__(self, queryset: QuerySet[Lead], *, names: LeadGenNames,
                 count_key: str | None = None) -> None:
        self.queryset = queryset
        self.names = names
        self.count_key = count_key

    def count(self) -> int:
        if self.count_key is None:
            return self.queryset.count()
        return cache.get_or_set(self.count_key, self.queryset.count, LEADS_CACHE_SECONDS)

    def __getitem__(self, page: slice) -> list[LeadRow]:
        rows = list(self.queryset.values_list(*ROW_COLUMNS)[page])
        users = _with_missing(self.names.users, {row[_OWNER] for row in rows},
                              get_user_model().objects, get_user_model().USERNAME_FIELD)
        campaigns = _with_missing(self.names.campaigns, {row[_CAMPAIGN] for row in rows},
                                  Campaign.objects, "name")
        return [
            LeadRow(*row, users.get(row[_OWNER], ""), campaigns.get(row[_CAMPAIGN], ""))
            for row in rows
        ]


def _with_missing(names: dict[int, str], ids: set, manager, field: str) -> dict[int, str]:
    """`names`, plus the names of `ids` it lacks (rows created since it was cached)."""
    missing = {pk for pk in ids if pk is not None and pk not in names}
    if not missing:
        return names
    return {**names, **dict(manager.filter(pk__in=missing).values_list("pk", field))}


def lead_search(queryset: QuerySet[Lead], text: str) -> QuerySet[Lead]:
    """Leads whose name, email, company or job title contains `text`, ignoring case."""
    if connection.vendor != "postgresql":
        return queryset.filter(
            Q(name__icontains=text) | Q(email__icontains=text) | Q(company__icontains=text)
            | Q(title__icontains=text)
        )
    # The stored search_text (Lead.search_text) read by the trigram index lead_search_trgm or,
    # for a common text, from the rank index (migration 0007) as the ranking is walked.
    return queryset.filter(search_text__contains=Upper(Value(text, output_field=TextField())))


# A loose index scan: one probe of the lead_source index per distinct source, instead of
# reading every lead for a handful of values (100,000 leads: a 140 ms scan on each Lead Gen page).
_PG_SOURCES = """
WITH RECURSIVE sources AS (
    SELECT min(source) AS source FROM leads_lead WHERE source > ''
    UNION ALL
    SELECT (SELECT min(source) FROM leads_lead WHERE source > sources.source)
    FROM sources WHERE sources.source IS NOT NULL
)
SELECT source FROM sources WHERE source IS NOT NULL
"""


def lead_sources() -> list[str]:
    """Every source leads came from, sorted (for the Lead Gen filter)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_PG_SOURCES)
            return [row[0] for row in cursor.fetchall()]
    return list(
        Lead.objects.exclude(source="").order_by("source").values_list("source", flat=True).distinct()
    )


def ranked_leads(filters: dict, *, stamp: int, names: LeadGenNames) -> RankedPage:
    """The Lead Gen list of a filter set, its exact count (a scan of up to 100,000 leads,
    4-10 ms) cached per filter set under the leads stamp read by the request."""
    return RankedPage(lead_list_for(filters), names=names,
                      count_key=_cache_key("count", stamp, filters))


def cached_lead_sources(*, stamp: int) -> list[str]:
    """lead_sources(), cached under the leads stamp (a lead's source is one of its columns)."""
    return cache.get_or_set(_cache_key("sources", stamp), lead_sources, LEADS_CACHE_SECONDS)


def lead_owners() -> QuerySet:
    """Users who may own leads: the Operators."""
    return get_user_model().objects.filter(groups__name="Operator", is_active=True).order_by(
        "username"
    ).distinct()


@dataclass
class BoardColumn:
    status: str
    label: str
    count: int
    leads: list[Lead]


def lead_board() -> list[BoardColumn]:
    """One column per status with its count and its best leads: two queries in all."""
    counts = dict(Lead.objects.order_by().values_list("status").annotate(n=Count("pk")))
    top: dict[str, list[Lead]] = {status: [] for status in LeadStatus.values}
    # The best few per status in one query: a window would do it too; a rank filter is simpler.
    from django.db.models import F, Window
    from django.db.models.functions import RowNumber

    ranked = (
        Lead.objects.select_related("owner")
        .annotate(rank=Window(RowNumber(), partition_by=[F("status")],
                              order_by=[F("score").desc(), F("created_at").desc(), F("pk").desc()]))
        .filter(rank__lte=BOARD_CARDS_PER_STATUS)
        .order_by("status", "rank")
    )
    for lead in ranked:
        top.setdefault(lead.status, []).append(lead)
    return [
        BoardColumn(status=value, label=label, count=counts.get(value, 0), leads=top.get(value, []))
        for value, label in LeadStatus.choices
    ]


def lead_get(pk: int) -> Lead:
    return Lead.objects.select_related("owner", "campaign", "creative").get(pk=pk)


def lead_timeline(lead: Lead) -> QuerySet[LeadActivity]:
    return lead.activities.select_related("actor").order_by("-created_at", "-pk")


def import_jobs_recent(limit: int = 20) -> QuerySet[ImportJob]:
    """The columns Intake's import history shows (a third of them), with the starter's name."""
    return ImportJob.objects.select_related("created_by").only(
        "original_name", "status", "total_rows", "created_count", "updated_count", "merged_count",
        "rejected_count", "created_at", "written_at", "undone_at", "created_by__username",
    )[:limit]
