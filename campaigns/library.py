"""The creative library: every creative, searchable and filterable, in a fixed number of queries.

Search runs on PostgreSQL's full-text search, ranked (caption first, then hashtags and pillar,
then campaign and brand names); on SQLite, which has none, it falls back to a case-insensitive
substring match over the same fields, newest first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import Func, Q, QuerySet, TextField, Value
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.choices import BaseChoiceIterator

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


class _LazyChoices(BaseChoiceIterator):
    """A select's options, read on first use and kept: an htmx partial that does not show the
    form reads none. (A BaseChoiceIterator is taken as it is, not re-normalised per option.)"""

    def __init__(self, empty_label: str, read: Callable[[], list[tuple[int, str]]]):
        self.empty_label = empty_label
        self.read = read
        self.options: list[tuple[int | str, str]] | None = None

    def __iter__(self) -> Iterator[tuple[int | str, str]]:
        if self.options is None:
            self.options = [("", self.empty_label), *self.read()]
        return iter(self.options)


def set_filter_choices(form) -> None:
    """Gives a filter form's `brand` and `campaign` selects their options from narrow queries.
    Validation still looks the chosen one up in the field's queryset."""
    for name, read in (("brand", brand_choices), ("campaign", campaign_choices)):
        field = form.fields[name]
        field.choices = _LazyChoices(field.empty_label, read)


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
        queryset = queryset.filter(scheduled_at__gte=_aware(filters.date_from))
    if filters.date_to:
        queryset = queryset.filter(scheduled_at__lt=_aware(filters.date_to + timedelta(days=1)))
    query = filters.query.strip()
    if not query:
        return queryset.order_by("-scheduled_at", "-pk")
    if connection.vendor == "postgresql":
        return search_postgres(queryset, query)
    return search_fallback(queryset, query)
