"""Reads for the Intake and Lead Gen pages, with what each page needs loaded up front."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F, Func, Q, QuerySet, TextField, Value
from django.db.models.functions import Upper

from leads.models import ImportJob, Lead, LeadActivity
from leads.statuses import LeadStatus

BOARD_CARDS_PER_STATUS = 12


def lead_list_for(filters: dict) -> QuerySet[Lead]:
    """Leads ranked by score, narrowed by the Lead Gen filters (cleaned by LeadFilterForm)."""
    queryset = Lead.objects.select_related("owner", "campaign").order_by("-score", "-created_at", "-pk")
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


# The columns the Lead Gen table shows: a page reads these, not the notes and UTM values.
LIST_COLUMNS = ("name", "email", "company", "company_size", "title", "status", "score", "source",
                "created_at", "owner", "owner__username", "campaign", "campaign__name")


# The Lead Gen list's count and sources are cached under the "leads" data stamp, which triggers
# bump on every write to a lead column the filters read (migration campaigns 0007), committed
# with the write: no worker serves a count older than the leads it can read.
LEADS_CACHE_SECONDS = 60 * 60


def _cache_key(kind: str, stamp: int, filters: dict | None = None) -> str:
    digest = hashlib.sha256(repr(sorted((filters or {}).items())).encode()).hexdigest()[:32]
    return f"leads:{kind}:{settings.DASHBOARD_BUILD}:{stamp}:{digest}"


class RankedPage:
    """The ranked leads for a Paginator: counted by the database (or read from the cache under
    `count_key`), and sliced in two steps so a deep page (OFFSET 950) skips its leading leads in
    the rank index (lead_rank, ids included) instead of reading 1,000 full rows, and only the
    page's 50 leads are read in full."""

    def __init__(self, queryset: QuerySet[Lead], *, count_key: str | None = None) -> None:
        self.queryset = queryset
        self.count_key = count_key

    def count(self) -> int:
        if self.count_key is None:
            return self.queryset.count()
        return cache.get_or_set(self.count_key, self.queryset.count, LEADS_CACHE_SECONDS)

    def __getitem__(self, page: slice) -> list[Lead]:
        ids = self.queryset.select_related(None).values("pk")[page]
        return list(
            Lead.objects.filter(pk__in=ids).select_related("owner", "campaign")
            .only(*LIST_COLUMNS).order_by(*self.queryset.query.order_by)
        )


class LeadSearchText(Func):
    """Name, email, company and job title in capitals, joined by a character nobody types:
    the expression of the trigram index lead_search_trgm (migration 0004), so a search reads
    that index instead of every lead."""

    template = "UPPER(%(expressions)s)"
    arg_joiner = " || chr(31) || "
    output_field = TextField()

    def __init__(self) -> None:
        super().__init__(F("name"), F("email"), F("company"), F("title"))


def lead_search(queryset: QuerySet[Lead], text: str) -> QuerySet[Lead]:
    """Leads whose name, email, company or job title contains `text`, ignoring case."""
    if connection.vendor != "postgresql":
        return queryset.filter(
            Q(name__icontains=text) | Q(email__icontains=text) | Q(company__icontains=text)
            | Q(title__icontains=text)
        )
    return queryset.alias(search_text=LeadSearchText()).filter(
        search_text__contains=Upper(Value(text, output_field=TextField()))
    )


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


def ranked_leads(filters: dict, *, stamp: int) -> RankedPage:
    """The Lead Gen list of a filter set, its exact count (a scan of up to 100,000 leads,
    4-10 ms) cached per filter set under the leads stamp read by the request."""
    return RankedPage(lead_list_for(filters), count_key=_cache_key("count", stamp, filters))


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
