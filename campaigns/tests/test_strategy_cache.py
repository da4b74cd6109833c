"""The Strategy page's cached calendar: every kind of write it prints shows on the next request.

The calendar of a (view, date, brand, platform) is cached under the "calendar" data stamp, which
database triggers bump on every write that can change it. "Another process" is simulated by an
entry put in the cache by hand under the current key: the page must serve it until such a
write, then draw the calendar again.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaigns import stamps
from campaigns.models import Brand, Campaign, Creative, CreativeStatus, MetricSnapshot
from campaigns.tests.factories import (
    BrandFactory,
    CampaignFactory,
    CreativeFactory,
    MetricSnapshotFactory,
)
from campaigns.views.strategy import CalendarFrame, _calendar_key
from leads.models import Lead
from leads.statuses import LeadStatus
from leads.tests.factories import LeadFactory

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

ANCHOR = date(2026, 11, 15)  # November 2026: the month view runs 26 Oct – 6 Dec
MONTH = "/strategy/?view=month&date=2026-11-15"
WEEK = "/strategy/?view=week&date=2026-11-18"  # 16 – 22 Nov: the week view prints captions
PLANTED = "PLANTED CALENDAR"


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def campaign():
    return CampaignFactory(
        name="Roast week", start_date=date(2026, 11, 2), end_date=date(2026, 11, 29), cadence=1,
        platforms=["linkedin", "x"], brand=BrandFactory(name="Beanery"),
    )


@pytest.fixture
def post(campaign):
    return CreativeFactory(campaign=campaign, platform="linkedin", caption="Light roast notes",
                           scheduled_at=at(date(2026, 11, 18), 9))


def _calendar(page: str) -> str:
    return page[page.index('<section id="calendar"'):]


def _page(client, path: str = MONTH) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return _calendar(response.content.decode())


def _planted(mode: str = "month", anchor: date | None = ANCHOR, platform: str = "") -> str:
    """Fills the cache entry of the current stamp as another worker would have."""
    key = _calendar_key(mode, anchor, None, platform, stamps.data_stamp(stamps.CALENDAR),
                        reverse("campaigns:strategy"))
    cache.set(key, CalendarFrame(
        mode=mode, anchor=anchor or ANCHOR, title=PLANTED, previous=ANCHOR, following=ANCHOR,
        problem_count=0, problems_hidden=0, total=1, rows_html=f"<tr><td>{PLANTED}</td></tr>",
        problems_html="",
    ))
    return key


def _calendar_stamp() -> int:
    return stamps.data_stamp(stamps.CALENDAR)


# --- the cache ----------------------------------------------------------------------------------


def test_page_serves_the_cached_calendar_while_nothing_is_written(viewer_client, post):
    _planted()
    assert PLANTED in _page(viewer_client)


def test_page_fills_the_cache_and_reads_it_back_the_same(viewer_client, post):
    first = _page(viewer_client)
    assert "Beanery" in first
    assert cache.get(_calendar_key("month", ANCHOR, None, "", _calendar_stamp(),
                                   reverse("campaigns:strategy"))) is not None
    assert _page(viewer_client) == first


def test_one_entry_serves_every_request_for_the_same_calendar_with_its_own_links(
    viewer_client, campaign
):
    day = date(2026, 11, 18)
    for hour in range(8):
        CreativeFactory(campaign=campaign, scheduled_at=at(day, 8 + hour))
    assert "&amp;plans_page=2" not in _page(viewer_client)
    with CaptureQueriesContext(connection) as queries:
        page = _page(viewer_client, MONTH + "&plans_page=2")
    assert not [q for q in queries if "campaigns_creative" in q["sql"]]
    assert 'href="/strategy/?view=week&amp;date=2026-11-18&amp;plans_page=2#calendar"' in page


def test_warm_page_reads_no_creative(viewer_client, post):
    _page(viewer_client)
    with CaptureQueriesContext(connection) as queries:
        _page(viewer_client)
    assert not [q for q in queries if "campaigns_creative" in q["sql"]]


def test_a_new_day_draws_the_default_calendar_again(viewer_client, post):
    today = timezone.localdate()
    _planted(anchor=None)  # no date asked: the calendar around today
    assert PLANTED in _page(viewer_client, "/strategy/")
    with mock.patch("django.utils.timezone.localdate", return_value=today + timedelta(days=1)):
        assert PLANTED not in _page(viewer_client, "/strategy/")


# --- each kind of write reaches the page, past another worker's cached entry ------------------


def test_a_new_creative_shows_after_another_workers_cache(viewer_client, campaign):
    _planted()
    creative = CreativeFactory(campaign=campaign, scheduled_at=at(date(2026, 11, 18), 9))
    page = _page(viewer_client)
    assert PLANTED not in page
    assert f'data-creative="{creative.pk}"' in page


def test_a_deleted_creative_leaves_after_another_workers_cache(viewer_client, post):
    assert f'data-creative="{post.pk}"' in _page(viewer_client)
    _planted()
    Creative.objects.filter(pk=post.pk).delete()
    page = _page(viewer_client)
    assert PLANTED not in page
    assert f'data-creative="{post.pk}"' not in page


def test_a_rescheduled_creative_moves_after_another_workers_cache(viewer_client, post):
    _planted()
    Creative.objects.filter(pk=post.pk).update(scheduled_at=at(date(2026, 11, 19), 14, 45))
    assert '<span class="cal-entry__time">14:45</span>' in _page(viewer_client)


def test_a_rejected_creative_leaves_after_another_workers_cache(viewer_client, post):
    _planted()
    Creative.objects.filter(pk=post.pk).update(status=CreativeStatus.REJECTED)
    page = _page(viewer_client)
    assert PLANTED not in page
    assert f'data-creative="{post.pk}"' not in page


def test_an_approved_creative_loses_its_status_label_after_another_workers_cache(
    viewer_client, post
):
    assert '<span class="cal-entry__status">Awaiting review<' in _page(viewer_client)
    _planted()
    Creative.objects.filter(pk=post.pk).update(status=CreativeStatus.APPROVED)
    page = _page(viewer_client)
    assert f'data-creative="{post.pk}"' in page
    assert "cal-entry__status" not in page


def test_a_creative_moved_to_another_platform_shows_after_another_workers_cache(
    viewer_client, post
):
    _planted()
    Creative.objects.filter(pk=post.pk).update(platform="x")
    assert "--platform-color: #111111" in _page(viewer_client)


def test_a_creative_moved_to_another_campaign_shows_after_another_workers_cache(
    viewer_client, post
):
    other = CampaignFactory(brand=BrandFactory(name="Tea House"), start_date=date(2026, 11, 2),
                            end_date=date(2026, 11, 29))
    _planted()
    Creative.objects.filter(pk=post.pk).update(campaign=other)
    page = _page(viewer_client)
    assert '<span class="cal-entry__brand">Tea House</span>' in page
    assert '<span class="cal-entry__brand">Beanery</span>' not in page


def test_an_edited_caption_shows_after_another_workers_cache(viewer_client, post):
    _planted(mode="week", anchor=date(2026, 11, 18))
    Creative.objects.filter(pk=post.pk).update(caption="Dark roast notes")
    assert '<span class="cal-entry__caption">Dark roast notes</span>' in _page(viewer_client, WEEK)


def test_a_new_campaign_short_of_its_cadence_shows_after_another_workers_cache(viewer_client):
    _planted()
    CampaignFactory(name="Autumn blend", start_date=date(2026, 11, 2),
                    end_date=date(2026, 11, 29), cadence=2)
    assert "Autumn blend: 0 of 2 posts this week" in _page(viewer_client)


def test_a_deleted_campaign_leaves_after_another_workers_cache(viewer_client, campaign):
    assert "Roast week: 0 of 1 posts" in _page(viewer_client)
    _planted()
    Campaign.objects.filter(pk=campaign.pk).delete()
    page = _page(viewer_client)
    assert PLANTED not in page
    assert "Roast week" not in page


def test_a_renamed_campaign_shows_after_another_workers_cache(viewer_client, campaign):
    _planted()
    Campaign.objects.filter(pk=campaign.pk).update(name="Roast fortnight")
    assert "Roast fortnight: 0 of 1 posts" in _page(viewer_client)


def test_a_campaign_moved_to_another_brand_shows_after_another_workers_cache(viewer_client, post):
    tea = BrandFactory(name="Tea House")
    _planted()
    Campaign.objects.filter(pk=post.campaign_id).update(brand=tea)
    assert '<span class="cal-entry__brand">Tea House</span>' in _page(viewer_client)


@pytest.mark.parametrize("dates", [
    {"start_date": date(2026, 11, 20)},
    {"end_date": date(2026, 11, 17)},
])
def test_new_campaign_dates_flag_the_post_outside_them_after_another_workers_cache(
    viewer_client, post, dates
):
    assert "outside campaign dates" not in _page(viewer_client)
    _planted()
    Campaign.objects.filter(pk=post.campaign_id).update(**dates)
    assert "⚠ outside campaign dates" in _page(viewer_client)


def test_a_new_cadence_shows_after_another_workers_cache(viewer_client, campaign):
    _planted()
    Campaign.objects.filter(pk=campaign.pk).update(cadence=4)
    assert "Roast week: 0 of 4 posts this week" in _page(viewer_client)


def test_new_campaign_platforms_show_in_a_platform_filtered_calendar(viewer_client, campaign):
    path = MONTH + "&platform=instagram"
    assert "Roast week" not in _page(viewer_client, path)
    _planted(platform="instagram")
    Campaign.objects.filter(pk=campaign.pk).update(platforms=["instagram"])
    assert "Roast week: 0 of 1 posts" in _page(viewer_client, path)


def test_a_completed_campaign_leaves_the_cadence_check_after_another_workers_cache(
    viewer_client, campaign
):
    _planted()
    Campaign.objects.filter(pk=campaign.pk).update(completed_at=timezone.now())
    page = _page(viewer_client)
    assert PLANTED not in page
    assert "Roast week" not in page


def test_a_renamed_brand_shows_after_another_workers_cache(viewer_client, post):
    _planted()
    Brand.objects.filter(pk=post.campaign.brand_id).update(name="Bean Bar")
    assert '<span class="cal-entry__brand">Bean Bar</span>' in _page(viewer_client)


# --- the stamp ----------------------------------------------------------------------------------


@pytest.mark.parametrize("write", ["insert", "delete"])
def test_a_brand_added_or_removed_bumps_the_calendar_stamp(write):
    brand = BrandFactory()
    before = _calendar_stamp()
    if write == "insert":
        BrandFactory()
    else:
        Brand.objects.filter(pk=brand.pk).delete()
    assert _calendar_stamp() > before


def test_writes_that_cannot_change_the_calendar_leave_its_stamp_alone(post):
    lead = LeadFactory()
    snapshot = MetricSnapshotFactory()
    before = _calendar_stamp()
    Creative.objects.filter(pk=post.pk).update(pillar="Origin", hashtags=["beans"], version=2)
    Campaign.objects.filter(pk=post.campaign_id).update(objectives="More sign-ups")
    Brand.objects.filter(pk=post.campaign.brand_id).update(industry="Tea", voice="Bright")
    Lead.objects.filter(pk=lead.pk).update(score=99, status=LeadStatus.WON)
    MetricSnapshot.objects.filter(pk=snapshot.pk).update(impressions=5)
    assert _calendar_stamp() == before


def test_calendar_writes_leave_the_leads_stamp_alone(post):
    before = stamps.data_stamp(stamps.LEADS)
    Creative.objects.filter(pk=post.pk).update(caption="Other words")
    Campaign.objects.filter(pk=post.campaign_id).update(cadence=5)
    assert stamps.data_stamp(stamps.LEADS) == before


def test_a_rolled_back_write_leaves_the_calendar_stamp_alone(campaign):
    before = _calendar_stamp()
    with pytest.raises(RuntimeError), transaction.atomic():
        CreativeFactory(campaign=campaign)
        assert _calendar_stamp() > before
        raise RuntimeError
    assert _calendar_stamp() == before


# --- the brand filter's cached choices ------------------------------------------------------------


def _brand_options(client) -> str:
    page = _page(client)
    select = page[page.index('<select name="brand"'):]
    return select[:select.index("</select>")]


def test_the_brand_filter_serves_its_cached_choices_while_nothing_is_written(viewer_client, post):
    cache.set(f"strategy:brands:{_calendar_stamp()}", [(post.campaign.brand_id, "PLANTED BRAND")])
    assert f'<option value="{post.campaign.brand_id}">PLANTED BRAND</option>' in _brand_options(
        viewer_client)


@pytest.mark.parametrize("write", ["insert", "rename", "delete"])
def test_a_brand_write_shows_in_the_filter_past_another_workers_cached_choices(
    viewer_client, post, write
):
    other = BrandFactory(name="Old name")
    cache.set(f"strategy:brands:{_calendar_stamp()}", [(other.pk, "Old name")])
    if write == "insert":
        added = BrandFactory(name="Added brand")
        assert f'<option value="{added.pk}">Added brand</option>' in _brand_options(viewer_client)
    elif write == "rename":
        Brand.objects.filter(pk=other.pk).update(name="New name")
        options = _brand_options(viewer_client)
        assert "New name" in options and "Old name" not in options
    else:
        Brand.objects.filter(pk=other.pk).delete()
        assert "Old name" not in _brand_options(viewer_client)
    assert f'<option value="{post.campaign.brand_id}">Beanery</option>' in _brand_options(
        viewer_client)


def test_the_brand_filter_keeps_the_chosen_brand_and_reads_no_brand_when_warm(viewer_client, post):
    path = f"{MONTH}&brand={post.campaign.brand_id}"
    _page(viewer_client, path)
    with CaptureQueriesContext(connection) as queries:
        options = _calendar(viewer_client.get(path).content.decode())
    assert f'<option value="{post.campaign.brand_id}" selected>Beanery</option>' in options
    # The chosen brand is validated (one read by pk); the list of brands comes from the cache.
    assert not [q for q in queries if 'FROM "campaigns_brand" ORDER BY' in q["sql"]]


# --- the cached list of active campaigns (the plan cards) ----------------------------------------


def _active_key() -> str:
    return (f"strategy:active-campaigns:{timezone.get_current_timezone_name()}:"
            f"{timezone.localdate()}:{_calendar_stamp()}")


def _plans(client) -> str:
    page = client.get("/strategy/").content.decode()
    return page[page.index('<section id="plans"'):page.index('<section id="calendar"')]


def _active_campaign(**kwargs) -> Campaign:
    today = timezone.localdate()
    return CampaignFactory(start_date=today - timedelta(days=3), end_date=today + timedelta(days=30),
                           **kwargs)


def test_the_plan_cards_serve_the_cached_campaigns_while_nothing_is_written(viewer_client):
    campaign = _active_campaign(name="Real name")
    row = (campaign.pk, campaign.brand_id, "PLANTED BRAND", "PLANTED CAMPAIGN",
           campaign.start_date.toordinal(), campaign.end_date.toordinal(), 2)
    cache.set(_active_key(), [row])
    plans = _plans(viewer_client)
    assert "<strong>PLANTED BRAND</strong> · PLANTED CAMPAIGN" in plans
    assert "Real name" not in plans


@pytest.mark.parametrize("write", [
    "insert", "rename", "brand rename", "complete", "end", "delete", "cadence",
])
def test_a_campaign_write_shows_in_the_plan_cards_past_another_workers_cache(
    viewer_client, write
):
    campaign = _active_campaign(name="Roast week", cadence=2, brand=BrandFactory(name="Beanery"))
    _plans(viewer_client)  # fills the entry, as another worker would have
    today = timezone.localdate()
    rows = Campaign.objects.filter(pk=campaign.pk)
    if write == "insert":
        _active_campaign(name="Brew week", brand=campaign.brand)
        assert "Brew week" in _plans(viewer_client)
    elif write == "rename":
        rows.update(name="Grind week")
        assert "Grind week" in _plans(viewer_client)
    elif write == "brand rename":
        Brand.objects.filter(pk=campaign.brand_id).update(name="Bean Bar")
        assert "<strong>Bean Bar</strong>" in _plans(viewer_client)
    elif write == "complete":
        rows.update(completed_at=timezone.now())
        assert "Roast week" not in _plans(viewer_client)
    elif write == "end":
        rows.update(start_date=today - timedelta(days=10), end_date=today - timedelta(days=1))
        assert "Roast week" not in _plans(viewer_client)
    elif write == "delete":
        rows.delete()
        assert "Roast week" not in _plans(viewer_client)
    else:
        rows.update(cadence=1)
        assert "1 post a week" in _plans(viewer_client)
