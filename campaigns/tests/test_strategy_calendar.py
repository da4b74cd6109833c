"""The content calendar: where posts land, and the problems it flags."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaigns.models import CreativeStatus
from campaigns.planning import calendar_view, expected_posts
from campaigns.tests.factories import BrandFactory, CampaignFactory, CreativeFactory

pytestmark = pytest.mark.django_db

# November 2026: Monday 2nd to Sunday 29th are whole weeks; the month view runs 26 Oct – 6 Dec.
MONTH_ANCHOR = date(2026, 11, 15)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def campaign():
    return CampaignFactory(
        start_date=date(2026, 11, 2), end_date=date(2026, 11, 29), cadence=1,
        platforms=["linkedin", "x"],
    )


def flagged(view, creative):
    return next(e for e in view.entries if e.creative.pk == creative.pk)


def test_calendar_places_a_post_on_its_day_in_the_month_view(campaign):
    creative = CreativeFactory(campaign=campaign, scheduled_at=at(date(2026, 11, 18), 9))
    view = calendar_view(mode="month", anchor=MONTH_ANCHOR)
    assert (view.first, view.last) == (date(2026, 10, 26), date(2026, 12, 6))
    assert len(view.weeks) == 6
    days = {d.day: d for w in view.weeks for d in w.days}
    assert [e.creative.pk for e in days[date(2026, 11, 18)].shown] == [creative.pk]
    assert sum(d.total for d in days.values()) == 1


def test_calendar_week_view_shows_only_that_week(campaign):
    inside = CreativeFactory(campaign=campaign, scheduled_at=at(date(2026, 11, 19), 9))
    CreativeFactory(campaign=campaign, scheduled_at=at(date(2026, 11, 24), 9))
    view = calendar_view(mode="week", anchor=date(2026, 11, 18))
    assert (view.first, view.last) == (date(2026, 11, 16), date(2026, 11, 22))
    assert [e.creative.pk for e in view.entries] == [inside.pk]
    assert (view.previous, view.following) == (date(2026, 11, 9), date(2026, 11, 23))


def test_calendar_leaves_out_rejected_posts(campaign):
    CreativeFactory(campaign=campaign, scheduled_at=at(date(2026, 11, 18), 9),
                    status=CreativeStatus.REJECTED)
    view = calendar_view(mode="month", anchor=MONTH_ANCHOR)
    assert view.entries == [] and view.total == 0


def test_calendar_filters_by_brand_and_platform(campaign):
    other = CampaignFactory(start_date=campaign.start_date, end_date=campaign.end_date)
    mine = CreativeFactory(campaign=campaign, platform="x", scheduled_at=at(date(2026, 11, 18), 9))
    CreativeFactory(campaign=campaign, platform="linkedin", scheduled_at=at(date(2026, 11, 18), 9))
    CreativeFactory(campaign=other, platform="x", scheduled_at=at(date(2026, 11, 18), 9))
    view = calendar_view(mode="month", anchor=MONTH_ANCHOR, brand=campaign.brand, platform="x")
    assert [e.creative.pk for e in view.entries] == [mine.pk]


def test_calendar_flags_two_posts_on_one_platform_for_one_brand_in_the_same_hour(campaign):
    first = CreativeFactory(campaign=campaign, scheduled_at=at(date(2026, 11, 18), 9, 5))
    second = CreativeFactory(campaign=campaign, scheduled_at=at(date(2026, 11, 18), 9, 50))
    next_hour = CreativeFactory(campaign=campaign, scheduled_at=at(date(2026, 11, 18), 10))
    other_platform = CreativeFactory(campaign=campaign, platform="x",
                                     scheduled_at=at(date(2026, 11, 18), 9, 10))
    view = calendar_view(mode="month", anchor=MONTH_ANCHOR)
    assert flagged(view, first).slot_clash and flagged(view, second).slot_clash
    assert not flagged(view, next_hour).slot_clash
    assert not flagged(view, other_platform).slot_clash


def test_calendar_flags_a_clash_across_two_campaigns_of_one_brand(campaign):
    sister = CampaignFactory(brand=campaign.brand, start_date=campaign.start_date,
                             end_date=campaign.end_date)
    other_brand = CampaignFactory(start_date=campaign.start_date, end_date=campaign.end_date)
    a = CreativeFactory(campaign=campaign, scheduled_at=at(date(2026, 11, 18), 9))
    b = CreativeFactory(campaign=sister, scheduled_at=at(date(2026, 11, 18), 9, 30))
    c = CreativeFactory(campaign=other_brand, scheduled_at=at(date(2026, 11, 18), 9, 30))
    view = calendar_view(mode="month", anchor=MONTH_ANCHOR)
    assert flagged(view, a).slot_clash and flagged(view, b).slot_clash
    assert not flagged(view, c).slot_clash


def test_calendar_flags_a_post_outside_its_campaigns_dates(campaign):
    before = CreativeFactory(campaign=campaign, scheduled_at=at(date(2026, 11, 1), 12))
    first_day = CreativeFactory(campaign=campaign, scheduled_at=at(date(2026, 11, 2), 0))
    last_day = CreativeFactory(campaign=campaign, scheduled_at=at(date(2026, 11, 29), 23, 30))
    after = CreativeFactory(campaign=campaign, scheduled_at=at(date(2026, 11, 30), 8))
    view = calendar_view(mode="month", anchor=MONTH_ANCHOR)
    assert flagged(view, before).outside_dates and flagged(view, after).outside_dates
    assert not flagged(view, first_day).outside_dates
    assert not flagged(view, last_day).outside_dates


def test_calendar_flags_a_week_below_the_campaigns_cadence(campaign):
    campaign.cadence = 2
    campaign.save()
    for day in (date(2026, 11, 3), date(2026, 11, 5)):  # week of 2 Nov: 2 posts, enough
        CreativeFactory(campaign=campaign, scheduled_at=at(day, 9))
    CreativeFactory(campaign=campaign, scheduled_at=at(date(2026, 11, 10), 9))  # week of 9th: 1
    view = calendar_view(mode="month", anchor=MONTH_ANCHOR)
    gaps = {(g.week_start, g.expected, g.scheduled) for g in view.gaps}
    assert gaps == {
        (date(2026, 11, 9), 2, 1),
        (date(2026, 11, 16), 2, 0),
        (date(2026, 11, 23), 2, 0),
    }
    week = next(w for w in view.weeks if w.start == date(2026, 11, 9))
    assert [g.campaign_id for g in week.gaps] == [campaign.pk]


def test_expected_posts_is_pro_rata_for_a_partial_week():
    assert expected_posts(3, 7) == 3
    assert expected_posts(3, 3) == 1
    assert expected_posts(3, 1) == 0


def test_calendar_checks_no_cadence_for_completed_campaigns(campaign):
    campaign.completed_at = timezone.now()
    campaign.save()
    assert calendar_view(mode="month", anchor=MONTH_ANCHOR).gaps == []


def test_calendar_query_count_does_not_grow_with_posts_or_campaigns():
    def build(n):
        brand = BrandFactory()
        for _ in range(n):
            c = CampaignFactory(brand=brand, start_date=date(2026, 11, 2),
                                end_date=date(2026, 11, 29))
            CreativeFactory(campaign=c, scheduled_at=at(date(2026, 11, 18), 9))
            CreativeFactory(campaign=c, scheduled_at=at(date(2026, 12, 1), 9))

    build(2)
    with CaptureQueriesContext(connection) as small:
        calendar_view(mode="month", anchor=MONTH_ANCHOR)
    build(20)
    with CaptureQueriesContext(connection) as large:
        view = calendar_view(mode="month", anchor=MONTH_ANCHOR)
    assert view.total == 44
    assert len(small) == len(large) == 4


@pytest.mark.embedded
def test_strategy_calendar_links_each_entry_to_its_creative_in_its_platform_colour(viewer_client, campaign):
    creative = CreativeFactory(campaign=campaign, platform="x", scheduled_at=at(date(2026, 11, 18), 9))
    page = viewer_client.get("/strategy/?view=month&date=2026-11-15").content.decode()
    assert "November 2026" in page
    assert f'href="/creatives/{creative.pk}/"' in page
    assert "--platform-color: #111111" in page


@pytest.mark.embedded
def test_strategy_calendar_shows_the_flags_in_the_page(viewer_client, campaign):
    CreativeFactory(campaign=campaign, scheduled_at=at(date(2026, 11, 18), 9))
    CreativeFactory(campaign=campaign, scheduled_at=at(date(2026, 11, 18), 9, 30))
    CreativeFactory(campaign=campaign, scheduled_at=at(date(2026, 11, 30), 9))
    page = viewer_client.get("/strategy/?view=month&date=2026-11-15").content.decode()
    assert "⚠ same hour" in page
    assert "⚠ outside campaign dates" in page
    assert "0 of 1 posts this week" in page


def test_strategy_calendar_htmx_returns_only_the_calendar(viewer_client, campaign):
    CreativeFactory(campaign=campaign, scheduled_at=at(date(2026, 11, 18), 9))
    response = viewer_client.get("/strategy/?view=week&date=2026-11-18", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="calendar"')
    assert "Week of 16 Nov 2026" in body
    assert "<html" not in body
    assert response["Vary"].find("HX-Request") >= 0


def test_strategy_calendar_navigation_links_work_without_javascript(viewer_client, campaign):
    page = viewer_client.get("/strategy/?view=month&date=2026-11-15&platform=x").content.decode()
    assert 'href="/strategy/?view=month&amp;date=2026-10-01&amp;platform=x#calendar"' in page
    assert 'hx-get="/strategy/?view=month&amp;date=2026-12-01&amp;platform=x"' in page


def test_strategy_calendar_shows_a_bad_date_and_still_renders(viewer_client):
    response = viewer_client.get("/strategy/?date=not-a-date")
    assert response.status_code == 200
    assert "Enter a valid date." in response.content.decode()


def test_strategy_rejects_post(operator_client):
    assert operator_client.post("/strategy/").status_code == 405


def test_strategy_is_forbidden_to_a_user_without_a_role(outsider_client):
    assert outsider_client.get("/strategy/").status_code == 403


def test_strategy_page_query_count_does_not_grow_with_campaigns(viewer_client):
    from campaigns.tests.factories import PlanFactory

    today = timezone.localdate()

    def build(n):
        for _ in range(n):
            c = CampaignFactory(start_date=today, end_date=today + timedelta(days=20))
            PlanFactory(campaign=c)
            CreativeFactory(campaign=c, scheduled_at=at(today, 9))
            CreativeFactory(campaign=c, scheduled_at=at(today, 9, 30))

    build(2)
    with CaptureQueriesContext(connection) as small:
        viewer_client.get("/strategy/")
    build(15)
    with CaptureQueriesContext(connection) as large:
        page = viewer_client.get("/strategy/").content.decode()
    # Every clash is listed among the problems; the day's cell shows six and links to the rest.
    assert page.count("in the same hour") == 34
    assert page.count("⚠ same hour") == 6 and "+ 28 more" in page
    assert len(small) == len(large)


def test_calendar_month_day_shows_six_posts_flagged_first_and_links_to_the_rest(
    campaign, operator_client
):
    day = date(2026, 11, 18)
    posts = [CreativeFactory(campaign=campaign, scheduled_at=at(day, 8 + i)) for i in range(9)]
    clash = CreativeFactory(campaign=campaign, scheduled_at=at(day, 16, 30), platform=posts[-1].platform)
    view = calendar_view(mode="month", anchor=MONTH_ANCHOR)
    cell = next(d for w in view.weeks for d in w.days if d.day == day)
    assert cell.total == 10 and cell.hidden_count == 4
    shown = [entry.creative.pk for entry in cell.shown]
    assert len(shown) == 6 and clash.pk in shown and posts[-1].pk in shown
    page = operator_client.get("/strategy/?view=month&date=2026-11-15").content.decode()
    assert "+ 4 more" in page
    assert "?view=week&amp;date=2026-11-18" in page


def test_calendar_week_view_shows_every_post_of_a_busy_day(campaign):
    day = date(2026, 11, 18)
    for i in range(9):
        CreativeFactory(campaign=campaign, scheduled_at=at(day, 8 + i))
    view = calendar_view(mode="week", anchor=day)
    cell = next(d for w in view.weeks for d in w.days if d.day == day)
    assert len(cell.shown) == 9 and cell.hidden_count == 0


def test_calendar_lists_the_first_fifty_problems_in_time_order_and_counts_them_all(campaign):
    flagged_posts, quiet = [], []
    for day in (date(2026, 11, 16), date(2026, 11, 17), date(2026, 11, 18)):
        quiet.append(CreativeFactory(campaign=campaign, platform="x", scheduled_at=at(day, 7)))
        flagged_posts += [  # twenty posts in one hour: every one clashes
            CreativeFactory(campaign=campaign, scheduled_at=at(day, 9, minute))
            for minute in range(0, 60, 3)
        ]
    view = calendar_view(mode="month", anchor=MONTH_ANCHOR)
    assert view.flagged_count == 60 and view.problem_count == 60 + len(view.gaps)
    assert [e.creative.pk for e in view.problems_shown] == [c.pk for c in flagged_posts[:50]]
    assert view.gaps_shown == [] and view.problems_hidden == 10 + len(view.gaps)
    cell = next(d for w in view.weeks for d in w.days if d.day == date(2026, 11, 18))
    assert cell.total == 21 and cell.hidden_count == 15
    assert all(entry.flagged for entry in cell.shown)


def test_calendar_places_posts_by_their_local_day_and_hour(campaign):
    def utc(day, hour, minute):
        return datetime(2026, 11, day, hour, minute, tzinfo=UTC)

    night = CreativeFactory(campaign=campaign, scheduled_at=utc(17, 20, 0))  # 01:30 on the 18th
    a = CreativeFactory(campaign=campaign, scheduled_at=utc(18, 3, 10))  # 08:40
    b = CreativeFactory(campaign=campaign, scheduled_at=utc(18, 3, 40))  # 09:10
    c = CreativeFactory(campaign=campaign, scheduled_at=utc(18, 4, 20))  # 09:50
    with timezone.override("Asia/Kolkata"):  # UTC+5:30
        view = calendar_view(mode="month", anchor=MONTH_ANCHOR)
    days = {d.day: [e.creative.pk for e in d.shown] for w in view.weeks for d in w.days}
    assert days[date(2026, 11, 18)] == [night.pk, a.pk, b.pk, c.pk]
    assert days[date(2026, 11, 17)] == []
    assert [flagged(view, post).slot_clash for post in (a, b, c)] == [False, True, True]


def test_calendar_checks_the_cadence_only_of_campaigns_on_the_platform_filtered(campaign):
    CreativeFactory(campaign=campaign, platform="linkedin", scheduled_at=at(date(2026, 11, 3), 9))
    on_x = calendar_view(mode="month", anchor=MONTH_ANCHOR, platform="x")
    # the campaign posts on X too, and its LinkedIn post still counts towards its cadence
    assert {g.week_start for g in on_x.gaps} == {
        date(2026, 11, 9), date(2026, 11, 16), date(2026, 11, 23)}
    assert calendar_view(mode="month", anchor=MONTH_ANCHOR, platform="instagram").gaps == []
