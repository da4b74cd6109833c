"""The campaign list's and the approval queue's cached data: every kind of write it reads shows
on the next request.

Four things are cached under data stamps (campaigns.stamps), which database triggers move on
every write that can change them (migration 0012): the brands and campaigns ("choices": the
filters' options, the rows' names, the number of campaigns), a page of campaigns' counts and
steps and the queue's counts ("progress"), and the queue cards' histories ("history"). "Another
process" is simulated by an entry put in the cache by hand under the current key: the page
must serve it until such a write, then read the data again. Writes go through the ORM,
`update()` and raw SQL, as triggers see them all.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from campaigns import choices, selectors, stamps
from campaigns.models import (
    Brand,
    Campaign,
    ClientReviewLink,
    Creative,
    CreativeStatus,
    CreativeVersion,
    PublicationStatus,
)
from campaigns.services import creative_snapshot
from campaigns.tests.factories import (
    BrandFactory,
    CampaignFactory,
    CreativeFactory,
    PublicationFactory,
    ReviewFactory,
)
from campaigns.views.queue import PAGE_SIZE

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

LIST = "/campaigns/"
QUEUE = "/campaigns/queue/"


def _page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def _row(page: str, name: str) -> str:
    row = page[page.index(f">{name}</a>"):]
    return row[: row.index("</tr>")]


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


@pytest.fixture
def campaign():
    return CampaignFactory(name="Roast week", brand=BrandFactory(name="Beanery"))


@pytest.fixture
def post(campaign):
    creative = CreativeFactory(campaign=campaign, caption="Light roast notes")
    creative_snapshot(creative=creative)
    return creative


# --- brands and campaigns ("choices") -----------------------------------------------------------


def _plant_choices(**changes) -> None:
    """The brands and campaigns of the current stamp, changed as another worker's entry."""
    cache.set(choices._key(stamps.data_stamp(stamps.CHOICES)),
              dataclasses.replace(choices._read(), **changes))


def test_list_serves_the_cached_brands_while_nothing_is_written(viewer_client, campaign):
    _plant_choices(brand_options='<option value="1">PLANTED</option>',
                   brand_names={campaign.brand_id: "PLANTED"})
    page = _page(viewer_client, LIST)
    assert '<option value="1">PLANTED</option>' in page
    assert "<td>PLANTED</td>" in _row(page, "Roast week")


def test_a_renamed_brand_shows_after_another_workers_cache(viewer_client, approver_client, post):
    _plant_choices(brand_names={post.campaign.brand_id: "PLANTED"},
                   campaign_names={post.campaign_id: ("Roast week", "PLANTED")})
    Brand.objects.filter(pk=post.campaign.brand_id).update(name="Tea House")
    page = _page(viewer_client, LIST)
    assert "<td>Tea House</td>" in _row(page, "Roast week")
    assert f'<option value="{post.campaign.brand_id}">Tea House</option>' in page
    queue = _page(approver_client, QUEUE)
    assert "<h3>Roast week <small>· Tea House</small></h3>" in queue
    assert "PLANTED" not in page + queue


def test_a_renamed_campaign_shows_in_the_queue_after_another_workers_cache(approver_client, post):
    _plant_choices(campaign_names={post.campaign_id: ("PLANTED", "Beanery")})
    with connection.cursor() as cursor:
        cursor.execute("UPDATE campaigns_campaign SET name = %s WHERE id = %s",
                       ["Dark week", post.campaign_id])
    page = _page(approver_client, QUEUE)
    assert "<h3>Dark week <small>· Beanery</small></h3>" in page
    assert f'<option value="{post.campaign_id}">Beanery · Dark week</option>' in page


def test_added_campaigns_are_counted_after_another_workers_cache(viewer_client, campaign):
    assert "Page 1 of" not in _page(viewer_client, LIST)
    _plant_choices(campaigns_per_brand={campaign.brand_id: 1})
    Campaign.objects.bulk_create([
        Campaign(brand=campaign.brand, name=f"Bulk {n}", slug=f"bulk-{n}", objectives="x",
                 platforms=["linkedin"], start_date=campaign.start_date,
                 end_date=campaign.end_date)
        for n in range(selectors.CAMPAIGNS_PER_PAGE)
    ])
    total = selectors.CAMPAIGNS_PER_PAGE + 1
    assert f"Page 1 of 2 · {total} campaigns" in _page(viewer_client, LIST)
    assert f"Page 1 of 2 · {total} campaigns" in _page(
        viewer_client, f"{LIST}?brand={campaign.brand_id}")


def test_a_campaign_moved_to_another_brand_shows_after_another_workers_cache(
    viewer_client, campaign
):
    other = BrandFactory(name="Tea House")
    _page(viewer_client, LIST)
    Campaign.objects.filter(pk=campaign.pk).update(brand=other)
    assert "<td>Tea House</td>" in _row(_page(viewer_client, LIST), "Roast week")
    assert "Roast week" in _page(viewer_client, f"{LIST}?brand={other.pk}")


def test_a_campaign_added_since_the_names_were_read_is_still_named(approver_client, post):
    _plant_choices(campaign_names={}, brand_names={})
    # Planted under the current stamp, as if read just before these rows were written.
    page = _page(approver_client, QUEUE)
    assert "<h3>Roast week <small>· Beanery</small></h3>" in page


# --- counts and steps ("progress") --------------------------------------------------------------


def _plant_progress(campaign, counts=(7, 7, 0, 0)) -> None:
    key = selectors._progress_key(stamps.data_stamp(stamps.PROGRESS), [campaign.pk])
    cache.set(key, {campaign.pk: (counts, False, False, False)})


def test_list_serves_the_cached_counts_while_nothing_is_written(viewer_client, campaign):
    _plant_progress(campaign)
    assert "0 approved · 7 to review" in _row(_page(viewer_client, LIST), "Roast week")


def test_a_decided_creative_is_counted_after_another_workers_cache(viewer_client, post):
    _plant_progress(post.campaign)
    Creative.objects.filter(pk=post.pk).update(status=CreativeStatus.APPROVED)
    row = _row(_page(viewer_client, LIST), "Roast week")
    assert "1 approved · 0 to review" in row and 'step-badge--approved' in row


def test_a_publication_moves_the_step_after_another_workers_cache(viewer_client, campaign):
    creative = CreativeFactory(campaign=campaign, status=CreativeStatus.APPROVED)
    CreativeFactory(campaign=campaign, status=CreativeStatus.APPROVED)
    assert "step-badge--approved" in _row(_page(viewer_client, LIST), "Roast week")
    PublicationFactory(creative=creative, status=PublicationStatus.PUBLISHED)
    assert "step-badge--executing" in _row(_page(viewer_client, LIST), "Roast week")


def test_a_review_moves_the_step_after_another_workers_cache(viewer_client, post, approver):
    assert "step-badge--generated" in _row(_page(viewer_client, LIST), "Roast week")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO campaigns_review (creative_id, version, decision, reason, source, "
            "reviewer_id, reviewed_at) VALUES (%s, 1, 'changes', '', 'agency', %s, %s)",
            [post.pk, approver.pk, timezone.now()],
        )
    assert "step-badge--in_review" in _row(_page(viewer_client, LIST), "Roast week")


def test_queue_serves_the_cached_count_while_nothing_is_written(viewer_client, post):
    cache.set(selectors._queue_count_key(stamps.data_stamp(stamps.PROGRESS), None, None, ""), 999)
    assert "· 999 posts" in _page(viewer_client, QUEUE)


def test_queue_counts_decided_posts_after_another_workers_cache(viewer_client, campaign):
    creatives = [CreativeFactory(campaign=campaign) for _ in range(PAGE_SIZE + 1)]
    assert f"Page 1 of 2 · {PAGE_SIZE + 1} posts" in _page(viewer_client, QUEUE)
    Creative.objects.filter(pk=creatives[0].pk).update(status=CreativeStatus.APPROVED)
    page = _page(viewer_client, QUEUE)
    assert "Page 1 of" not in page
    assert page.count('class="queue-card"') == PAGE_SIZE


def test_queue_filters_count_moved_posts_after_another_workers_cache(viewer_client, post):
    other = BrandFactory()
    assert f'id="creative-{post.pk}"' not in _page(viewer_client, f"{QUEUE}?platform=x")
    Creative.objects.filter(pk=post.pk).update(platform="x")
    assert f'id="creative-{post.pk}"' in _page(viewer_client, f"{QUEUE}?platform=x")
    assert f'id="creative-{post.pk}"' not in _page(viewer_client, f"{QUEUE}?brand={other.pk}")
    Campaign.objects.filter(pk=post.campaign_id).update(brand=other)
    assert f'id="creative-{post.pk}"' in _page(viewer_client, f"{QUEUE}?brand={other.pk}")


# --- the cards' histories ("history") ----------------------------------------------------------


def _plant_history(creative) -> None:
    key = selectors._history_key(stamps.data_stamp(stamps.HISTORY), [creative.pk])
    cache.set(key, {creative.pk: ([], None, 42)})


def _history(page: str) -> str:
    history = page[page.index('class="history"'):]
    return history[: history.index("</details>")]


def test_queue_serves_the_cached_history_while_nothing_is_written(viewer_client, post):
    _plant_history(post)
    assert "History: 0 versions, 42 reviews" in _history(_page(viewer_client, QUEUE))


def test_a_review_shows_in_the_history_after_another_workers_cache(viewer_client, post, approver):
    _plant_history(post)
    ReviewFactory(creative=post, decision="rejected", reason="Too salesy", reviewer=approver)
    history = _history(_page(viewer_client, QUEUE))
    assert "History: 1 version, 1 review" in history and "“Too salesy”" in history


def test_a_new_version_shows_in_the_history_after_another_workers_cache(viewer_client, post):
    _plant_history(post)
    CreativeVersion.objects.bulk_create([CreativeVersion(
        creative=post, version=2, caption="Dark roast notes", scheduled_at=post.scheduled_at,
    )])
    history = _history(_page(viewer_client, QUEUE))
    assert "History: 2 versions, 0 reviews" in history
    assert "<del>Light</del><ins>Dark</ins>" in history


def test_a_renamed_reviewer_shows_after_another_workers_cache(viewer_client, post, approver):
    ReviewFactory(creative=post, decision="rejected", reason="No", reviewer=approver)
    assert "by arjun" in _history(_page(viewer_client, QUEUE))
    User.objects.filter(pk=approver.pk).update(first_name="Arjun", last_name="Rao")
    assert "by Arjun Rao" in _history(_page(viewer_client, QUEUE))


def test_a_relabelled_client_link_shows_after_another_workers_cache(viewer_client, post):
    link = ClientReviewLink.objects.create(
        campaign=post.campaign, label="Ana at Beanery", token_hash="0" * 64, token_hint="0000",
        expires_at=timezone.now() + timedelta(days=7),
    )
    ReviewFactory(creative=post, decision="changes", reason="Warmer", client_link=link,
                  source="client")
    assert "via the link for Ana at Beanery" in _history(_page(viewer_client, QUEUE))
    ClientReviewLink.objects.filter(pk=link.pk).update(label="Ana (CMO)")
    assert "via the link for Ana (CMO)" in _history(_page(viewer_client, QUEUE))


def test_cached_histories_hold_no_password_hash_or_link_token(viewer_client, post, approver):
    link = ClientReviewLink.objects.create(
        campaign=post.campaign, label="Ana", token_hash="f" * 64, token_hint="ffff",
        expires_at=timezone.now() + timedelta(days=7),
    )
    ReviewFactory(creative=post, decision="changes", client_link=link, source="client")
    ReviewFactory(creative=post, decision="rejected", reviewer=approver)
    _page(viewer_client, QUEUE)
    key = selectors._history_key(stamps.data_stamp(stamps.HISTORY), [post.pk])
    history, _, n_reviews = cache.get(key)[post.pk]
    reviews = [review for _, version_reviews, _ in history for review in version_reviews]
    assert n_reviews == len(reviews) == 2
    client, agency = reviews
    assert client.client_link.label == "Ana" and "token_hash" not in client.client_link.__dict__
    assert agency.reviewer.username == "arjun" and "password" not in agency.reviewer.__dict__
