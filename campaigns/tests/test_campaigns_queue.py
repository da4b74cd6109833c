"""The approval queue: approve, reject with a reason, revise, bulk approve; in place with htmx
and as plain form posts; history; conflicts; query counts; the race between two approvers."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth.models import Group, User
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from campaigns.models import Creative, CreativeStatus, CreativeVersion, Review
from campaigns.services import (
    DecisionConflict,
    creative_decide,
    creative_revise,
    creative_snapshot,
)
from campaigns.tests.factories import BrandFactory, CampaignFactory, CreativeFactory
from campaigns.views.queue import PAGE_SIZE

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _pending(**kwargs) -> Creative:
    creative = CreativeFactory(**kwargs)
    creative_snapshot(creative=creative)
    return creative


def _rejected(approver, **kwargs) -> Creative:
    creative = _pending(**kwargs)
    creative_decide(creative=creative, reviewer=approver, approve=False, reason="Too salesy")
    return creative


# --- the page ---------------------------------------------------------------------------------


def test_queue_lists_pending_and_rejected_posts_with_previews(viewer_client, approver):
    pending = _pending(caption="Awaiting a decision.")
    rejected = _rejected(approver, caption="Sent back.")
    CreativeFactory(caption="Already approved.", status=CreativeStatus.APPROVED)
    page = viewer_client.get("/campaigns/queue/").content.decode()
    assert f'id="creative-{pending.pk}"' in page and f'id="creative-{rejected.pk}"' in page
    assert "Already approved." not in page
    assert page.count('class="post-preview post-preview--linkedin"') == 2
    assert "Rejected by arjun: “Too salesy”" in page


def test_queue_shows_every_version_and_review_in_the_history(viewer_client, approver, operator):
    creative = _rejected(approver, caption="First try.")
    creative_revise(creative=creative, editor=operator, changes={"caption": "Second try."})
    page = viewer_client.get("/campaigns/queue/").content.decode()
    history = page[page.index('class="history"'):]
    history = history[: history.index("</details>")]
    assert "History: 2 versions, 1 review" in history
    assert "First try." in history and "Second try." in history
    assert "Rejected</span> by arjun" in history and "“Too salesy”" in history


@pytest.mark.parametrize("key", ["campaign", "brand", "platform"])
def test_queue_filters(viewer_client, key):
    wanted = _pending(platform="x", campaign=CampaignFactory(brand=BrandFactory()))
    other = _pending(platform="linkedin")
    value = {"campaign": wanted.campaign_id, "brand": wanted.campaign.brand_id,
             "platform": "x"}[key]
    page = viewer_client.get(f"/campaigns/queue/?{key}={value}").content.decode()
    assert f'id="creative-{wanted.pk}"' in page
    assert f'id="creative-{other.pk}"' not in page


def test_queue_ignores_nonsense_filters(viewer_client):
    creative = _pending()
    page = viewer_client.get("/campaigns/queue/?campaign=abc&platform=myspace&page=zz")
    assert f'id="creative-{creative.pk}"' in page.content.decode()


def test_queue_shows_no_buttons_to_viewers(viewer_client, approver):
    _pending()
    _rejected(approver)
    page = viewer_client.get("/campaigns/queue/").content.decode()
    assert "Approve v1" not in page and ">Revise</a>" not in page and "Reject</button>" not in page


def test_queue_shows_revise_but_not_approve_to_operators(operator_client, approver):
    _pending()
    _rejected(approver)
    page = operator_client.get("/campaigns/queue/").content.decode()
    assert "Approve v1" not in page and ">Revise</a>" in page


@pytest.mark.parametrize("pending_count", [10, 200])
def test_queue_query_count_does_not_grow_with_the_queue(approver_client, operator, approver,
                                                        pending_count):
    _pending(author=operator)
    _rejected(approver, author=operator)
    approver_client.get("/campaigns/queue/")  # warm the session
    cache.clear()  # both requests compute the cached counts and options (counted below)
    with CaptureQueriesContext(connection) as baseline:
        approver_client.get("/campaigns/queue/")
    campaigns = [CampaignFactory() for _ in range(3)]
    creatives = Creative.objects.bulk_create([
        CreativeFactory.build(campaign=campaigns[n % 3], author=operator)
        for n in range(pending_count)
    ])
    CreativeVersion.objects.bulk_create([
        CreativeVersion(creative=c, version=1, caption=c.caption, scheduled_at=c.scheduled_at,
                        author=operator) for c in creatives
    ])
    cache.clear()
    with CaptureQueriesContext(connection) as loaded:
        response = approver_client.get("/campaigns/queue/")
    assert response.content.decode().count('class="queue-card"') == min(pending_count + 2, PAGE_SIZE)
    assert len(loaded) == len(baseline), [q["sql"] for q in loaded]
    with CaptureQueriesContext(connection) as cached:
        approver_client.get("/campaigns/queue/")
    assert len(cached) < len(loaded)


# --- approve ----------------------------------------------------------------------------------


def test_approve_with_htmx_swaps_the_card_in_place(approver_client):
    creative = _pending()
    response = approver_client.post(f"/campaigns/queue/{creative.pk}/approve/", {"version": 1}, **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<article class="queue-card" id="creative-{creative.pk}">')
    assert "Approved by arjun" in html and "<html" not in html
    creative.refresh_from_db()
    assert creative.status == CreativeStatus.APPROVED


def test_approve_without_javascript_redirects_back(approver_client):
    creative = _pending()
    response = approver_client.post(f"/campaigns/queue/{creative.pk}/approve/",
                                    {"version": 1, "next": f"/campaigns/{creative.campaign_id}/step/3/"})
    assert response["Location"] == f"/campaigns/{creative.campaign_id}/step/3/"
    assert _messages(response)[0].startswith("Approved: LinkedIn post v1")
    assert Review.objects.get(creative=creative).decision == "approved"


def test_approve_never_redirects_off_site(approver_client):
    creative = _pending()
    response = approver_client.post(f"/campaigns/queue/{creative.pk}/approve/",
                                    {"version": 1, "next": "https://evil.example/"})
    assert response["Location"] == "/campaigns/queue/"


@pytest.mark.embedded
def test_approve_double_click_records_one_decision_and_names_the_first(approver_client):
    creative = _pending()
    url = f"/campaigns/queue/{creative.pk}/approve/"
    approver_client.post(url, {"version": 1}, **HX)
    response = approver_client.post(url, {"version": 1}, **HX)
    assert "arjun already approved this version" in response.content.decode()
    assert Review.objects.filter(creative=creative).count() == 1


def test_approve_of_a_version_revised_since_is_refused(approver_client, approver, operator):
    creative = _rejected(approver)
    creative_revise(creative=creative, editor=operator, changes={"caption": "New words."})
    response = approver_client.post(f"/campaigns/queue/{creative.pk}/approve/", {"version": 1}, **HX)
    assert "already rejected this version" in response.content.decode()
    creative.refresh_from_db()
    assert (creative.version, creative.status) == (2, CreativeStatus.PENDING)


def test_approve_of_ones_own_version_is_refused_in_the_card(approver_client, approver):
    creative = _pending(author=approver)
    response = approver_client.post(f"/campaigns/queue/{creative.pk}/approve/", {"version": 1}, **HX)
    assert "another approver must approve it" in response.content.decode()
    assert not Review.objects.exists()


def test_approve_without_a_version_is_refused(approver_client):
    creative = _pending()
    response = approver_client.post(f"/campaigns/queue/{creative.pk}/approve/", {}, **HX)
    assert "This field is required." in response.content.decode()
    assert not Review.objects.exists()


@pytest.mark.embedded
def test_approve_rejects_get(approver_client):
    creative = _pending()
    assert approver_client.get(f"/campaigns/queue/{creative.pk}/approve/").status_code == 405


def test_approve_of_a_post_replaced_by_regeneration_says_so(approver_client):
    response = approver_client.post("/campaigns/queue/999999/approve/", {"version": 1})
    assert response["Location"] == "/campaigns/queue/"
    assert "replaced when the campaign was generated again" in _messages(response)[0]
    response = approver_client.post("/campaigns/queue/999999/approve/", {"version": 1}, **HX)
    assert 'id="creative-999999"' in response.content.decode()
    assert "replaced when the campaign was generated again" in response.content.decode()


def test_queue_hides_approve_on_ones_own_version(approver_client, approver):
    creative = _pending(author=approver)
    page = approver_client.get("/campaigns/queue/").content.decode()
    assert "You wrote this version" in page
    assert f'action="/campaigns/queue/{creative.pk}/approve/"' not in page
    assert f'action="/campaigns/queue/{creative.pk}/reject/"' in page


# --- reject -----------------------------------------------------------------------------------


def test_reject_with_htmx_keeps_the_reason(approver_client):
    creative = _pending()
    response = approver_client.post(f"/campaigns/queue/{creative.pk}/reject/",
                                    {"version": 1, "reason": "Name the product."}, **HX)
    assert "Rejected by arjun: “Name the product.”" in response.content.decode()
    review = Review.objects.get(creative=creative)
    assert (review.decision, review.reason) == ("rejected", "Name the product.")


def test_reject_requires_a_reason_in_the_card(approver_client):
    creative = _pending()
    response = approver_client.post(f"/campaigns/queue/{creative.pk}/reject/",
                                    {"version": 1, "reason": "   "}, **HX)
    assert "Say why the post is rejected" in response.content.decode()
    creative.refresh_from_db()
    assert creative.status == CreativeStatus.PENDING and not Review.objects.exists()


def test_reject_requires_a_reason_without_javascript(approver_client):
    creative = _pending()
    response = approver_client.post(f"/campaigns/queue/{creative.pk}/reject/", {"version": 1})
    assert response["Location"] == "/campaigns/queue/"
    assert "Say why the post is rejected" in _messages(response)[0]
    assert not Review.objects.exists()


# --- revise -----------------------------------------------------------------------------------

REVISION = {"caption": "Shorter and sharper.", "hashtags": "#coffee, roasting", "link": "",
            "call_to_action": "Read more", "scheduled_at": "2026-12-01T09:00", "image_alt": ""}


def test_revise_form_opens_in_the_card_with_htmx(operator_client, approver):
    creative = _rejected(approver)
    response = operator_client.get(f"/campaigns/queue/{creative.pk}/revise/", **HX)
    html = response.content.decode()
    assert html.lstrip().startswith(f'<article class="queue-card" id="creative-{creative.pk}">')
    assert 'name="caption"' in html and "<html" not in html
    assert "Too salesy" in html


def test_revise_page_works_without_javascript(operator_client, approver):
    creative = _rejected(approver)
    page = operator_client.get(f"/campaigns/queue/{creative.pk}/revise/").content.decode()
    assert "<html" in page and "Revise LinkedIn post v1" in page


def test_revise_with_htmx_returns_the_next_version_to_the_queue(operator_client, operator,
                                                                approver):
    creative = _rejected(approver)
    response = operator_client.post(f"/campaigns/queue/{creative.pk}/revise/", REVISION, **HX)
    html = response.content.decode()
    assert "Awaiting review</span> <small>v2" in html
    creative.refresh_from_db()
    assert (creative.version, creative.status, creative.author) == (2, "pending", operator)
    assert creative.hashtags == ["coffee", "roasting"]
    assert list(creative.versions.values_list("version", flat=True)) == [1, 2]
    assert Review.objects.get().version == 1


def test_revise_without_javascript_redirects_back(operator_client, approver):
    creative = _rejected(approver)
    response = operator_client.post(f"/campaigns/queue/{creative.pk}/revise/",
                                    {**REVISION, "next": "/campaigns/queue/?platform=linkedin"})
    assert response["Location"] == "/campaigns/queue/?platform=linkedin"
    assert "back in the queue as version 2" in _messages(response)[0]


def test_revise_refuses_a_post_over_its_platform_limit(operator_client, approver):
    creative = _rejected(approver, platform="x", link="")
    response = operator_client.post(f"/campaigns/queue/{creative.pk}/revise/",
                                    {**REVISION, "caption": "a" * 300}, **HX)
    html = response.content.decode()
    errors = html[html.index('id="id_caption_errors"'):]
    assert "X allows 280 characters" in errors[: errors.index("</ul>")]
    creative.refresh_from_db()
    assert creative.version == 1


def test_revise_refuses_too_many_hashtags_beside_the_hashtags(operator_client, approver):
    creative = _rejected(approver, platform="threads", link="")
    response = operator_client.post(f"/campaigns/queue/{creative.pk}/revise/",
                                    {**REVISION, "hashtags": "a b"}, **HX)
    html = response.content.decode()
    assert "Threads allows at most 1 hashtags" in html[html.index('id="id_hashtags_errors"'):]


def test_revise_of_a_pending_post_is_refused(operator_client):
    creative = _pending()
    response = operator_client.post(f"/campaigns/queue/{creative.pk}/revise/", REVISION)
    assert _messages(response) == ["Only a rejected post is revised from the queue."]
    creative.refresh_from_db()
    assert creative.version == 1


def test_queue_card_returns_the_card_for_htmx_and_the_queue_otherwise(operator_client):
    creative = _pending()
    html = operator_client.get(f"/campaigns/queue/{creative.pk}/", **HX).content.decode()
    assert html.lstrip().startswith('<article class="queue-card"')
    assert operator_client.get(f"/campaigns/queue/{creative.pk}/")["Location"] == "/campaigns/queue/"


# --- bulk approve -----------------------------------------------------------------------------


def test_bulk_approve_approves_what_the_reviewer_saw(approver_client, approver, operator):
    first, second = _pending(), _pending()
    changed = _rejected(approver)
    creative_revise(creative=changed, editor=operator, changes={"caption": "Changed."})
    response = approver_client.post("/campaigns/queue/approve/", {
        "creative": [f"{first.pk}:1", f"{second.pk}:1", f"{changed.pk}:1", "junk"],
    })
    assert response["Location"] == "/campaigns/queue/"
    assert Creative.objects.filter(status=CreativeStatus.APPROVED).count() == 2
    changed.refresh_from_db()
    assert changed.status == CreativeStatus.PENDING  # v2 was never seen, so never approved
    messages = _messages(response)
    assert messages[0] == "Approved 2 posts."
    assert f"Post {changed.pk}: arjun already rejected this version" in messages[1]


def test_bulk_approve_with_nothing_chosen_says_so(approver_client):
    response = approver_client.post("/campaigns/queue/approve/", {})
    assert _messages(response) == ["Choose at least one post to approve."]


# --- the race ---------------------------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_approvers_deciding_at_once_record_exactly_one_decision():
    group = Group.objects.get(name="Approver")
    first = User.objects.create_user("first", first_name="Fay", last_name="First")
    second = User.objects.create_user("second", first_name="Sam", last_name="Second")
    for user in (first, second):
        user.groups.add(group)
    creative = _pending()
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def decide(user, approve):
        try:
            barrier.wait(timeout=5)
            outcomes[user.username] = creative_decide(
                creative=creative, reviewer=user, approve=approve, reason="No", version=1
            )
        except Exception as exc:  # recorded and asserted below
            outcomes[user.username] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=(first, True)),
               threading.Thread(target=decide, args=(second, False))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=15)

    assert Review.objects.filter(creative=creative).count() == 1
    review = Review.objects.get(creative=creative)
    winner = review.reviewer.username
    loser = "second" if winner == "first" else "first"
    assert isinstance(outcomes[winner], Review)
    assert isinstance(outcomes[loser], DecisionConflict)
    assert f"{review.reviewer.get_full_name()} already" in str(outcomes[loser])
