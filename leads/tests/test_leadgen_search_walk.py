"""A common search's page is walked in rank order (leads.selectors._WALK_SQL) when that is
cheaper than reading every match: the same leads, in the same order, as lead_list_for()."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from leads import selectors
from leads.models import Lead
from leads.tests.factories import bulk_leads

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="SQLite has no trigram index to choose against")


def test_the_budget_is_twice_the_reach_of_the_average_match():
    # 50 of 2,220 matches among 100,000 leads lie 2,252 leads deep on average.
    assert selectors.walk_budget(50, matches=2_220, leads=100_000) == 2 * 2_252 + 50


def test_a_rare_text_is_not_walked():
    assert selectors.walk_budget(50, matches=30, leads=100_000) is None


def test_a_deep_page_is_not_walked():
    assert selectors.walk_budget(1_000, matches=2_220, leads=100_000) is None


def test_no_match_is_not_walked():
    assert selectors.walk_budget(50, matches=0, leads=100_000) is None


def _scored(leads: list[Lead], matching: set[int]) -> None:
    """Scores falling with the position; the leads at `matching` positions work at Acme (whose
    name a wildcard taken as one would find in every other company's)."""
    for position, lead in enumerate(leads):
        lead.score = 100 - position // 50
        lead.company = "Acme 50% a_b back\\slash" if position in matching else "Globex 50x axb"
    Lead.objects.bulk_update(leads, ["score", "company"])


def _page(filters: dict, page: slice) -> tuple[list[int], list[str]]:
    ranked = selectors.RankedPage(filters, names=selectors.leadgen_names(stamp=0), stamp=0)
    ranked.count()  # as the Paginator does first
    with CaptureQueriesContext(connection) as queries:
        rows = ranked[page]
    # The leads' count without the search, read once per stamp (the unsearched list's own count).
    reads = [query["sql"] for query in queries if not query["sql"].startswith("SELECT COUNT")]
    return [row.pk for row in rows], reads


def _expected(filters: dict, page: slice) -> list[int]:
    return list(selectors.lead_list_for(filters).values_list("pk", flat=True)[page])


@postgres_only
@pytest.mark.django_db
@pytest.mark.parametrize("page", [slice(0, 50), slice(50, 100)])
def test_a_common_search_is_walked_to_the_rankings_matches(page):
    _scored(bulk_leads(2_000), matching=set(range(0, 2_000, 4)))
    pks, statements = _page({"q": "acme"}, page)
    assert pks == _expected({"q": "acme"}, page)
    assert len(statements) == 1 and "AS walked" in statements[0]


@postgres_only
@pytest.mark.django_db
@pytest.mark.parametrize("text", ["50%", "a_b", "k\\S", "%", "_"])
def test_a_walk_takes_wildcards_as_they_are_written(text):
    _scored(bulk_leads(2_000), matching=set(range(0, 2_000, 4)))
    pks, statements = _page({"q": text}, slice(0, 50))
    assert pks == _expected({"q": text}, slice(0, 50))
    assert "AS walked" in statements[0]


@postgres_only
@pytest.mark.django_db
def test_a_walk_keeps_the_other_filters():
    _scored(bulk_leads(2_000), matching=set(range(0, 2_000, 4)))
    filters = {"q": "acme", "max_score": 90, "status": "", "min_score": None}
    pks, statements = _page(filters, slice(0, 50))
    assert pks == _expected(filters, slice(0, 50))
    assert "AS walked" in statements[0]


@postgres_only
@pytest.mark.django_db
def test_a_walk_short_of_a_page_reads_the_page_as_any_other():
    # The matches are all at the bottom of the ranking: the walk's budget holds none of them.
    _scored(bulk_leads(2_000), matching=set(range(1_400, 2_000)))
    pks, statements = _page({"q": "acme"}, slice(0, 50))
    assert pks == _expected({"q": "acme"}, slice(0, 50)) and len(pks) == 50
    assert len(statements) == 2
    assert "AS walked" in statements[0] and "AS walked" not in statements[1]


@postgres_only
@pytest.mark.django_db
def test_a_rare_search_reads_its_matches():
    _scored(bulk_leads(2_000), matching={7, 900, 1_999})
    pks, statements = _page({"q": "acme"}, slice(0, 50))
    assert pks == _expected({"q": "acme"}, slice(0, 50)) and len(pks) == 3
    assert len(statements) == 1 and "AS walked" not in statements[0]


@postgres_only
@pytest.mark.django_db
def test_without_cached_counts_a_search_is_not_walked():
    _scored(bulk_leads(2_000), matching=set(range(0, 2_000, 4)))
    ranked = selectors.RankedPage({"q": "acme"}, names=selectors.leadgen_names(stamp=0))
    with CaptureQueriesContext(connection) as queries:
        rows = ranked[0:50]
    assert [row.pk for row in rows] == _expected({"q": "acme"}, slice(0, 50))
    assert all("AS walked" not in query["sql"] for query in queries)
