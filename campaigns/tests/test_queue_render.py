"""The queue's cards and the campaign list's rows are built in Python (aicmo_site/templatetags/
queue_render.py): the preview matches the template other pages include, everything is escaped,
the queue pages 20 cards at a time, and the list's counts match the campaign page's."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from aicmo_site.templatetags.queue_render import post_preview
from campaigns import selectors
from campaigns.models import Campaign, CreativeStatus, PublicationStatus
from campaigns.services import creative_decide, creative_snapshot
from campaigns.tests.factories import (
    BrandFactory,
    CampaignFactory,
    CreativeFactory,
    PublicationFactory,
)
from campaigns.views.queue import PAGE_SIZE

pytestmark = pytest.mark.django_db

LONG = "Roasted on Monday.\nIn your cup by Friday. " + "Every bean tells where it grew. " * 12


def _squeeze(html: str) -> str:
    """Markup without the template's indentation, to compare it with the Python rendering."""
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)).strip()


@pytest.mark.parametrize("fields", [
    {"platform": "linkedin", "caption": LONG},
    {"platform": "x", "caption": "Short & <sharp>", "link": "https://brand.example/?a=1&b=2"},
    {"platform": "instagram", "caption": "With a brief", "image_brief": "A cup, <steam>"},
    {"platform": "threads", "caption": "No link, no tags", "link": "", "hashtags": []},
])
def test_python_preview_matches_the_included_template(fields):
    creative = CreativeFactory(campaign__brand__name="Bean & <Co>", **fields)
    expected = render_to_string("includes/post_preview.html", {"creative": creative})
    assert _squeeze(post_preview(creative)) == _squeeze(expected)


def test_queue_card_escapes_what_people_wrote(approver_client, approver):
    creative = CreativeFactory(caption="<script>alert(1)</script>", pillar="<b>pillar</b>",
                               campaign__name="<i>Launch</i>")
    creative_snapshot(creative=creative)
    creative_decide(creative=creative, reviewer=approver, approve=False, reason="<img src=x>")
    page = approver_client.get("/campaigns/queue/").content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x>" not in page and "“&lt;img src=x&gt;”" in page
    assert "<i>Launch</i>" not in page and "<b>pillar</b>" not in page


def test_queue_pages_its_cards_with_links_that_work_without_javascript(viewer_client):
    campaign = CampaignFactory()
    for _ in range(PAGE_SIZE + 3):
        creative_snapshot(creative=CreativeFactory(campaign=campaign))
    first = viewer_client.get(f"/campaigns/queue/?campaign={campaign.pk}").content.decode()
    assert first.count('class="queue-card"') == PAGE_SIZE
    assert f"Page 1 of 2 · {PAGE_SIZE + 3} posts" in first
    assert f'href="?campaign={campaign.pk}&amp;page=2"' in first
    second = viewer_client.get(f"/campaigns/queue/?campaign={campaign.pk}&page=2").content.decode()
    assert second.count('class="queue-card"') == 3


def test_queue_marks_the_chosen_filters(viewer_client):
    creative = CreativeFactory(campaign__brand__name="Bean & Co")
    page = viewer_client.get(
        f"/campaigns/queue/?campaign={creative.campaign_id}&brand={creative.campaign.brand_id}"
    ).content.decode()
    assert f'<option value="{creative.campaign_id}" selected>Bean &amp; Co · ' in page
    assert f'<option value="{creative.campaign.brand_id}" selected>Bean &amp; Co</option>' in page


def test_campaign_list_counts_posts_by_status(viewer_client, approver):
    campaign = CampaignFactory(name="Counted")
    for status in ["approved", "approved", "pending", "rejected"]:
        CreativeFactory(campaign=campaign, status=status)
    page = viewer_client.get("/campaigns/").content.decode()
    row = page[page.index(">Counted</a>"):]
    row = row[: row.index("</tr>")]
    assert "2 approved · 1 to review · 1 rejected" in row
    assert f'href="/campaigns/{campaign.pk}/step/3/">Open step 3</a>' in row


def test_campaign_list_steps_and_counts_match_the_campaign_page(approver):
    brand = BrandFactory()
    untouched = CampaignFactory(brand=brand)
    CreativeFactory(campaign=untouched, status=CreativeStatus.DRAFT)
    reviewed = CampaignFactory(brand=brand)
    creative_decide(creative=CreativeFactory(campaign=reviewed), reviewer=approver,
                    approve=False, reason="No")
    CreativeFactory(campaign=reviewed)
    approved = CampaignFactory(brand=brand)
    CreativeFactory(campaign=approved, status=CreativeStatus.APPROVED)
    going_out = CampaignFactory(brand=brand)
    PublicationFactory(creative__campaign=going_out, status=PublicationStatus.PENDING)
    PublicationFactory(creative__campaign=going_out, status=PublicationStatus.PUBLISHED)
    half_done = CampaignFactory(brand=brand)
    PublicationFactory(creative__campaign=half_done, status=PublicationStatus.PUBLISHED)
    CreativeFactory(campaign=half_done, status=CreativeStatus.PENDING)
    done = CampaignFactory(brand=brand)
    PublicationFactory(creative__campaign=done, status=PublicationStatus.PUBLISHED)
    PublicationFactory(creative__campaign=done, status=PublicationStatus.SKIPPED)
    closed = CampaignFactory(brand=brand, completed_at=timezone.now())
    empty = CampaignFactory(brand=brand)

    listed = {c.pk: c for c in selectors.campaign_page(brand_id=brand.pk).object_list}
    fields = ("n_creatives", "n_pending", "n_rejected", "n_approved", "has_reviews", "step")
    for pk, campaign in listed.items():
        alone = selectors.campaign_get(pk)
        assert [getattr(campaign, f) for f in fields] == [getattr(alone, f) for f in fields]
    campaigns = (untouched, reviewed, approved, going_out, half_done, done, closed, empty)
    assert [listed[c.pk].step.key for c in campaigns] == [
        "generated", "in_review", "approved", "executing", "executing", "complete", "complete",
        "created"]


@pytest.mark.embedded
@pytest.mark.parametrize("fields", [
    {"platform": "linkedin", "caption": LONG, "hashtags": ["roast", "café"]},
    {"platform": "x", "caption": "Short & <sharp>", "link": "https://brand.example/?a=1&b=2"},
    {"platform": "instagram", "caption": "A picture", "image": "creatives/cup & <steam>.png",
     "image_alt": "A cup, <steam>"},
    {"platform": "threads", "caption": "With a brief", "image_brief": "A cup", "hashtags": []},
])
def test_queue_page_rows_render_as_their_creatives_do(fields):
    """The queue reads its cards as QueueCards (a fixed statement, no model instances): each
    renders the preview its Creative renders, hashtags, image and date included."""
    creative = CreativeFactory(campaign__brand__name="Bean & <Co>", **fields)
    card, = selectors.queue_page(per_page=PAGE_SIZE).object_list
    assert isinstance(card, selectors.QueueCard)
    assert card.hashtags == creative.hashtags and card.scheduled_at == creative.scheduled_at
    assert post_preview(card) == post_preview(creative)


@pytest.mark.embedded
@pytest.mark.parametrize("filters", [
    {}, {"campaign": True}, {"brand": True}, {"platform": "x"},
    {"campaign": True, "platform": "x"}, {"brand": True, "platform": "linkedin"},
])
def test_queue_pages_read_the_rows_the_queue_query_orders(filters):
    """Every page of every filter set holds the rows of queue_creatives() in its order."""
    brand = BrandFactory()
    campaigns = [CampaignFactory(brand=brand), CampaignFactory(brand=brand), CampaignFactory()]
    soon = timezone.now() + timedelta(days=1)
    for n in range(60):
        CreativeFactory(campaign=campaigns[n % 3], platform=("x", "linkedin")[n % 2],
                        scheduled_at=soon + timedelta(hours=n % 7),
                        status=("pending", "rejected", "approved", "draft")[n % 4])
    given = {
        "campaign_id": campaigns[0].pk if filters.get("campaign") else None,
        "brand_id": brand.pk if filters.get("brand") else None,
        "platform": filters.get("platform", ""),
    }
    expected = list(selectors.queue_creatives(**given).values_list("pk", flat=True))
    read, number = [], 1
    while True:
        page = selectors.queue_page(**given, page_number=number, per_page=4)
        read += [card.pk for card in page.object_list]
        if not page.has_next():
            break
        number += 1
    assert expected and read == expected


@pytest.mark.embedded
@pytest.mark.parametrize("by_brand", [False, True])
def test_campaign_list_pages_read_the_campaigns_newest_first(monkeypatch, by_brand):
    """The list's fixed statement reads, page by page, what the ORM reads (dates, platforms and
    completion converted alike, on SQLite too)."""
    monkeypatch.setattr(selectors, "CAMPAIGNS_PER_PAGE", 3)
    brand = BrandFactory()
    for n in range(8):
        CampaignFactory(brand=brand if n % 3 else BrandFactory(), platforms=["x", "linkedin"][: n % 2 + 1],
                        completed_at=timezone.now() if n == 4 else None)
    campaigns = Campaign.objects.filter(brand=brand) if by_brand else Campaign.objects.all()
    columns = ("pk", "name", "brand_id", "platforms", "cadence", "start_date", "end_date",
               "completed_at")
    expected = list(campaigns.order_by("-created_at", "-pk").values_list(*columns))
    read, number = [], 1
    while True:
        page = selectors.campaign_page(brand_id=brand.pk if by_brand else None, page_number=number)
        read += [tuple(getattr(row, name) for name in columns) for row in page.object_list]
        if not page.has_next():
            break
        number += 1
    assert expected and read == expected
