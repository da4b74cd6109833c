"""A creative's page: the platform preview, editing (with the live count), adapting, history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.models import Creative, CreativeStatus, CreativeVersion
from campaigns.publishing.platforms import PLATFORMS
from campaigns.services import creative_decide, creative_submit
from campaigns.tests.factories import (
    CampaignFactory,
    CreativeFactory,
    PublicationFactory,
    ReviewFactory,
)

pytestmark = pytest.mark.django_db

LONG = " ".join(f"word{i}" for i in range(200))  # about 1,400 characters


def form_data(creative, **changes) -> dict:
    return {
        "caption": creative.caption, "hashtags": " ".join(creative.hashtags),
        "link": creative.link, "call_to_action": creative.call_to_action,
        "scheduled_at": timezone.localtime(creative.scheduled_at).strftime("%Y-%m-%dT%H:%M"),
        "image_alt": creative.image_alt, "action": "save", **changes,
    }


@pytest.mark.parametrize("slug", list(PLATFORMS))
def test_preview_cuts_where_the_platform_folds_the_text(slug):
    creative = CreativeFactory.build(platform=slug, caption=LONG, hashtags=[], link="")
    shown, hidden = creative.preview_parts()
    cut = PLATFORMS[slug].see_more_at
    if cut is None:
        assert (shown, hidden) == (LONG, "")
    else:
        assert len(shown) <= cut
        assert shown + hidden == LONG
        assert hidden.startswith(" ")  # folded between words, never inside one
        assert len(shown) > cut * 0.6


@pytest.mark.parametrize("slug", ["linkedin", "instagram", "facebook"])
def test_creative_page_shows_the_see_more_fold(viewer_client, slug):
    creative = CreativeFactory(platform=slug, caption=LONG, hashtags=[], link="")
    page = viewer_client.get(f"/creatives/{creative.pk}/").content.decode()
    shown, hidden = creative.preview_parts()
    assert "… see more" in page
    assert shown.split()[-1] in page and hidden.split()[0] in page
    assert f"after about {PLATFORMS[slug].see_more_at} characters" in page


def test_creative_page_says_when_the_platform_has_no_fold(viewer_client):
    creative = CreativeFactory(platform="x", caption="Short.", hashtags=[], link="")
    page = viewer_client.get(f"/creatives/{creative.pk}/").content.decode()
    assert "see more" not in page.split("Preview on X")[1].split("</figure>")[0]
    assert "there is no “see more” fold" in page


def test_creative_page_for_a_viewer_has_no_forms(viewer_client):
    creative = CreativeFactory(campaign=CampaignFactory(platforms=["linkedin", "x"]))
    page = viewer_client.get(f"/creatives/{creative.pk}/").content.decode()
    assert creative.caption in page
    assert "/edit/" not in page and "/adapt/" not in page


def test_creative_page_shows_versions_and_reviews(viewer_client, approver, operator):
    creative = CreativeFactory(caption="First words.", status=CreativeStatus.DRAFT)
    creative_submit(creative=creative, user=operator)
    creative_decide(creative=creative, reviewer=approver, approve=False, reason="Too stiff")
    page = viewer_client.get(f"/creatives/{creative.pk}/").content.decode()
    assert "v1 ·" in page and "Rejected" in page and "Too stiff" in page


def test_creative_page_is_404_for_a_missing_creative(viewer_client):
    assert viewer_client.get("/creatives/999999/").status_code == 404


def test_creative_page_is_forbidden_to_a_user_without_a_role(outsider_client):
    creative = CreativeFactory()
    assert outsider_client.get(f"/creatives/{creative.pk}/").status_code == 403


def test_creative_page_redirects_anonymous_users_to_login(client):
    creative = CreativeFactory()
    response = client.get(f"/creatives/{creative.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_editing_an_approved_creative_sends_a_new_version_back_for_review(operator_client, operator):
    creative = CreativeFactory(caption="Approved words.", status=CreativeStatus.APPROVED)
    ReviewFactory(creative=creative)
    response = operator_client.post(f"/creatives/{creative.pk}/edit/",
                                    form_data(creative, caption="Better words."))
    assert response.status_code == 302 and response["Location"] == f"/creatives/{creative.pk}/"
    creative.refresh_from_db()
    assert (creative.status, creative.version, creative.caption, creative.author) == (
        CreativeStatus.PENDING, 2, "Better words.", operator)
    assert creative.reviews.count() == 1
    assert CreativeVersion.objects.get(creative=creative, version=2).caption == "Better words."
    page = operator_client.get(response["Location"]).content.decode()
    assert "Saved as version 2; it is back in the queue for review." in page


def test_editing_a_draft_changes_it_in_place(operator_client):
    creative = CreativeFactory(status=CreativeStatus.DRAFT)
    operator_client.post(f"/creatives/{creative.pk}/edit/",
                         form_data(creative, call_to_action="Book a tasting"))
    creative.refresh_from_db()
    assert (creative.status, creative.version, creative.call_to_action) == (
        CreativeStatus.DRAFT, 1, "Book a tasting")


def test_rescheduling_from_the_creative_page_moves_the_post(operator_client):
    creative = CreativeFactory(status=CreativeStatus.DRAFT)
    later = timezone.localtime(creative.scheduled_at + timedelta(days=2)).replace(
        second=0, microsecond=0)
    operator_client.post(f"/creatives/{creative.pk}/edit/",
                         form_data(creative, scheduled_at=later.strftime("%Y-%m-%dT%H:%M")))
    creative.refresh_from_db()
    assert creative.scheduled_at == later


def test_edit_over_the_platform_limit_shows_the_problem_and_the_count(operator_client):
    creative = CreativeFactory(platform="x", caption="Short.", hashtags=[], link="",
                               status=CreativeStatus.APPROVED)
    response = operator_client.post(f"/creatives/{creative.pk}/edit/",
                                    form_data(creative, caption="a" * 300))
    page = response.content.decode()
    assert response.status_code == 400
    assert "X allows 280 characters" in page
    assert "<strong>300 / 280</strong>" in page
    creative.refresh_from_db()
    assert (creative.caption, creative.version, creative.status) == ("Short.", 1, "approved")


def test_edit_with_too_many_hashtags_for_the_platform_is_refused(operator_client):
    creative = CreativeFactory(platform="threads", hashtags=["one"], status=CreativeStatus.DRAFT)
    response = operator_client.post(f"/creatives/{creative.pk}/edit/",
                                    form_data(creative, hashtags="#one #two"))
    assert response.status_code == 400
    assert "Threads allows at most 1 hashtags" in response.content.decode()


def test_check_button_counts_without_saving(operator_client):
    creative = CreativeFactory(platform="x", caption="Short.", hashtags=[], link="",
                               status=CreativeStatus.APPROVED)
    response = operator_client.post(f"/creatives/{creative.pk}/edit/",
                                    form_data(creative, caption="Twelve chars", action="check"))
    assert response.status_code == 200
    assert "<strong>12 / 280</strong>" in response.content.decode()
    creative.refresh_from_db()
    assert (creative.caption, creative.version) == ("Short.", 1)


def test_edit_is_forbidden_to_viewers(viewer_client):
    creative = CreativeFactory(caption="Keep.")
    response = viewer_client.post(f"/creatives/{creative.pk}/edit/", form_data(creative, caption="No"))
    assert response.status_code == 403
    creative.refresh_from_db()
    assert creative.caption == "Keep."


def test_edit_rejects_get(operator_client):
    creative = CreativeFactory()
    assert operator_client.get(f"/creatives/{creative.pk}/edit/").status_code == 405


def test_edit_of_a_published_creative_changes_nothing(operator_client):
    publication = PublicationFactory()
    creative = publication.creative
    response = operator_client.post(f"/creatives/{creative.pk}/edit/",
                                    form_data(creative, caption="Changed"))
    assert response.status_code == 302
    creative.refresh_from_db()
    assert creative.caption != "Changed"


@pytest.mark.embedded
def test_count_endpoint_returns_the_live_count_for_htmx(viewer_client):
    creative = CreativeFactory(platform="x")
    response = viewer_client.post(
        f"/creatives/{creative.pk}/count/",
        {"caption": "Hello", "hashtags": "#a b", "link": "https://example.com/x"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    # "Hello" + link (23) + "#a #b" with two blank-line separators: 5 + 2 + 23 + 2 + 5
    assert "<strong>37 / 280</strong>" in body
    assert body.lstrip().startswith('<div id="char-count"')


def test_count_endpoint_flags_an_over_limit_text(viewer_client):
    creative = CreativeFactory(platform="bluesky")
    body = viewer_client.post(f"/creatives/{creative.pk}/count/", {"caption": "b" * 301},
                              headers={"HX-Request": "true"}).content.decode()
    assert "over-limit" in body and "1 over the limit" in body


def test_count_endpoint_without_htmx_redirects_to_the_page(viewer_client):
    creative = CreativeFactory()
    response = viewer_client.post(f"/creatives/{creative.pk}/count/", {"caption": "x"})
    assert response.status_code == 302 and response["Location"] == f"/creatives/{creative.pk}/"


def test_count_endpoint_rejects_get(viewer_client):
    creative = CreativeFactory()
    assert viewer_client.get(f"/creatives/{creative.pk}/count/").status_code == 405


def test_edit_form_posts_the_live_count_from_a_real_form(operator_client):
    creative = CreativeFactory()
    page = operator_client.get(f"/creatives/{creative.pk}/").content.decode()
    form = page.split(f'action="/creatives/{creative.pk}/edit/"')[1].split("</form>")[0]
    assert "csrfmiddlewaretoken" in form
    assert f'hx-post="/creatives/{creative.pk}/count/"' in form
    assert 'hx-trigger="keyup changed delay:300ms"' in form


def test_adapt_makes_a_draft_for_another_campaign_platform(operator_client, operator):
    campaign = CampaignFactory(platforms=["linkedin", "x"])
    creative = CreativeFactory(campaign=campaign, caption="Long sentence here. " * 40)
    page = operator_client.get(f"/creatives/{creative.pk}/").content.decode()
    assert '<option value="x">X</option>' in page
    assert '<option value="linkedin">' not in page
    response = operator_client.post(f"/creatives/{creative.pk}/adapt/", {"platform": "x"})
    copy = Creative.objects.exclude(pk=creative.pk).get()
    assert response["Location"] == f"/creatives/{copy.pk}/"
    assert (copy.platform, copy.status, copy.author) == ("x", "draft", operator)
    assert not copy.over_limit()


def test_adapt_refuses_a_platform_outside_the_campaign(operator_client):
    creative = CreativeFactory(campaign=CampaignFactory(platforms=["linkedin", "x"]))
    response = operator_client.post(f"/creatives/{creative.pk}/adapt/", {"platform": "threads"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert Creative.objects.count() == 1


def test_adapt_is_forbidden_to_viewers(viewer_client):
    creative = CreativeFactory(campaign=CampaignFactory(platforms=["linkedin", "x"]))
    assert viewer_client.post(f"/creatives/{creative.pk}/adapt/", {"platform": "x"}).status_code == 403
    assert Creative.objects.count() == 1


def test_submit_sends_a_draft_to_review(operator_client):
    creative = CreativeFactory(status=CreativeStatus.DRAFT)
    response = operator_client.post(f"/creatives/{creative.pk}/submit/")
    assert response.status_code == 302
    creative.refresh_from_db()
    assert creative.status == CreativeStatus.PENDING


def test_saving_an_unchanged_approved_creative_keeps_its_version(operator_client):
    creative = CreativeFactory(status=CreativeStatus.APPROVED)
    response = operator_client.post(f"/creatives/{creative.pk}/edit/", form_data(creative))
    assert response.status_code == 302
    creative.refresh_from_db()
    assert (creative.status, creative.version) == (CreativeStatus.APPROVED, 1)
    assert "Nothing changed." in operator_client.get(response["Location"]).content.decode()


WRITE_ENDPOINTS = ["edit", "adapt", "submit"]


@pytest.mark.parametrize("action", [*WRITE_ENDPOINTS, "count"])
def test_creative_endpoints_redirect_anonymous_users_to_login(client, action):
    creative = CreativeFactory()
    response = client.post(f"/creatives/{creative.pk}/{action}/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("action", WRITE_ENDPOINTS)
def test_creative_write_endpoints_are_forbidden_to_viewers(viewer_client, action):
    creative = CreativeFactory(status=CreativeStatus.DRAFT,
                               campaign=CampaignFactory(platforms=["linkedin", "x"]))
    response = viewer_client.post(f"/creatives/{creative.pk}/{action}/", {"platform": "x"})
    assert response.status_code == 403
    creative.refresh_from_db()
    assert creative.status == CreativeStatus.DRAFT and Creative.objects.count() == 1


@pytest.mark.parametrize("action", WRITE_ENDPOINTS)
def test_creative_write_endpoints_reject_get(operator_client, action):
    creative = CreativeFactory()
    assert operator_client.get(f"/creatives/{creative.pk}/{action}/").status_code == 405


def test_creative_page_query_count_does_not_grow_with_history(operator, approver, viewer_client):
    # The other users first: adding one to a group bumps the permission stamp, and the
    # client's first page would then count the permission reads too.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from campaigns.services import creative_revise

    creative = CreativeFactory(status=CreativeStatus.DRAFT)
    creative_submit(creative=creative, user=operator)
    with CaptureQueriesContext(connection) as small:
        viewer_client.get(f"/creatives/{creative.pk}/")
    for n in range(5):
        creative_decide(creative=creative, reviewer=approver, approve=False, reason=f"No {n}")
        creative = creative_revise(creative=creative, editor=operator, changes={"caption": f"v{n}"})
    with CaptureQueriesContext(connection) as large:
        page = viewer_client.get(f"/creatives/{creative.pk}/").content.decode()
    assert "No 4" in page
    assert len(small) == len(large)
