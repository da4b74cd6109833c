"""Execution's queue page caches each selection's waiting posts (their ids and times in queue
order, the posting sessions, the campaign and brand names) under the "execution" data stamp,
which database triggers move on every write that can change them (migration campaigns 0014).

"Another worker" is simulated by an entry put in the cache by hand under the current key: the
page must serve it until such a write, then read the database again. What depends on the
clock (overdue, due today) is counted at each request's own time, never cached.
"""

from __future__ import annotations

from array import array
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaigns.models import Campaign, Creative, CreativeStatus
from campaigns.publishing import selectors
from campaigns.publishing.selectors import Waiting, waiting_key
from campaigns.tests.factories import BrandFactory, CampaignFactory, PublicationFactory
from campaigns.tests.fake_platform import approved_creative

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def _page(client, **params) -> str:
    return client.get("/execution/", params).content.decode()


@pytest.fixture
def post():
    campaign = CampaignFactory(name="Roast week", brand=BrandFactory(name="Beanery"))
    return approved_creative("x", campaign=campaign, caption="Light roast notes",
                             scheduled_at=timezone.now() + timedelta(days=2))


def _plant(post, **selection) -> None:
    """Another worker's entry for the selection: the post, filed under a planted campaign."""
    key = waiting_key(now=timezone.now(), **selection)
    stamp = int(post.scheduled_at.timestamp()) * 1_000_000
    cache.set(key, Waiting(ids=array("q", [post.pk]), times=array("q", [stamp]),
                           names={post.campaign_id: ("PLANTED", "BRAND")},
                           sessions=((post.campaign_id, "x", 1),), session_count=1))


def test_the_page_serves_the_cached_selection_while_nothing_is_written(viewer_client, post):
    _plant(post)
    page = _page(viewer_client)
    assert "BRAND · PLANTED on X" in page
    assert "<small>PLANTED</small>" in page
    assert "Light roast notes" in page  # the row itself is read: its text is never cached


def test_each_selection_has_its_own_entry(viewer_client, post):
    _plant(post)
    page = _page(viewer_client, campaign=post.campaign_id)
    assert "PLANTED" not in page and "Beanery · Roast week on X" in page


def test_a_cached_page_reads_one_query_of_its_own(viewer_client, post):
    _page(viewer_client)  # warm up: sessions, permissions, options and the selection
    with CaptureQueriesContext(connection) as queries:
        _page(viewer_client)
    own = [q["sql"] for q in queries.captured_queries if "campaigns_creative" in q["sql"]]
    assert len(own) == 1 and '"campaigns_creative"."caption"' in own[0]


def test_a_published_post_leaves_past_another_workers_entry(viewer_client, post):
    _plant(post)
    PublicationFactory(creative=post, status="published")
    assert "Nothing to post" in _page(viewer_client)


def test_a_status_written_by_raw_sql_counts(viewer_client, post):
    publication = PublicationFactory(creative=post, status="published")
    assert "Nothing to post" in _page(viewer_client)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE campaigns_publication SET status = 'failed' WHERE id = %s",
                       [publication.pk])
    page = _page(viewer_client)
    assert "Light roast notes" in page and "badge--pub-failed" in page


def test_a_new_or_deleted_post_shows(viewer_client, post):
    _plant(post)
    Creative.objects.bulk_create([Creative(
        campaign=post.campaign, platform="linkedin", caption="Bulk created", status="approved",
        scheduled_at=timezone.now() + timedelta(days=3),
    )])
    page = _page(viewer_client)
    assert "Bulk created" in page and "<strong>2</strong> posts waiting" in page
    Creative.objects.filter(caption="Bulk created").delete()
    page = _page(viewer_client)
    assert "Bulk created" not in page and "<strong>1</strong> post waiting" in page


def test_a_post_sent_back_to_review_or_moved_shows(viewer_client, post):
    _page(viewer_client)
    Creative.objects.filter(pk=post.pk).update(status=CreativeStatus.PENDING)
    assert "Nothing to post" in _page(viewer_client)
    Creative.objects.filter(pk=post.pk).update(status=CreativeStatus.APPROVED, platform="linkedin")
    assert "Beanery · Roast week on LinkedIn" in _page(viewer_client)
    other = CampaignFactory(name="Decaf days", brand=post.campaign.brand)
    Creative.objects.filter(pk=post.pk).update(campaign=other)
    assert "Beanery · Decaf days on LinkedIn" in _page(viewer_client)


def test_a_rescheduled_post_is_reordered_and_counted_overdue(viewer_client, post):
    approved_creative("x", campaign=post.campaign, caption="Sooner post",
                               scheduled_at=post.scheduled_at - timedelta(hours=1))
    page = _page(viewer_client)
    assert page.index("Sooner post") < page.index("Light roast notes")
    assert "due--overdue" not in page
    Creative.objects.filter(pk=post.pk).update(scheduled_at=timezone.now() - timedelta(days=1))
    page = _page(viewer_client)
    assert page.index("Light roast notes") < page.index("Sooner post")
    assert "1 overdue" in page


def test_renamed_campaigns_and_brands_and_moves_show(viewer_client, post):
    _page(viewer_client)
    Campaign.objects.filter(pk=post.campaign_id).update(name="Dark week")
    assert "Beanery · Dark week on X" in _page(viewer_client)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE campaigns_brand SET name = 'Roastery' WHERE id = %s",
                       [post.campaign.brand_id])
    page = _page(viewer_client)
    assert "Roastery · Dark week on X" in page and "<td>Roastery<br>" in page
    Campaign.objects.filter(pk=post.campaign_id).update(brand=BrandFactory(name="Kiln"))
    assert "Kiln · Dark week on X" in _page(viewer_client)


def test_a_completed_campaign_leaves_the_queue(viewer_client, post):
    _page(viewer_client)
    Campaign.objects.filter(pk=post.campaign_id).update(completed_at=timezone.now())
    assert "Nothing to post" in _page(viewer_client)


def test_overdue_and_due_today_are_counted_at_each_requests_time(viewer_client, post,
                                                                monkeypatch):
    soon = timezone.now() + timedelta(seconds=30)
    Creative.objects.filter(pk=post.pk).update(scheduled_at=soon)
    first = _page(viewer_client)
    if timezone.localdate(soon) == timezone.localdate():  # not run across midnight
        assert "1 due today" in first and "due--overdue" not in first
    later = soon + timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    second = _page(viewer_client)  # the same cached selection, a later time
    assert "1 overdue" in second and "due--today" not in second
    assert '<span class="due due--overdue">Overdue</span>' in second


def test_the_overdue_selection_is_read_at_each_requests_time(viewer_client, post, monkeypatch):
    assert "Nothing to post" in _page(viewer_client, when="overdue")
    later = post.scheduled_at + timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    page = _page(viewer_client, when="overdue")
    assert "Light roast notes" in page and "1 overdue" in page


def test_sessions_are_those_of_the_selection_at_read_time(viewer_client, post, monkeypatch):
    monkeypatch.setattr(selectors, "SESSIONS_SHOWN", 1)
    approved_creative("linkedin", campaign=post.campaign, scheduled_at=post.scheduled_at
                      + timedelta(hours=1))
    page = _page(viewer_client)
    assert "Roast week on X" in page and "Roast week on LinkedIn" not in page
    assert "1 more session in this selection" in page
    PublicationFactory(creative=post, status="skipped")
    page = _page(viewer_client)
    assert "Roast week on LinkedIn" in page and "more session" not in page
