"""Every list page links to its export with the page's own filters, and the export honours them."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest

from aicmo_site.templatetags.delivery_render import export_links
from campaigns.tests.factories import (
    BrandFactory,
    CampaignFactory,
    CreativeFactory,
    MetricSnapshotFactory,
    PublicationFactory,
)
from leads.models import Lead

pytestmark = pytest.mark.django_db


def _export_links(page: str, kind: str) -> list[str]:
    hrefs = re.findall(rf'href="(/delivery/export/{kind}\.(?:csv|xlsx|json)[^"]*)"', page)
    return [html.unescape(href) for href in hrefs]


def _csv(client, url: str) -> list[dict]:
    body = b"".join(client.get(url).streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def _written(query: str, label: str) -> str:
    """What delivery/export_links.html wrote (the tag export_links replaced it, byte for byte)."""
    links = " ·\n  ".join(
        f'<a href="/delivery/export/leads.{fmt}{query}" download>{fmt.upper()}</a>'
        for fmt in ("csv", "xlsx", "json")
    )
    return (f'\n\n<p class="export-links">Export{label}:\n  {links}\n'
            "  <small>(with the filters shown)</small>\n</p>\n\n")


@pytest.mark.embedded
@pytest.mark.parametrize(("path", "options", "query", "label"), [
    ("/leadgen/", {}, "", ""),
    ("/leadgen/", {"label": "these leads"}, "", " these leads"),
    ("/leadgen/?q=a%26b&status=NEW", {"label": "these <leads>"}, "?q=a%26b&amp;status=NEW",
     " these &lt;leads&gt;"),
    ("/leadgen/", {"extra": "simulated=no"}, "?simulated=no", ""),
    ("/leadgen/?q=%3C", {"extra": "a=1&b=2"}, "?q=%3C&amp;a=1&amp;b=2", ""),
])
def test_export_links_write_the_markup_of_the_include_they_replaced(rf, path, options, query,
                                                                    label):
    assert export_links({"request": rf.get(path)}, "leads", **options) == _written(query, label)


def test_leadgen_export_links_carry_the_filters(operator_client):
    Lead.objects.create(email="hot@x.example", score=80, status="QUALIFIED")
    Lead.objects.create(email="cold@x.example", score=10, status="QUALIFIED")
    page = operator_client.get("/leadgen/?status=QUALIFIED&min_score=50").content.decode()
    links = _export_links(page, "leads")
    assert links == [
        f"/delivery/export/leads.{fmt}?status=QUALIFIED&min_score=50"
        for fmt in ("csv", "xlsx", "json")
    ]
    assert [row["email"] for row in _csv(operator_client, links[0])] == ["hot@x.example"]


def test_leadgen_export_links_without_filters_export_everything(operator_client):
    page = operator_client.get("/leadgen/").content.decode()
    assert _export_links(page, "leads")[0] == "/delivery/export/leads.csv"


def test_creatives_library_export_links_carry_the_filters(operator_client):
    campaign = CampaignFactory()
    CreativeFactory(campaign=campaign, platform="linkedin", caption="Ours")
    CreativeFactory(caption="Someone else's")
    url = f"/creatives/?campaign={campaign.pk}&platform=linkedin"
    links = _export_links(operator_client.get(url).content.decode(), "creatives")
    assert links[0] == f"/delivery/export/creatives.csv?campaign={campaign.pk}&platform=linkedin"
    assert [row["caption"] for row in _csv(operator_client, links[0])] == ["Ours"]


def test_creatives_library_htmx_results_carry_the_export_links(operator_client):
    campaign = CampaignFactory()
    response = operator_client.get(
        f"/creatives/?campaign={campaign.pk}", headers={"HX-Request": "true"}
    )
    links = _export_links(response.content.decode(), "creatives")
    assert links[0] == f"/delivery/export/creatives.csv?campaign={campaign.pk}"


def test_campaign_index_export_links_carry_the_brand(operator_client):
    brand = BrandFactory()
    CampaignFactory(brand=brand, name="Kept")
    CampaignFactory(name="Other brand")
    links = _export_links(operator_client.get(f"/campaigns/?brand={brand.pk}").content.decode(),
                          "campaigns")
    assert links[0] == f"/delivery/export/campaigns.csv?brand={brand.pk}"
    assert [row["name"] for row in _csv(operator_client, links[0])] == ["Kept"]


def test_monitoring_export_links_carry_several_campaigns(operator_client):
    first, second = MetricSnapshotFactory(), MetricSnapshotFactory()
    MetricSnapshotFactory()  # a third campaign, not chosen
    ids = [first.publication.creative.campaign_id, second.publication.creative.campaign_id]
    url = f"/monitoring/?campaigns={ids[0]}&campaigns={ids[1]}&applied=True"
    links = _export_links(operator_client.get(url).content.decode(), "metrics")
    assert links[0].startswith(f"/delivery/export/metrics.csv?campaigns={ids[0]}&campaigns={ids[1]}")
    rows = _csv(operator_client, links[0])
    assert sorted(int(row["publication_id"]) for row in rows) == sorted(
        [first.publication_id, second.publication_id]
    )


def test_monitoring_export_leaves_out_simulated_figures_when_the_page_does(operator_client):
    real = MetricSnapshotFactory()
    MetricSnapshotFactory(publication__simulated=True, source="simulated")
    links = _export_links(operator_client.get("/monitoring/").content.decode(), "metrics")
    assert links[0] == "/delivery/export/metrics.csv?simulated=no"
    assert [int(row["id"]) for row in _csv(operator_client, links[0])] == [real.pk]


def test_execution_export_links_carry_the_campaign(operator_client):
    campaign = CampaignFactory()
    PublicationFactory(creative__campaign=campaign)
    PublicationFactory()
    links = _export_links(
        operator_client.get(f"/execution/?campaign={campaign.pk}").content.decode(), "publications"
    )
    assert links[0] == f"/delivery/export/publications.csv?campaign={campaign.pk}"
    assert len(_csv(operator_client, links[0])) == 1


def test_campaign_page_links_to_its_client_report(viewer_client):
    campaign = CampaignFactory()
    page = viewer_client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert f'href="/delivery/campaign/{campaign.pk}/report/"' in page
