"""The creative library's cached count and the cached campaign and brand filter options (the
library's and Execution's): every kind of write they depend on shows on the next request.

Both are cached under the "library" data stamp, which database triggers bump on every such write
(migration campaigns 0010). "Another worker" is simulated by an entry put in the cache by hand
under the current key: the page must serve it until such a write, then read the database again.
"""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from campaigns.library import LibraryFilters, count_key, library_stamp, options_key
from campaigns.models import Brand, Campaign, Creative, CreativeStatus
from campaigns.tests.factories import BrandFactory, CampaignFactory, CreativeFactory

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

PLANTED_OPTION = '<option value="999999">PLANTED · CAMPAIGN</option>'


def _count(client, **params) -> str:
    page = client.get("/creatives/", params).content.decode()
    return page.split('<p class="library-count">', 1)[1].split("</p>", 1)[0]


def _plant_count(count: int, **filters) -> None:
    """The count another worker cached for these filters under the current stamp."""
    cache.set(count_key(LibraryFilters(**filters), library_stamp()), count)


def _plant_options() -> None:
    cache.set(options_key(library_stamp()), {"brand": "", "campaign": PLANTED_OPTION})


@pytest.fixture
def post():
    return CreativeFactory(
        campaign=CampaignFactory(name="Roast week", brand=BrandFactory(name="Beanery")),
        platform="linkedin", caption="Light roast notes", status=CreativeStatus.PENDING,
        scheduled_at=timezone.make_aware(datetime.combine(date(2026, 11, 18), time(9))),
    )


# --- the count -----------------------------------------------------------------------------


def test_the_page_serves_the_cached_count_while_nothing_is_written(viewer_client, post):
    _plant_count(777)
    assert _count(viewer_client).startswith("777 creatives")


def test_a_new_creative_is_counted_past_another_workers_count(viewer_client, post):
    _plant_count(1)
    CreativeFactory(campaign=post.campaign)
    assert _count(viewer_client).startswith("2 creatives")


def test_bulk_created_and_raw_inserted_creatives_are_counted(viewer_client, post):
    _plant_count(1)
    Creative.objects.bulk_create([
        Creative(campaign=post.campaign, platform="x", caption="Bulk", scheduled_at=timezone.now())
    ])
    assert _count(viewer_client).startswith("2 creatives")
    _plant_count(2)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO campaigns_creative (campaign_id, platform, scheduled_at, pillar, caption, "
            "hashtags, link, call_to_action, image, image_alt, image_brief, status, version, "
            "publication_done, created_at, updated_at) VALUES (%s, 'x', %s, '', 'Raw', '[]', '', "
            "'', '', '', '', 'draft', 1, false, %s, %s)",
            [post.campaign_id, timezone.now(), timezone.now(), timezone.now()],
        )
    assert _count(viewer_client).startswith("3 creatives")


def test_a_deleted_creative_leaves_the_count(viewer_client, post):
    CreativeFactory(campaign=post.campaign)
    _plant_count(2)
    Creative.objects.filter(pk=post.pk).delete()
    assert _count(viewer_client).startswith("1 creative")


def test_a_status_change_moves_a_creative_between_status_filters(viewer_client, post):
    _plant_count(1, status=CreativeStatus.PENDING)
    Creative.objects.filter(pk=post.pk).update(status=CreativeStatus.APPROVED)
    assert _count(viewer_client, status=CreativeStatus.PENDING).startswith("0 creatives")
    assert _count(viewer_client, status=CreativeStatus.APPROVED).startswith("1 creative")


def test_a_platform_or_time_change_moves_a_creative_between_filters(viewer_client, post):
    _plant_count(1, platform="linkedin")
    Creative.objects.filter(pk=post.pk).update(platform="x")
    assert _count(viewer_client, platform="linkedin").startswith("0 creatives")
    day = {"date_from": "2026-11-18", "date_to": "2026-11-18"}
    assert _count(viewer_client, **day).startswith("1 creative")
    Creative.objects.filter(pk=post.pk).update(
        scheduled_at=timezone.make_aware(datetime(2026, 12, 1, 9)))
    assert _count(viewer_client, **day).startswith("0 creatives")


def test_an_edited_caption_changes_what_a_search_counts(viewer_client, post):
    assert _count(viewer_client, q="espresso").startswith("0 creatives")
    Creative.objects.filter(pk=post.pk).update(caption="Espresso notes")
    assert _count(viewer_client, q="espresso").startswith("1 creative")


def test_renamed_campaigns_and_brands_change_what_a_search_counts(viewer_client, post):
    assert _count(viewer_client, q="harvest").startswith("0 creatives")
    Campaign.objects.filter(pk=post.campaign_id).update(name="Harvest")
    assert _count(viewer_client, q="harvest").startswith("1 creative")
    assert _count(viewer_client, q="teahouse").startswith("0 creatives")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE campaigns_brand SET name = 'Teahouse' WHERE id = %s",
                       [post.campaign.brand_id])
    assert _count(viewer_client, q="teahouse").startswith("1 creative")


def test_a_campaign_moved_to_another_brand_moves_its_creatives_between_brand_filters(
    viewer_client, post
):
    other = BrandFactory(name="Teahouse")
    assert _count(viewer_client, brand=other.pk).startswith("0 creatives")
    Campaign.objects.filter(pk=post.campaign_id).update(brand=other)
    assert _count(viewer_client, brand=other.pk).startswith("1 creative")


# --- the filter options --------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/creatives/", "/execution/"])
def test_the_page_serves_the_cached_options_while_nothing_is_written(viewer_client, post, path):
    _plant_options()
    assert PLANTED_OPTION in viewer_client.get(path).content.decode()


@pytest.mark.parametrize("path", ["/creatives/", "/execution/"])
def test_a_new_campaign_shows_past_another_workers_options(viewer_client, post, path):
    _plant_options()
    campaign = CampaignFactory(name="Autumn", brand=post.campaign.brand)
    page = viewer_client.get(path).content.decode()
    assert PLANTED_OPTION not in page
    assert f'<option value="{campaign.pk}">Beanery · Autumn</option>' in page


@pytest.mark.parametrize("path", ["/creatives/", "/execution/"])
def test_renamed_and_deleted_campaigns_and_brands_show_past_another_workers_options(
    viewer_client, post, path
):
    gone = CampaignFactory(name="Gone")
    _plant_options()
    Campaign.objects.filter(pk=post.campaign_id).update(name="Roast <month>")
    page = viewer_client.get(path).content.decode()
    assert f'<option value="{post.campaign_id}">Beanery · Roast &lt;month&gt;</option>' in page
    _plant_options()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE campaigns_brand SET name = 'Tea & Co' WHERE id = %s",
                       [post.campaign.brand_id])
    page = viewer_client.get(path).content.decode()
    assert f'<option value="{post.campaign.brand_id}">Tea &amp; Co</option>' in page
    assert f'<option value="{post.campaign_id}">Tea &amp; Co · Roast &lt;month&gt;</option>' \
        in page
    _plant_options()
    Campaign.objects.filter(pk=gone.pk).delete()
    Brand.objects.filter(pk=gone.brand_id).delete()
    page = viewer_client.get(path).content.decode()
    assert f'value="{gone.pk}"' not in page and "Gone" not in page


@pytest.mark.parametrize("path", ["/creatives/", "/execution/"])
def test_cached_options_mark_the_chosen_campaign_and_brand_only(viewer_client, post, path):
    other = CampaignFactory(name="Autumn")
    viewer_client.get(path)  # fills the cache
    page = viewer_client.get(path, {"campaign": other.pk, "brand": post.campaign.brand_id})
    page = page.content.decode()
    assert f'<option value="{other.pk}" selected>{other}</option>' in page
    assert f'<option value="{post.campaign_id}">{post.campaign}</option>' in page
    assert f'<option value="{post.campaign.brand_id}" selected>Beanery</option>' in page
    assert '<option value="">All campaigns</option>' in page
    assert '<option value="">All brands</option>' in page
    page = viewer_client.get(path).content.decode()
    assert '<option value="" selected>All campaigns</option>' in page
    assert f'<option value="{other.pk}">{other}</option>' in page


def test_htmx_results_read_no_options(viewer_client, post):
    viewer_client.get("/creatives/", headers={"HX-Request": "true"})
    assert cache.get(options_key(library_stamp())) is None
