"""The creative library: search (ranked on PostgreSQL, substring on SQLite), filters, pages."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from campaigns.library import LibraryFilters, creative_library, search_fallback
from campaigns.models import Creative, CreativeStatus
from campaigns.tests.factories import CampaignFactory, CreativeFactory

pytestmark = pytest.mark.django_db

only_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full-text search ranking is PostgreSQL's"
)


@only_postgres
def test_library_search_ranks_caption_matches_above_hashtag_matches():
    weak = CreativeFactory(caption="Our new roast is here.", hashtags=["espresso"])
    strong = CreativeFactory(caption="Espresso, espresso: dialling in an espresso at home.",
                             hashtags=[])
    CreativeFactory(caption="Filter coffee only.", hashtags=["pourover"])
    results = list(creative_library(LibraryFilters(query="espresso")))
    assert results == [strong, weak]
    assert results[0].rank > results[1].rank


@only_postgres
def test_library_search_matches_word_forms_and_brand_names():
    creative = CreativeFactory(caption="We are roasting all week.")
    brand_hit = CreativeFactory(caption="Unrelated words.")
    assert list(creative_library(LibraryFilters(query="roasts"))) == [creative]
    found = creative_library(LibraryFilters(query=brand_hit.campaign.brand.name))
    assert brand_hit in found


@only_postgres
def test_library_search_takes_web_style_queries_without_error(viewer_client):
    CreativeFactory(caption="Cold brew season")
    response = viewer_client.get("/creatives/", {"q": '"cold brew" -hot & ( ) :*'})
    assert response.status_code == 200


@pytest.mark.embedded
def test_library_search_fallback_matches_every_word_in_any_case():
    both = CreativeFactory(caption="ESPRESSO at home", hashtags=["Grinder"])
    CreativeFactory(caption="espresso only", hashtags=[])
    results = list(search_fallback(Creative.objects.all(), "espresso grinder"))
    assert results == [both]


@pytest.mark.embedded
def test_library_search_through_the_page_finds_by_part_of_a_word(viewer_client):
    hit = CreativeFactory(caption="Dialling in espresso")
    CreativeFactory(caption="Filter coffee")
    page = viewer_client.get("/creatives/", {"q": "espresso"}).content.decode()
    assert f'href="/creatives/{hit.pk}/"' in page
    assert "1 creative," in page


def test_library_filters_by_brand_campaign_platform_status_and_dates(viewer_client):
    campaign = CampaignFactory()
    day = timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=5), time(9)))
    hit = CreativeFactory(campaign=campaign, platform="x", status=CreativeStatus.APPROVED,
                          scheduled_at=day)
    CreativeFactory(campaign=campaign, platform="x", status=CreativeStatus.APPROVED,
                    scheduled_at=day + timedelta(days=3))
    CreativeFactory(campaign=campaign, platform="linkedin", status=CreativeStatus.APPROVED,
                    scheduled_at=day)
    CreativeFactory(campaign=campaign, platform="x", status=CreativeStatus.DRAFT, scheduled_at=day)
    CreativeFactory(platform="x", status=CreativeStatus.APPROVED, scheduled_at=day)
    filters = LibraryFilters(brand=campaign.brand, campaign=campaign, platform="x",
                             status="approved", date_from=day.date(), date_to=day.date())
    assert list(creative_library(filters)) == [hit]
    page = viewer_client.get("/creatives/", {
        "brand": campaign.brand.pk, "campaign": campaign.pk, "platform": "x",
        "status": "approved", "date_from": day.date().isoformat(), "date_to": day.date().isoformat(),
    }).content.decode()
    assert "1 creative" in page and f'href="/creatives/{hit.pk}/"' in page


def test_library_shows_a_bad_filter_and_applies_the_others(viewer_client):
    CreativeFactory(platform="x")
    CreativeFactory(platform="linkedin")
    response = viewer_client.get("/creatives/", {"platform": "x", "date_from": "2026-12-01",
                                                 "date_to": "2026-01-01"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "The end date is before the start date." in page


def test_library_shows_the_image_or_a_platform_coloured_tile(viewer_client):
    CreativeFactory(platform="instagram")
    CreativeFactory(platform="linkedin", image="creatives/photo.png", image_alt="A cup")
    page = viewer_client.get("/creatives/").content.decode()
    assert 'class="library-card__thumb library-card__tile" style="--platform-color: #c13584"' in page
    assert 'src="/media/creatives/photo.png" alt="A cup"' in page


def test_library_paginates_with_links_that_work_without_javascript(viewer_client):
    CreativeFactory.create_batch(30, platform="x")
    page = viewer_client.get("/creatives/", {"platform": "x"}).content.decode()
    assert "page 1 of 2" in page
    assert 'href="/creatives/?platform=x&amp;page=2"' in page
    assert 'hx-get="/creatives/?platform=x&amp;page=2"' in page
    second = viewer_client.get("/creatives/", {"platform": "x", "page": 2}).content.decode()
    assert second.count('class="library-card"') == 6


def test_library_htmx_request_gets_only_the_results(viewer_client):
    CreativeFactory(caption="Hello there")
    response = viewer_client.get("/creatives/", {"q": "hello"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="library-results"')
    assert "<html" not in body and "Hello there" in body


def test_library_says_when_nothing_matches(viewer_client):
    CreativeFactory(caption="Hello")
    page = viewer_client.get("/creatives/", {"q": "zebra"}).content.decode()
    assert "Nothing matches" in page


def test_library_rejects_post(viewer_client):
    assert viewer_client.post("/creatives/").status_code == 405


def test_library_is_forbidden_to_a_user_without_a_role(outsider_client):
    assert outsider_client.get("/creatives/").status_code == 403


def _bulk(n: int) -> None:
    campaigns = [CampaignFactory() for _ in range(3)]
    now = timezone.now()
    Creative.objects.bulk_create([
        Creative(campaign=campaigns[i % 3], platform=["x", "linkedin", "instagram"][i % 3],
                 scheduled_at=now + timedelta(hours=i), caption=f"Roast notes {i}",
                 hashtags=["coffee"])
        for i in range(n)
    ])


@pytest.mark.parametrize("query", ["", "roast"])
def test_library_query_count_is_the_same_for_10_and_500_creatives(viewer_client, query):
    _bulk(10)
    with CaptureQueriesContext(connection) as small:
        assert viewer_client.get("/creatives/", {"q": query}).status_code == 200
    _bulk(490)
    with CaptureQueriesContext(connection) as large:
        page = viewer_client.get("/creatives/", {"q": query}).content.decode()
    assert "500 creatives" in page
    assert len(small) == len(large), [q["sql"] for q in large]


def test_library_campaign_filter_lists_every_campaign_and_keeps_the_chosen_one(viewer_client):
    chosen = CampaignFactory(name="Spring <launch>", brand__name="Bean & Co")
    other = CampaignFactory(name="Autumn")
    page = viewer_client.get("/creatives/", {"campaign": chosen.pk}).content.decode()
    assert f'<option value="{chosen.pk}" selected>Bean &amp; Co · Spring &lt;launch&gt;</option>' \
        in page
    assert f'<option value="{other.pk}">{other}</option>' in page
    assert '<option value="">All campaigns</option>' in page
    assert f'<option value="{chosen.brand_id}">Bean &amp; Co</option>' in page


def test_library_campaign_filter_labels_campaigns_as_their_str():
    from campaigns.library import campaign_choices

    campaign = CampaignFactory()
    assert campaign_choices() == [(campaign.pk, str(campaign))]


def test_library_htmx_results_do_not_read_the_filter_options(viewer_client):
    CreativeFactory()
    with CaptureQueriesContext(connection) as full:
        viewer_client.get("/creatives/")
    with CaptureQueriesContext(connection) as partial:
        viewer_client.get("/creatives/", headers={"HX-Request": "true"})
    assert not any("campaigns_campaign" in q["sql"] and "ORDER BY" in q["sql"]
                   and "campaigns_creative" not in q["sql"] for q in partial.captured_queries)
    # The two option queries at least (the partial also skips the layout's kill-switch read).
    assert len(partial) <= len(full) - 2


def test_library_card_shows_what_the_post_is_escaped(viewer_client):
    caption = "<b>Bold</b> & " + "long " * 40
    creative = CreativeFactory(caption=caption, platform="x", campaign__name="Beans <1>",
                               status=CreativeStatus.APPROVED)
    page = viewer_client.get("/creatives/").content.decode()
    assert f'<a href="/creatives/{creative.pk}/" class="library-card__link">' in page
    assert "<b>Bold</b>" not in page
    shown = escape(caption[:159]) + "…"  # truncated to 160 characters
    assert f'<span class="library-card__caption">{shown}</span>' in page
    assert "Beans &lt;1&gt;" in page
    assert '<span class="badge status--approved">Approved</span> <small>v1</small>' in page


@only_postgres
def test_library_search_uses_the_index_of_the_creatives_own_words():
    CreativeFactory(caption="Espresso at home")
    queryset = creative_library(LibraryFilters(query="espresso"))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a handful of rows: force the choice
        sql, params = queryset.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "creative_search_own" in plan


@only_postgres
def test_library_search_matches_words_split_between_the_post_and_the_brand():
    creative = CreativeFactory(caption="Dialling in espresso", campaign__brand__name="Roastery")
    CreativeFactory(caption="Dialling in espresso")
    assert list(creative_library(LibraryFilters(query="espresso roastery"))) == [creative]


@pytest.mark.parametrize("zone, language", [("UTC", "en-gb"), ("Europe/Paris", "fr"),
                                            ("America/Sao_Paulo", "de")])
def test_card_and_row_times_are_what_dateformat_writes(zone, language):
    from django.utils import dateformat, translation

    from aicmo_site.templatetags.creatives_render import _Times

    start = datetime(2025, 12, 28, 23, 5, tzinfo=UTC)
    with timezone.override(zone), translation.override(language):
        times = _Times()
        for step in range(0, 24 * 400, 7):  # every weekday and month, both sides of DST
            value = start + timedelta(hours=step)
            local = timezone.localtime(value)
            assert times.with_year(value) == dateformat.format(local, "D j M Y, H:i")
            assert times.without_year(value) == dateformat.format(local, "D j M, H:i")
