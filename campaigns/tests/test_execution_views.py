"""The Execution section through the test client: queue, posting page, manual flow, sessions,
skipping and the checklist; anonymous, forbidden, wrong method, htmx and plain branches."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaigns.attribution import creative_apply_utm
from campaigns.models import CreativeStatus, Publication, PublicationStatus
from campaigns.tests.factories import CampaignFactory, CreativeFactory, PublicationFactory
from campaigns.tests.fake_platform import approved_creative

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
LINKEDIN_URL = "https://www.linkedin.com/feed/update/urn:li:activity:7001/"


def post_url(creative, action=""):
    name = {"": "execution_post", "posted": "execution_mark_posted", "skip": "execution_skip",
            "simulate": "execution_simulate", "publish": "execution_publish"}[action]
    return reverse(f"campaigns:{name}", args=[creative.platform, creative.pk])


# --- the queue ------------------------------------------------------------------------------


def test_execution_queue_redirects_anonymous_to_login(client):
    response = client.get(reverse("campaigns:execution"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_execution_queue_forbids_outsiders(outsider_client):
    assert outsider_client.get(reverse("campaigns:execution")).status_code == 403


def test_execution_queue_rejects_post(operator_client):
    assert operator_client.post(reverse("campaigns:execution")).status_code == 405


def test_execution_queue_lists_approved_unpublished_posts_in_scheduled_order(viewer_client):
    now = timezone.now()
    later = approved_creative(caption="Later post", scheduled_at=now + timedelta(days=3))
    sooner = approved_creative(caption="Sooner post", scheduled_at=now + timedelta(days=1))
    CreativeFactory(caption="Pending post")
    PublicationFactory(creative__caption="Published post")
    page = viewer_client.get(reverse("campaigns:execution")).content.decode()
    assert page.index(sooner.caption) < page.index(later.caption)
    assert "Pending post" not in page
    assert "Published post" not in page


def test_execution_queue_marks_overdue_posts(viewer_client):
    approved_creative(caption="Late one", scheduled_at=timezone.now() - timedelta(days=2))
    page = viewer_client.get(reverse("campaigns:execution")).content.decode()
    assert "1 overdue" in page
    assert '<span class="due due--overdue">Overdue</span>' in page


def test_due_flags_tell_due_today_from_overdue():
    from datetime import datetime

    from campaigns.publishing.selectors import due_flags

    noon = timezone.make_aware(datetime(2026, 11, 25, 12, 0))
    morning = approved_creative(scheduled_at=noon - timedelta(hours=3))
    evening = approved_creative(scheduled_at=noon + timedelta(hours=6))
    tomorrow = approved_creative(scheduled_at=noon + timedelta(days=1))
    assert due_flags(morning, noon) == (True, True)
    assert due_flags(evening, noon) == (True, False)
    assert due_flags(tomorrow, noon) == (False, False)


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Asia/Kolkata"])
def test_a_pages_due_flags_are_due_ats_in_the_active_time_zone(zone):
    from datetime import datetime

    from campaigns.publishing.selectors import due_at, with_due_flags

    now = timezone.make_aware(datetime(2026, 11, 25, 23, 30), timezone.get_fixed_timezone(0))
    times = [now + timedelta(minutes=minutes) for minutes in range(-60 * 30, 60 * 30, 97)]
    rows = [{"scheduled_at": moment} for moment in times]
    with timezone.override(zone):
        assert with_due_flags(rows, now) == [(row, *due_at(row["scheduled_at"], now))
                                             for row in rows]


def test_execution_queue_filters_by_campaign(viewer_client):
    mine = approved_creative(caption="In this campaign")
    approved_creative(caption="In another campaign")
    page = viewer_client.get(reverse("campaigns:execution"),
                             {"campaign": mine.campaign_id}).content.decode()
    assert "In this campaign" in page
    assert "In another campaign" not in page


def test_execution_queue_filters_by_brand_platform_and_date(viewer_client):
    day = timezone.now() + timedelta(days=5)
    wanted = approved_creative("x", caption="Wanted X post", scheduled_at=day)
    approved_creative("linkedin", caption="LinkedIn post", campaign=wanted.campaign,
                      scheduled_at=day)
    approved_creative("x", caption="Other brand post", scheduled_at=day)
    approved_creative("x", caption="Other day post", campaign=wanted.campaign,
                      scheduled_at=day + timedelta(days=2))
    page = viewer_client.get(reverse("campaigns:execution"), {
        "brand": wanted.campaign.brand_id, "platform": "x",
        "date": timezone.localdate(day).isoformat(),
    }).content.decode()
    assert "Wanted X post" in page
    for absent in ("LinkedIn post", "Other brand post", "Other day post"):
        assert absent not in page


def test_execution_queue_bad_filter_is_explained_not_a_500(viewer_client):
    response = viewer_client.get(reverse("campaigns:execution"), {"campaign": "nope"})
    assert response.status_code == 200
    assert "not understood" in response.content.decode()


def test_execution_queue_htmx_returns_only_the_results(viewer_client):
    approved_creative(caption="Partial post")
    response = viewer_client.get(reverse("campaigns:execution"), **HTMX)
    body = response.content.decode()
    assert "Partial post" in body
    assert "<html" not in body
    assert 'id="execution-results"' in body


def test_execution_queue_query_count_does_not_grow_with_posts(viewer_client):
    approved_creative()
    viewer_client.get(reverse("campaigns:execution"))  # warm up sessions and permissions
    cache.clear()  # both requests read the filter options (cached under the library stamp)
    with CaptureQueriesContext(connection) as small:
        viewer_client.get(reverse("campaigns:execution"))
    for platform in ("x", "mastodon", "bluesky", "threads"):
        approved_creative(platform)
    cache.clear()
    with CaptureQueriesContext(connection) as large:
        viewer_client.get(reverse("campaigns:execution"))
    assert len(large) == len(small)


# --- the posting page -----------------------------------------------------------------------


def test_post_page_404s_when_the_platform_does_not_match(viewer_client):
    creative = approved_creative("linkedin")
    response = viewer_client.get(reverse("campaigns:execution_post", args=["x", creative.pk]))
    assert response.status_code == 404


def test_post_page_shows_steps_caption_copy_button_and_count(viewer_client):
    creative = approved_creative("linkedin", caption="Roast day is here")
    page = viewer_client.get(post_url(creative)).content.decode()
    assert "Click “Start a post”." in page
    assert 'id="caption-text">Roast day is here' in page
    assert 'data-copy-target="caption-text"' in page
    assert "navigator.clipboard" in page
    creative_apply_utm(creative=creative)  # the page counts the text as posted, UTM link included
    assert f"{creative.text_length()} / 3000" in page


def test_post_page_composer_link_is_prefilled(viewer_client):
    creative = approved_creative("x", caption="Hello roasters", hashtags=[], link="")
    page = viewer_client.get(post_url(creative)).content.decode()
    assert "https://x.com/intent/post?text=Hello%20roasters" in page
    assert "Open composer" in page


def test_post_page_mastodon_composer_uses_the_brands_instance(viewer_client):
    creative = approved_creative("mastodon")
    creative.campaign.brand.mastodon_instance = "fosstodon.org"
    creative.campaign.brand.save()
    page = viewer_client.get(post_url(creative)).content.decode()
    assert "https://fosstodon.org/share?text=" in page


def test_post_page_offers_the_image_and_its_alt_text(viewer_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    creative = approved_creative("linkedin", image=True)
    page = viewer_client.get(post_url(creative)).content.decode()
    assert "Download the image" in page
    assert "Beans cooling in a steel tray" in page


def test_post_page_hides_posting_forms_from_viewers(viewer_client):
    page = viewer_client.get(post_url(approved_creative())).content.decode()
    assert "Mark as posted" not in page


def test_post_page_shows_posting_forms_to_operators(operator_client):
    page = operator_client.get(post_url(approved_creative())).content.decode()
    assert "Mark as posted" in page
    assert "Skip this post" in page


# --- mark as posted -------------------------------------------------------------------------


def test_mark_posted_records_who_when_and_url(operator_client, operator):
    creative = approved_creative()
    response = operator_client.post(post_url(creative, "posted"), {"url": LINKEDIN_URL})
    assert response.status_code == 302
    publication = Publication.objects.get(creative=creative)
    assert publication.status == PublicationStatus.PUBLISHED
    assert publication.url == LINKEDIN_URL
    assert publication.published_by == operator
    assert publication.published_at is not None
    assert publication.mode == "manual"


def test_mark_posted_page_then_shows_the_post(operator_client):
    creative = approved_creative()
    operator_client.post(post_url(creative, "posted"), {"url": LINKEDIN_URL})
    page = operator_client.get(post_url(creative)).content.decode()
    assert LINKEDIN_URL in page
    assert "Recorded as posted." in page


def test_mark_posted_htmx_swaps_the_panel(operator_client):
    creative = approved_creative()
    response = operator_client.post(post_url(creative, "posted"), {"url": LINKEDIN_URL}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="posting-panel"' in body and "<html" not in body
    assert "Recorded as posted." in body


@pytest.mark.parametrize("url", [
    "http://www.linkedin.com/feed/update/1",
    "https://x.com/a/status/1",
    "javascript:alert(1)",
])
def test_mark_posted_refuses_a_bad_url(operator_client, url):
    creative = approved_creative()
    response = operator_client.post(post_url(creative, "posted"), {"url": url})
    assert response.status_code == 400
    assert 'class="form-error"' in response.content.decode()
    assert not Publication.objects.exists()


def test_mark_posted_refuses_another_mastodon_instance(operator_client):
    creative = approved_creative("mastodon")  # the brand is on mastodon.social
    response = operator_client.post(post_url(creative, "posted"),
                                    {"url": "https://fosstodon.org/@brand/1"}, **HTMX)
    assert "mastodon.social" in response.content.decode()
    assert not Publication.objects.exists()


def test_mark_posted_double_submit_records_once(operator_client):
    creative = approved_creative()
    operator_client.post(post_url(creative, "posted"), {"url": LINKEDIN_URL})
    response = operator_client.post(post_url(creative, "posted"), {"url": LINKEDIN_URL}, **HTMX)
    assert "already recorded" in response.content.decode()
    assert Publication.objects.count() == 1


def test_mark_posted_forbids_viewers(viewer_client):
    creative = approved_creative()
    response = viewer_client.post(post_url(creative, "posted"), {"url": LINKEDIN_URL})
    assert response.status_code == 403
    assert not Publication.objects.exists()


def test_mark_posted_rejects_get(operator_client):
    assert operator_client.get(post_url(approved_creative(), "posted")).status_code == 405


def test_mark_posted_refuses_a_post_not_approved(operator_client):
    creative = CreativeFactory()  # pending
    response = operator_client.post(post_url(creative, "posted"), {"url": LINKEDIN_URL},
                                    follow=True)
    assert "Only approved posts" in response.content.decode()
    assert not Publication.objects.exists()


# --- posting session ------------------------------------------------------------------------


def test_session_starts_at_the_first_waiting_post(operator_client):
    campaign = CampaignFactory()
    now = timezone.now()
    second = approved_creative(campaign=campaign, scheduled_at=now + timedelta(days=2))
    first = approved_creative(campaign=campaign, scheduled_at=now + timedelta(days=1))
    response = operator_client.get(
        reverse("campaigns:execution_session", args=[campaign.pk, "linkedin"]))
    assert response["Location"] == post_url(first) + "?session=1"
    assert second.pk != first.pk


def test_session_offers_the_next_post_after_posting(operator_client):
    campaign = CampaignFactory()
    now = timezone.now()
    first = approved_creative(campaign=campaign, scheduled_at=now + timedelta(days=1))
    second = approved_creative(campaign=campaign, scheduled_at=now + timedelta(days=2))
    response = operator_client.post(post_url(first, "posted"),
                                    {"url": LINKEDIN_URL, "session": "True"}, follow=True)
    page = response.content.decode()
    assert "Next post →" in page
    assert post_url(second) + "?session=1" in page


def test_session_with_nothing_waiting_goes_to_the_checklist(operator_client):
    campaign = CampaignFactory()
    response = operator_client.get(
        reverse("campaigns:execution_session", args=[campaign.pk, "linkedin"]))
    assert response["Location"] == reverse("campaigns:execution_checklist", args=[campaign.pk])


# --- skip -----------------------------------------------------------------------------------


def test_skip_needs_a_reason(operator_client):
    creative = approved_creative()
    response = operator_client.post(post_url(creative, "skip"), {"reason": "  "}, **HTMX)
    assert "required" in response.content.decode()
    assert not Publication.objects.exists()


def test_skip_records_the_reason(operator_client, operator):
    creative = approved_creative()
    response = operator_client.post(post_url(creative, "skip"), {"reason": "Event cancelled"})
    assert response.status_code == 302
    publication = Publication.objects.get()
    assert publication.status == PublicationStatus.SKIPPED
    assert publication.skip_reason == "Event cancelled"
    assert publication.published_by == operator


def test_skip_forbids_viewers(viewer_client):
    response = viewer_client.post(post_url(approved_creative(), "skip"), {"reason": "x"})
    assert response.status_code == 403


# --- checklist ------------------------------------------------------------------------------


def test_checklist_shows_counts_urls_and_skip_reasons(viewer_client):
    campaign = CampaignFactory(platforms=["linkedin", "x"])
    PublicationFactory(creative__campaign=campaign, url=LINKEDIN_URL)
    PublicationFactory(creative__campaign=campaign, status=PublicationStatus.SKIPPED, url="",
                       skip_reason="Duplicate of the newsletter")
    approved_creative("x", campaign=campaign)
    page = viewer_client.get(
        reverse("campaigns:execution_checklist", args=[campaign.pk])).content.decode()
    assert LINKEDIN_URL in page
    assert "Duplicate of the newsletter" in page
    assert "1 approved post is neither published nor skipped" in page
    assert "Mark the campaign complete" not in page


def test_checklist_complete_marks_the_campaign(operator_client):
    campaign = CampaignFactory()
    PublicationFactory(creative__campaign=campaign)
    page = operator_client.get(
        reverse("campaigns:execution_checklist", args=[campaign.pk])).content.decode()
    assert "Mark the campaign complete" in page
    response = operator_client.post(reverse("campaigns:execution_complete", args=[campaign.pk]))
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.completed_at is not None


def test_checklist_complete_htmx_swaps_the_completion(operator_client):
    campaign = CampaignFactory()
    PublicationFactory(creative__campaign=campaign)
    response = operator_client.post(
        reverse("campaigns:execution_complete", args=[campaign.pk]), **HTMX)
    body = response.content.decode()
    assert 'id="completion"' in body and "<html" not in body
    assert "Complete" in body


def test_checklist_complete_refused_with_posts_waiting(operator_client):
    campaign = CampaignFactory()
    approved_creative(campaign=campaign)
    response = operator_client.post(
        reverse("campaigns:execution_complete", args=[campaign.pk]), follow=True)
    assert "neither published nor skipped" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.completed_at is None


def test_checklist_complete_forbids_viewers(viewer_client):
    campaign = CampaignFactory()
    response = viewer_client.post(reverse("campaigns:execution_complete", args=[campaign.pk]))
    assert response.status_code == 403


def test_checklist_complete_rejects_get(operator_client):
    campaign = CampaignFactory()
    response = operator_client.get(reverse("campaigns:execution_complete", args=[campaign.pk]))
    assert response.status_code == 405


# --- live publishing through the page ---------------------------------------------------------


@pytest.fixture
def webhook_creative(settings):
    from campaigns.tests.fake_platform import FakePlatform, credential, fast_publishing

    fast_publishing(settings)
    with FakePlatform() as fake:
        creative = approved_creative("linkedin")
        credential(creative, "webhook", fake.url)
        yield creative, fake


def test_publish_live_plain_post_redirects_and_records(operator_client, webhook_creative):
    creative, fake = webhook_creative
    response = operator_client.post(post_url(creative, "publish"))
    assert response.status_code == 302
    assert Publication.objects.get().status == PublicationStatus.PUBLISHED
    assert len(fake.deliveries) == 1


def test_publish_live_failure_shows_the_error_and_a_retry(operator_client, webhook_creative):
    creative, fake = webhook_creative
    fake.plan("/hook", (410, {"error": "This Zap was deleted"}, {}))
    response = operator_client.post(post_url(creative, "publish"), **HTMX)
    body = response.content.decode()
    assert "This Zap was deleted" in body
    assert "Retry via Signed webhook" in body
    assert "1 attempt" in body


def test_publish_live_double_submit_posts_once(operator_client, webhook_creative):
    creative, fake = webhook_creative
    operator_client.post(post_url(creative, "publish"))
    response = operator_client.post(post_url(creative, "publish"), **HTMX)
    assert "already recorded" in response.content.decode()
    assert len(fake.calls("/hook")) == 1


def test_publish_live_forbids_viewers(viewer_client, webhook_creative):
    creative, fake = webhook_creative
    assert viewer_client.post(post_url(creative, "publish")).status_code == 403
    assert fake.requests == []


def test_post_page_redirects_anonymous_to_login(client):
    response = client.get(post_url(approved_creative()))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_post_page_rejects_post(operator_client):
    assert operator_client.post(post_url(approved_creative())).status_code == 405


def test_post_page_forbids_outsiders(outsider_client):
    assert outsider_client.get(post_url(approved_creative())).status_code == 403


def test_post_page_warns_about_an_instagram_image_out_of_ratio(viewer_client, settings, tmp_path):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (300, 100), "white").save(buffer, "PNG")  # 3:1, wider than 1.91:1
    creative = CreativeFactory(platform="instagram", status="approved", image_alt="A banner",
                               image=SimpleUploadedFile("wide.png", buffer.getvalue()))
    page = viewer_client.get(post_url(creative)).content.decode()
    assert "Instagram takes images between 0.8:1 and 1.91:1; this one is 300×100." in page


def test_session_htmx_action_updates_the_session_bar(operator_client):
    campaign = CampaignFactory()
    now = timezone.now()
    first = approved_creative(campaign=campaign, scheduled_at=now + timedelta(days=1))
    approved_creative(campaign=campaign, scheduled_at=now + timedelta(days=2))
    response = operator_client.post(post_url(first, "posted"),
                                    {"url": LINKEDIN_URL, "session": "True"}, **HTMX)
    body = response.content.decode()
    assert 'id="session-bar" hx-swap-oob="true"' in body
    assert "1 post still waiting" in body
    assert "Next post →" in body


def test_checklist_redirects_anonymous_to_login(client):
    campaign = CampaignFactory()
    response = client.get(reverse("campaigns:execution_checklist", args=[campaign.pk]))
    assert response.status_code == 302


def test_checklist_404s_for_an_unknown_campaign(viewer_client):
    assert viewer_client.get(
        reverse("campaigns:execution_checklist", args=[999999])).status_code == 404


ACTIONS = ["posted", "skip", "simulate", "publish"]


@pytest.mark.parametrize("action", ACTIONS)
def test_post_actions_redirect_anonymous_to_login(client, action):
    response = client.post(post_url(approved_creative(), action))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert not Publication.objects.exists()


@pytest.mark.parametrize("action", ACTIONS)
def test_post_actions_reject_get(operator_client, action):
    assert operator_client.get(post_url(approved_creative(), action)).status_code == 405


@pytest.mark.parametrize("action", ACTIONS)
def test_post_actions_forbid_outsiders(outsider_client, action):
    response = outsider_client.post(post_url(approved_creative(), action), {"reason": "x"})
    assert response.status_code == 403
    assert not Publication.objects.exists()


def test_session_start_forbids_outsiders(outsider_client):
    campaign = CampaignFactory()
    response = outsider_client.get(
        reverse("campaigns:execution_session", args=[campaign.pk, "linkedin"]))
    assert response.status_code == 403


def test_session_start_404s_for_an_unknown_platform(operator_client):
    campaign = CampaignFactory()
    response = operator_client.get(
        reverse("campaigns:execution_session", args=[campaign.pk, "myspace"]))
    assert response.status_code == 404


def test_checklist_complete_redirects_anonymous(client):
    campaign = CampaignFactory()
    response = client.post(reverse("campaigns:execution_complete", args=[campaign.pk]))
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.completed_at is None


def test_execution_queue_pages_a_long_selection_and_counts_all_of_it(viewer_client):
    from campaigns.views.execution import EXECUTION_PAGE_SIZE

    campaign = CampaignFactory(posting_mode="manual")
    now = timezone.now()
    for hours in range(EXECUTION_PAGE_SIZE + 5):
        CreativeFactory(campaign=campaign, status=CreativeStatus.APPROVED,
                        scheduled_at=now - timedelta(hours=hours + 1))
    first = viewer_client.get("/execution/").content.decode()
    assert f"<strong>{EXECUTION_PAGE_SIZE + 5}</strong> posts waiting" in first
    assert f"{EXECUTION_PAGE_SIZE + 5} overdue" in first
    assert first.count("Open post") == EXECUTION_PAGE_SIZE
    assert "Page 1 of 2" in first and "page=2" in first
    second = viewer_client.get("/execution/?page=2").content.decode()
    assert second.count("Open post") == 5
    assert f"— {EXECUTION_PAGE_SIZE + 5} posts" in first  # the session covers the whole selection


def test_execution_queue_rows_and_sessions_link_to_the_post_the_session_and_the_checklist(
        viewer_client):
    creative = approved_creative("x", caption="<i>Ours</i> & more",
                                 campaign=CampaignFactory(name="Beans <1>"))
    page = viewer_client.get(reverse("campaigns:execution")).content.decode()
    session = reverse("campaigns:execution_session", args=[creative.campaign_id, "x"])
    checklist = reverse("campaigns:execution_checklist", args=[creative.campaign_id])
    assert f'<a href="{session}">{creative.campaign.brand.name} · Beans &lt;1&gt; on X</a>' in page
    assert f'<a href="{checklist}">checklist</a>' in page
    assert f'<a href="{post_url(creative)}">Open post</a>' in page
    assert "&lt;i&gt;Ours&lt;/i&gt; &amp; more" in page
    assert '<span class="badge">Waiting</span>' in page


def test_execution_queue_shows_a_failed_publication_state(viewer_client):
    creative = approved_creative(caption="Failed once")
    PublicationFactory(creative=creative, status=PublicationStatus.FAILED)
    page = viewer_client.get(reverse("campaigns:execution")).content.decode()
    assert "Failed once" in page and "badge--pub-failed" in page


def test_execution_queue_with_nothing_waiting_runs_no_page_query(viewer_client):
    PublicationFactory(creative__status=CreativeStatus.APPROVED)
    viewer_client.get(reverse("campaigns:execution"))  # warm up sessions and permissions
    with CaptureQueriesContext(connection) as queries:
        page = viewer_client.get(reverse("campaigns:execution")).content.decode()
    assert "Nothing to post" in page
    assert sum('"campaigns_creative"."caption"' in q["sql"] for q in queries.captured_queries) == 0


def test_execution_queue_lists_the_earliest_sessions_and_says_how_many_more(
        viewer_client, monkeypatch):
    from campaigns.publishing import selectors

    monkeypatch.setattr(selectors, "SESSIONS_SHOWN", 2)
    now = timezone.now()
    campaigns = [CampaignFactory(name=f"Session {i}") for i in range(3)]
    for hours, campaign in enumerate(campaigns, start=1):
        approved_creative("x", campaign=campaign, scheduled_at=now + timedelta(hours=hours))
    page = viewer_client.get(reverse("campaigns:execution")).content.decode()
    assert "Session 0 on X" in page and "Session 1 on X" in page
    assert "Session 2 on X" not in page
    assert "1 more session in this selection" in page
    one = viewer_client.get(reverse("campaigns:execution"),
                            {"campaign": campaigns[2].pk}).content.decode()
    assert "Session 2 on X" in one and "more session" not in one
