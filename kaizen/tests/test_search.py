"""Knowledge-base search: PostgreSQL full-text ranking, and the SQLite fallback."""

from __future__ import annotations

import pytest
from django.db import connection

from kaizen.selectors import _search_fallback, article_list, article_search
from kaizen.services import article_create

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full-text search runs on PostgreSQL"
)
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite fallback")


@pytest.fixture
def articles(operator):
    def write(title, body, tags=(), brand=None):
        return article_create(title=title, body=body, tags=list(tags), brand=brand,
                              author=operator)

    return {
        "title": write("Caption checklist", "Before posting, read it aloud."),
        "body": write("Launch notes", "Keep every caption short and add the alt text."),
        "both": write("Captions that convert", "A caption should lead with the reader."),
        "none": write("Hashtag strategy", "Three hashtags are plenty."),
    }


@postgres_only
def test_article_search_ranks_title_matches_above_body_matches(articles):
    hits = article_search("caption")
    titles = [hit.article.title for hit in hits]
    assert titles[-1] == "Launch notes"
    assert set(titles) == {"Caption checklist", "Captions that convert", "Launch notes"}
    assert hits[0].rank > hits[-1].rank


@postgres_only
def test_article_search_stems_words(articles):
    # "captions" finds "caption" (English stemming); a plain substring search would not.
    assert {hit.article.title for hit in article_search("captions")} >= {"Launch notes"}


@postgres_only
def test_article_search_highlights_matches(articles):
    hit = next(h for h in article_search("caption") if h.article.title == "Launch notes")
    assert "<mark>caption</mark>" in hit.snippet


@postgres_only
def test_article_search_escapes_html_in_snippets(operator):
    article_create(title="Unsafe", body="<script>alert(1)</script> if 1 < 2 & caption <b>x</b>",
                   tags=[], author=operator)
    snippet = str(article_search("caption")[0].snippet)
    assert "<script" not in snippet and "<b>" not in snippet
    assert "1 &lt; 2 &amp;" in snippet
    assert "<mark>caption</mark>" in snippet


@postgres_only
def test_article_search_understands_websearch_syntax(articles):
    titles = {hit.article.title for hit in article_search('caption -reader')}
    assert "Captions that convert" not in titles
    assert "Launch notes" in titles


@pytest.mark.embedded
def test_article_search_filters_by_tag_and_brand(operator):
    from kaizen.tests.builders import make_brand

    brand = make_brand("Helio")
    article_create(title="Solar captions", body="caption", tags=["solar"], brand=brand,
                   author=operator)
    article_create(title="Coffee captions", body="caption", tags=["coffee"], author=operator)
    assert [h.article.title for h in article_search("caption", tag="solar")] == ["Solar captions"]
    assert [h.article.title for h in article_search("caption", brand=brand)] == ["Solar captions"]
    assert [a.title for a in article_list(tag="sol")] == []


@pytest.mark.embedded
def test_search_fallback_needs_every_word_and_ranks_title_matches_first(articles):
    hits = _search_fallback(article_list(), "caption read")
    assert [hit.article.title for hit in hits] == ["Captions that convert", "Caption checklist"]


@pytest.mark.embedded
def test_search_fallback_highlights_and_escapes(operator):
    article_create(title="Unsafe", body="<script>x</script> a Caption here", tags=[],
                   author=operator)
    snippet = str(_search_fallback(article_list(), "caption")[0].snippet)
    assert "<mark>Caption</mark>" in snippet
    assert "&lt;script&gt;" in snippet and "<script" not in snippet


@pytest.mark.embedded
@sqlite_only
def test_article_search_uses_the_fallback_on_sqlite(articles):
    hits = article_search("alt text")
    assert [hit.article.title for hit in hits] == ["Launch notes"]
    assert "<mark>alt</mark> <mark>text</mark>" in hits[0].snippet


@pytest.mark.embedded
def test_article_search_of_nothing_finds_nothing(articles):
    assert article_search("   ") == []
