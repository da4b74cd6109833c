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
from aicmo_site.rows import Where, fetch_converted
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

# The list's statements, written out: the ORM built and compiled the same SQL on every request
# (values_list() of 12 columns, the filters, the ORDER BY: ~0.25 ms, as long as the database's
# work on a page). The columns are ROW_COLUMNS; the filters are lead_filter_sql()'s.
_COLUMNS_SQL = ", ".join("id" if column == "pk" else column for column in ROW_COLUMNS)
_ROWS_SQL = (
    "SELECT {columns} FROM leads_lead{where}"
    " ORDER BY score DESC, created_at DESC, id DESC LIMIT %s OFFSET %s"
)
_COUNT_SQL = "SELECT COUNT(*) FROM leads_lead{where}"

# A search's page is its first matches in rank order. For a text many leads share ("Company 42":
# 2,220 of 100,000), walking lead_rank until enough of them match (2,173 entries, 0.3-0.5 ms)
# beats reading every match through the trigram index and sorting them all (3.7-6 ms); for a rare
# text the trigram index wins. PostgreSQL chooses between the two on its estimate of the matches,
# which put one or the other ahead from one state of the same data to the next (four full bench
# runs: the search at 0.55, 0.43, 0.15 and 0.17 of the minimal page). So the walk is asked for by
# a statement of its own: the LIMIT under the search fences it to the first `budget` leads in rank
# order, which only lead_rank reads without a sort, whatever the estimate. No index serves the
# match there, so it is strpos(), a fifth quicker than the LIKE the trigram index needs, and with
# no wildcard to escape.
_WALK_SQL = (
    "SELECT {columns} FROM (SELECT {columns}, search_text FROM leads_lead{where}"
    " ORDER BY score DESC, created_at DESC, id DESC LIMIT %s) AS walked"
    " WHERE strpos(search_text, UPPER(%s)) > 0"
    " ORDER BY score DESC, created_at DESC, id DESC LIMIT %s OFFSET %s"
)

# lead_search()'s SQL, as the ORM writes `search_text__contains=Upper(Value(text))` (PostgreSQL)
# and the four `__icontains` (SQLite, the text escaped by prep_for_like_query).
_PG_SEARCH = (
    r"search_text LIKE '%%' || REPLACE(REPLACE(REPLACE(UPPER(%s), E'\\', E'\\\\'), "
    r"E'%%', E'\\%%'), E'_', E'\\_') || '%%'"
)
_SQLITE_SEARCH = "(" + " OR ".join(
    rf"{column} LIKE %s ESCAPE '\'" for column in ("name", "email", "company", "title")
) + ")"


def lead_filter_sql(filters: dict) -> tuple[str, list]:
    """lead_list_for()'s filters as a WHERE clause on leads_lead's own columns (" WHERE ...", or
    "" for none) and its parameters: the same leads (test_leadgen_rows holds the two together)."""
    where = Where()
    if filters.get("status"):
        where.add("status = %s", filters["status"])
    if filters.get("min_score") is not None:
        where.add("score >= %s", filters["min_score"])
    if filters.get("max_score") is not None:
        where.add("score <= %s", filters["max_score"])
    if filters.get("source"):
        where.add("source = %s", filters["source"])
    if filters.get("owner") == "none":
        where.add("owner_id IS NULL")
    elif filters.get("owner"):
        where.add("owner_id = %s", int(filters["owner"]))
    if filters.get("campaign"):
        where.add("campaign_id = %s", int(filters["campaign"]))
    if filters.get("q"):
        if connection.vendor == "postgresql":
            where.add(_PG_SEARCH, filters["q"])
        else:
            where.add(_SQLITE_SEARCH, *[f"%{connection.ops.prep_for_like_query(filters['q'])}%"] * 4)
    return where.sql()


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def walk_budget(end: int, *, matches: int, leads: int) -> int | None:
    """How many leads to walk in rank order for a search's first `end` matches, `matches` of
    `leads`: twice as many as hold that many matches on average, or None when reading every match
    through the trigram index costs less: an index entry walked costs about a tenth of a match
    read and sorted (0.2 against 2 us), and a walk that falls short is followed by that read."""
    if matches <= 0:
        return None
    budget = 2 * end * leads // matches + end
    return budget if budget <= 10 * matches else None


class RankedPage:
    """The ranked leads of a filter set for a Paginator: counted by the database (cached under
    the leads `stamp` when one is given), and a page read as LeadRows, the owners' and campaigns'
    names looked up in `names` (or read, for one created since they were cached). A search's page
    on PostgreSQL is walked in rank order when that is cheaper (_WALK_SQL)."""

    def __init__(self, filters: dict, *, names: LeadGenNames, stamp: int | None = None) -> None:
        self.where, self.params = lead_filter_sql(filters)
        self.names = names
        self.stamp = stamp
        self.filters = filters
        self.search = filters.get("q") if connection.vendor == "postgresql" else None
        unsearched = {key: value for key, value in filters.items()
                      if key != "q" and value not in (None, "")}
        self.unsearched_where, self.unsearched_params = lead_filter_sql(unsearched)
        self.unsearched = unsearched

    def _cached_count(self, filters: dict, where: str, params: list) -> int:
        def counted() -> int:
            return _fetch(_COUNT_SQL.format(where=where), params)[0][0]

        if self.stamp is None:
            return counted()
        return cache.get_or_set(_cache_key("count", self.stamp, filters), counted,
                                LEADS_CACHE_SECONDS)

    def count(self) -> int:
        return self._cached_count(self.filters, self.where, self.params)

    def _unsearched_count(self) -> int:
        return self._cached_count(self.unsearched, self.unsearched_where, self.unsearched_params)

    def _walk_budget(self, end: int) -> int | None:
        # Only when the counts are cached under a stamp: counting the matches and the leads on
        # every request would cost more than the walk saves.
        if not self.search or self.stamp is None:
            return None
        return walk_budget(end, matches=self.count(), leads=self._unsearched_count())

    def _rows(self, page: slice) -> list[list]:
        size = page.stop - page.start
        budget = self._walk_budget(page.stop)
        if budget is not None:
            rows = fetch_converted(
                Lead, ROW_COLUMNS,
                _WALK_SQL.format(columns=_COLUMNS_SQL, where=self.unsearched_where),
                [*self.unsearched_params, budget, self.search, size, page.start],
            )
            # Fewer than a page: the matches lie further down, unless the walk read every lead.
            if len(rows) == size or budget >= self._unsearched_count():
                return rows
        return fetch_converted(Lead, ROW_COLUMNS,
                               _ROWS_SQL.format(columns=_COLUMNS_SQL, where=self.where),
                               [*self.params, size, page.start])

    def __getitem__(self, page: slice) -> list[LeadRow]:
        if page.stop <= page.start:
            return []  # an empty list's page: no query (as the ORM's empty slice)
        rows = self._rows(page)
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
    return RankedPage(filters, names=names, stamp=stamp)


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
