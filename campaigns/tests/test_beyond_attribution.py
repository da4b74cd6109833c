"""UTM parameters on every link of a creative: added exactly once, kept through edits."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from campaigns.attribution import tag_text, tag_url, utm_values
from campaigns.models import Creative, CreativeStatus
from campaigns.services import campaign_generate, creative_revise
from campaigns.tests.factories import CampaignFactory, CreativeFactory

pytestmark = pytest.mark.django_db

VALUES = {"utm_source": "linkedin", "utm_medium": "social", "utm_campaign": "spring",
          "utm_content": "7"}


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


@pytest.mark.embedded
def test_tag_url_adds_each_utm_parameter_once_and_keeps_other_parameters():
    tagged = tag_url("https://shop.example/beans?ref=news&size=1kg#buy", VALUES)
    assert _query(tagged) == {
        "ref": ["news"], "size": ["1kg"], "utm_source": ["linkedin"], "utm_medium": ["social"],
        "utm_campaign": ["spring"], "utm_content": ["7"],
    }
    assert tagged.endswith("#buy")
    assert tag_url(tagged, VALUES) == tagged


def test_tag_url_replaces_stale_utm_values_instead_of_repeating_them():
    tagged = tag_url("https://shop.example/?utm_source=x&UTM_CONTENT=3&utm_campaign=old", VALUES)
    assert tagged.lower().count("utm_source") == 1
    assert tagged.lower().count("utm_content") == 1
    assert _query(tagged)["utm_campaign"] == ["spring"]


def test_tag_text_tags_links_in_a_caption_but_not_the_punctuation_after_them():
    text = tag_text("Read https://brand.example/a, then https://brand.example/b.", VALUES)
    assert text.startswith("Read https://brand.example/a?utm_source=linkedin")
    assert text.endswith("utm_content=7.")
    assert text.count("utm_medium=social") == 2


def test_creative_revise_tags_the_link_with_platform_campaign_and_creative(operator):
    creative = CreativeFactory(campaign=CampaignFactory(slug="roast-week"), platform="linkedin")
    creative = creative_revise(
        creative=creative, editor=operator, changes={"link": "https://brand.example/beans?x=1"}
    )
    assert _query(creative.link) == {
        "x": ["1"], "utm_source": ["linkedin"], "utm_medium": ["social"],
        "utm_campaign": ["roast-week"], "utm_content": [str(creative.pk)],
    }
    assert creative.versions.get(version=creative.version).link == creative.link


def test_creative_revise_keeps_the_utm_parameters_when_the_caption_is_edited(operator):
    creative = CreativeFactory(campaign=CampaignFactory(slug="roast-week"))
    tagged = creative_revise(creative=creative, editor=operator, changes={"caption": "One"}).link
    again = creative_revise(creative=creative, editor=operator, changes={"caption": "Two"})
    assert again.link == tagged
    assert again.link.count("utm_content=") == 1


def test_creative_revise_puts_back_utm_parameters_an_edit_removed(operator):
    creative = CreativeFactory(campaign=CampaignFactory(slug="roast-week"))
    creative_revise(creative=creative, editor=operator, changes={"caption": "One"})
    edited = creative_revise(
        creative=creative, editor=operator, changes={"link": "https://brand.example/new"}
    )
    assert _query(edited.link)["utm_campaign"] == ["roast-week"]


def test_campaign_generate_saves_every_link_with_its_creative_id(operator):
    campaign = CampaignFactory(
        slug="autumn", platforms=["linkedin"], start_date=date(2026, 11, 30),
        end_date=date(2026, 11, 30) + timedelta(days=13),
    )
    campaign_generate(campaign=campaign, user=operator, engine="local")
    creatives = list(Creative.objects.filter(campaign=campaign).exclude(link=""))
    assert creatives
    for creative in creatives:
        query = _query(creative.link)
        assert query["utm_content"] == [str(creative.pk)]
        assert query["utm_campaign"] == ["autumn"]
        assert query["utm_source"] == ["linkedin"]
        assert creative.versions.get(version=1).link == creative.link


def test_posting_page_shows_and_copies_the_tagged_link(viewer_client):
    creative = CreativeFactory(
        campaign=CampaignFactory(slug="roast-week"), status=CreativeStatus.APPROVED,
        caption="Roast day", link="https://brand.example/roasting",
    )
    page = viewer_client.get(
        reverse("campaigns:execution_post", args=[creative.platform, creative.pk])
    ).content.decode()
    expected = tag_url(
        "https://brand.example/roasting",
        utm_values(platform="linkedin", campaign_slug="roast-week", creative_id=creative.pk),
    ).replace("&", "&amp;")
    assert f'id="caption-text">Roast day\n\n{expected}' in page


def test_adapting_a_post_tags_the_copy_with_its_own_platform_and_id(operator):
    from campaigns.adapting import creative_adapt

    source = CreativeFactory(campaign=CampaignFactory(slug="roast-week", platforms=["linkedin", "x"]))
    source = creative_revise(creative=source, editor=operator, changes={"caption": "Roast day"})
    copy = creative_adapt(creative=source, platform="x", author=operator)
    if copy.link:
        query = _query(copy.link)
        assert (query["utm_source"], query["utm_content"]) == (["x"], [str(copy.pk)])
    assert f"utm_content={source.pk}" not in copy.caption + copy.link


def test_campaign_generate_keeps_every_tagged_post_within_its_platform_limit(operator):
    campaign = CampaignFactory(
        slug="a-rather-long-campaign-slug-for-winter", platforms=["bluesky", "threads", "x"],
        start_date=date(2026, 11, 30), end_date=date(2026, 11, 30) + timedelta(days=20),
    )
    campaign_generate(campaign=campaign, user=operator, engine="local")
    creatives = list(Creative.objects.filter(campaign=campaign))
    assert creatives
    assert [c.pk for c in creatives if c.over_limit()] == []
    assert all("utm_content=" in c.link for c in creatives if c.link)
