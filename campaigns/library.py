"""The creative library: every creative, searchable and filterable, in a fixed number of queries.

Search runs on PostgreSQL's full-text search, ranked (caption first, then hashtags and pillar,
then campaign and brand names); on SQLite, which has none, it falls back to a case-insensitive
substring match over the same fields, newest first.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Func, Q, QuerySet, TextField, Value
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.choices import BaseChoiceIterator

from aicmo_site.html import escape, select_option
from aicmo_site.rows import Where, fetch_converted
from campaigns import stamps
from campaigns.models import Brand, Campaign, Creative

SEARCH_CONFIG = "english"


@dataclass(frozen=True)
class LibraryFilters:
    query: str = ""
    brand: Brand | None = None
    campaign: Campaign | None = None
    platform: str = ""
    status: str = ""
    date_from: date | None = None
    date_to: date | None = None


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _scheduled_from(filters: LibraryFilters) -> datetime | None:
    """The first moment the date filters take in: date_from's midnight, in the current zone."""
    return _aware(filters.date_from) if filters.date_from else None


def _scheduled_before(filters: LibraryFilters) -> datetime | None:
    """The first moment after the date filters: the midnight that ends date_to."""
    return _aware(filters.date_to + timedelta(days=1)) if filters.date_to else None


def own_search_vector():
    """The creative's own words (caption, then hashtags, pillar and call to action), as
    indexed by creative_search_own (migration 0005: keep the two expressions the same)."""
    from django.contrib.postgres.search import SearchVector

    return (
        SearchVector("caption", weight="A", config=SEARCH_CONFIG)
        + SearchVector(Cast("hashtags", TextField()), weight="B", config=SEARCH_CONFIG)
        + SearchVector("pillar", "call_to_action", weight="B", config=SEARCH_CONFIG)
    )


def campaigns_named_by(query: str) -> list[int]:
    """The campaigns whose name or brand name holds any word of the query (negated ones too)."""
    from django.contrib.postgres.fields import ArrayField
    from django.contrib.postgres.search import SearchVector

    words = ArrayField(TextField())
    return list(
        Campaign.objects.annotate(
            words=Func(SearchVector("name", "brand__name", config=SEARCH_CONFIG),
                       function="tsvector_to_array", output_field=words),
        )
        .filter(words__overlap=Func(
            Func(Value(SEARCH_CONFIG), Value(query), function="to_tsvector"),
            function="tsvector_to_array", output_field=words,
        ))
        .values_list("pk", flat=True)
    )


def search_postgres(queryset: QuerySet[Creative], query: str) -> QuerySet[Creative]:
    """Ranked matches of the creative's words and its campaign's and brand's names.

    Where the campaign's and brand's names hold none of the query's words, the whole text
    matches exactly when the creative's own words do: those rows are found through the GIN
    index on their own words, and only the named campaigns' creatives are matched in full."""
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

    own = own_search_vector()
    vector = own + SearchVector(
        "campaign__name", "campaign__brand__name", weight="C", config=SEARCH_CONFIG
    )
    search = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
    named = campaigns_named_by(query)
    queryset = queryset.annotate(own=own, search=vector, rank=SearchRank(vector, search))
    if named:
        queryset = queryset.filter(
            (Q(own=search) & ~Q(campaign__in=named)) | (Q(campaign__in=named) & Q(search=search))
        )
    else:
        queryset = queryset.filter(own=search)
    return queryset.order_by("-rank", "-scheduled_at", "-pk")


def search_fallback(queryset: QuerySet[Creative], query: str) -> QuerySet[Creative]:
    """Every word must appear somewhere (caption, hashtags, pillar, call to action, campaign
    or brand name), in any case."""
    queryset = queryset.annotate(hashtags_text=Cast("hashtags", TextField()))
    for word in query.split():
        queryset = queryset.filter(
            Q(caption__icontains=word)
            | Q(hashtags_text__icontains=word)
            | Q(pillar__icontains=word)
            | Q(call_to_action__icontains=word)
            | Q(campaign__name__icontains=word)
            | Q(campaign__brand__name__icontains=word)
        )
    return queryset.order_by("-scheduled_at", "-pk")


def brand_choices() -> list[tuple[int, str]]:
    return list(Brand.objects.order_by("name").values_list("pk", "name"))


def campaign_choices() -> list[tuple[int, str]]:
    """Every campaign labelled as `Campaign.__str__` does ("brand · name"), from one narrow
    query: a filter's select lists hundreds, and model instances cost several ms."""
    rows = Campaign.objects.order_by("brand__name", "name").values_list("pk", "brand__name", "name")
    return [(pk, f"{brand} · {name}") for pk, brand, name in rows]


# The library's counts and the filter options are cached under the "library" data stamp, which
# triggers bump on every write that can change them (migration campaigns 0010), committed with
# the write: no worker serves a count or an option list older than the data it can read.
LIBRARY_CACHE_SECONDS = 60 * 60


def library_stamp() -> int:
    return stamps.data_stamp(stamps.LIBRARY)


def _cache_key(kind: str, stamp: int | None, *parts) -> str:
    stamp = library_stamp() if stamp is None else stamp
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f"library:{kind}:{settings.DASHBOARD_BUILD}:{stamp}:{digest}"


def _option_tags(choices: list[tuple[int, str]]) -> str:
    """What fast_html's QuickSelect writes for these options, none selected."""
    return "\n".join(f'<option value="{escape(value)}">{escape(label)}</option>'
                     for value, label in choices)


def _read_choices() -> dict[str, list[tuple[int, str]]]:
    return {"brand": brand_choices(), "campaign": campaign_choices()}


def options_key(stamp: int | None) -> str:
    return _cache_key("options", stamp)


def filter_options(stamp: int | None = None) -> dict[str, str]:
    """The brand and campaign filters' <option> markup (none selected), by field name: hundreds
    of campaigns, read and escaped once per stamp instead of once per request. (The markup
    alone: a cached list of hundreds of pairs costs more to unpickle than to read.)"""

    def read() -> dict[str, str]:
        return {name: _option_tags(choices) for name, choices in _read_choices().items()}

    return cache.get_or_set(options_key(stamp), read, LIBRARY_CACHE_SECONDS)


def filter_choices(stamp: int | None = None) -> dict[str, list[tuple[int, str]]]:
    """The brand and campaign filters' (value, label) pairs, by field name, for anything that
    iterates a select's choices instead of writing its markup."""
    return cache.get_or_set(_cache_key("choices", stamp), _read_choices, LIBRARY_CACHE_SECONDS)


class _CachedChoices(BaseChoiceIterator):
    """A filter select's options, from the cache on first use (an htmx partial that does not
    show the form reads nothing). QuickSelect writes `option_tags`, the markup kept per stamp
    (a BaseChoiceIterator is taken as it is, not re-normalised per option)."""

    def __init__(self, empty_label: str, name: str, options: Callable[[], dict],
                 choices: Callable[[], dict]):
        self.empty_label = empty_label
        self.name = name
        self.options = options
        self.choices = choices

    def __iter__(self) -> Iterator[tuple[int | str, str]]:
        yield "", self.empty_label  # all that Select.use_required_attribute reads
        yield from self.choices()[self.name]

    def option_tags(self, selected: set[str]) -> str:
        """The <option>s, those whose value is in `selected` marked, as QuickSelect writes them."""
        markup = self.options()[self.name]
        for value in selected - {""}:  # one at most: a single select
            markup = select_option(markup, value)
        empty = (f'<option value=""{" selected" if "" in selected else ""}>'
                 f"{escape(self.empty_label)}</option>")
        return f"{empty}\n{markup}" if markup else empty


def set_filter_choices(form, stamp: int | None = None) -> None:
    """Gives a filter form's `brand` and `campaign` selects their options from the cache (one
    read for both, under `stamp` if the caller has read it). Validation still looks the chosen
    one up in the field's queryset."""
    options = functools.cache(functools.partial(filter_options, stamp))
    choices = functools.cache(functools.partial(filter_choices, stamp))
    for name in ("brand", "campaign"):
        field = form.fields[name]
        field.choices = _CachedChoices(field.empty_label, name, options, choices)


def count_key(filters: LibraryFilters, stamp: int) -> str:
    # The vendor too: SQLite's fallback search matches differently from PostgreSQL's.
    return _cache_key(
        "count", stamp, filters.query.strip(), getattr(filters.brand, "pk", None),
        getattr(filters.campaign, "pk", None), filters.platform, filters.status,
        filters.date_from, filters.date_to, connection.vendor,
    )


# What a result card shows (creatives_render.library_cards): a page reads these columns only,
# as plain rows (not the brands' voice and audience texts, nor three model instances a card).
CARD_COLUMNS = ("pk", "platform", "status", "version", "scheduled_at", "caption", "image",
                "image_alt", "campaign__name", "campaign__brand__name")


def creative_library(filters: LibraryFilters) -> QuerySet[Creative]:
    """The library's creatives for these filters, with what a result card shows joined in."""
    queryset = Creative.objects.select_related("campaign__brand")
    if filters.brand is not None:
        queryset = queryset.filter(campaign__brand=filters.brand)
    if filters.campaign is not None:
        queryset = queryset.filter(campaign=filters.campaign)
    if filters.platform:
        queryset = queryset.filter(platform=filters.platform)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.date_from:
        queryset = queryset.filter(scheduled_at__gte=_scheduled_from(filters))
    if filters.date_to:
        queryset = queryset.filter(scheduled_at__lt=_scheduled_before(filters))
    query = filters.query.strip()
    if not query:
        return queryset.order_by("-scheduled_at", "-pk")
    if connection.vendor == "postgresql":
        return search_postgres(queryset, query)
    return search_fallback(queryset, query)


def library_count(filters: LibraryFilters, stamp: int) -> int:
    """How many creatives these filters match, cached under the library stamp."""
    return cache.get_or_set(count_key(filters, stamp), creative_library(filters).count,
                            LIBRARY_CACHE_SECONDS)


# The cards of a library page with nothing searched (the library as it opens, and its filters),
# written out: the ORM built and compiled the same three-table join on every request (0.5 ms,
# as long as PostgreSQL's planning and reading of it). Its filters are creative_library()'s.
# The creative's own columns of CARD_COLUMNS (the last two are its campaign's and brand's names).
_CARD_CREATIVE_COLUMNS = ("id", *CARD_COLUMNS[1:-2])
_CARD_SELECT = ", ".join(f"c.{name}" for name in _CARD_CREATIVE_COLUMNS)
_CARDS_SQL = (
    f"SELECT {_CARD_SELECT}, p.name, b.name"  # noqa: S608 - names from CARD_COLUMNS
    " FROM campaigns_creative c"
    " INNER JOIN campaigns_campaign p ON p.id = c.campaign_id"
    " INNER JOIN campaigns_brand b ON b.id = p.brand_id{where}"
    " ORDER BY c.scheduled_at DESC, c.id DESC LIMIT %s OFFSET %s"
)


def _cards_filter_sql(filters: LibraryFilters) -> tuple[str, list]:
    """creative_library()'s filters, nothing searched, as _CARDS_SQL's WHERE and parameters."""
    where = Where()
    if filters.brand is not None:
        where.add("p.brand_id = %s", filters.brand.pk)
    if filters.campaign is not None:
        where.add("c.campaign_id = %s", filters.campaign.pk)
    if filters.platform:
        where.add("c.platform = %s", filters.platform)
    if filters.status:
        where.add("c.status = %s", filters.status)
    adapt = connection.ops.adapt_datetimefield_value  # as the ORM passes a datetime
    if filters.date_from:
        where.add("c.scheduled_at >= %s", adapt(_scheduled_from(filters)))
    if filters.date_to:
        where.add("c.scheduled_at < %s", adapt(_scheduled_before(filters)))
    return where.sql()


class LibraryCards:
    """The cards of an unsearched filter set for a Paginator (which is given their count, cached
    by library_count): a page is one _CARDS_SQL, its rows keyed as CARD_COLUMNS."""

    def __init__(self, filters: LibraryFilters) -> None:
        self.where, self.params = _cards_filter_sql(filters)

    def __getitem__(self, page: slice) -> list[dict]:
        if page.stop <= page.start:
            return []
        rows = fetch_converted(Creative, _CARD_CREATIVE_COLUMNS, _CARDS_SQL.format(where=self.where),
                               [*self.params, page.stop - page.start, page.start])
        return [dict(zip(CARD_COLUMNS, row, strict=True)) for row in rows]


def creative_library_cards(filters: LibraryFilters) -> LibraryCards | QuerySet:
    """creative_library(filters) as rows of what a result card shows (CARD_COLUMNS): a search's
    ranked by the ORM's statement, any other page's by the library's own."""
    if filters.query.strip():
        return creative_library(filters).values(*CARD_COLUMNS)
    return LibraryCards(filters)
