"""The Monitoring page's cached figures: every kind of write shows on the next request.

The figures of a filter set are cached under stamps.data_stamp(stamps.FIGURES), which database triggers
bump on every write that can change them. "Another process" is simulated by an entry put in
the cache by hand under the current key: the page must serve it until a write, then recompute.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaigns import metrics, stamps
from campaigns.metrics import MetricFilters
from campaigns.models import MetricSnapshot, MetricSource, Publication, PublicationStatus
from campaigns.publishing.services import publication_simulate
from campaigns.tests.factories import CreativeFactory, MetricSnapshotFactory
from campaigns.views.monitoring import _summary_key
from leads import services as lead_services
from leads.models import Lead
from leads.statuses import LeadStatus
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

DEFAULT = MetricFilters()  # the filters of a plain visit to /monitoring/


def _impressions(page: str) -> str:
    return re.search(
        r'<span class="tile__value">([^<]*)</span><span class="tile__label">Impressions', page
    ).group(1)


def _posts_tile(page: str) -> str:
    return re.search(
        r'<span class="tile__value">([^<]*)</span><span class="tile__label">Posts published',
        page,
    ).group(1)


def _funnel_figures(page: str) -> list[str]:
    """The five step figures of the (only) campaign row of the funnel table."""
    table = page[page.index('id="funnel-heading"'):]
    table = table[:table.index("</table>")]
    return re.findall(r'<td class="num">([\d,]+)', table)[:5]


def _page(client) -> str:
    response = client.get("/monitoring/")
    assert response.status_code == 200
    return response.content.decode()


def _planted(figures_html: str = "<p>PLANTED FIGURES</p>", posts: int = 1) -> str:
    """Fills the cache entry of the current stamp as another worker would have."""
    key = _summary_key(DEFAULT, stamps.data_stamp(stamps.FIGURES))
    cache.set(key, {"include_simulated": False, "posts": posts,
                    "figures_utf8": figures_html.encode()})
    return key


@pytest.mark.embedded
def test_page_serves_the_cached_figures_while_nothing_is_written(viewer_client):
    MetricSnapshotFactory(impressions=1000)
    _planted()
    assert "PLANTED FIGURES" in _page(viewer_client)


@pytest.mark.embedded
def test_page_fills_the_cache_and_reads_it_back(viewer_client):
    MetricSnapshotFactory(impressions=1234)
    first = _page(viewer_client)
    assert _impressions(first) == "1,234"
    assert cache.get(_summary_key(DEFAULT, stamps.data_stamp(stamps.FIGURES))) is not None
    results = first[first.index('<div id="results"'):]
    again = _page(viewer_client)
    assert again[again.index('<div id="results"'):] == results


@pytest.mark.embedded
def test_the_cached_figures_go_in_place_in_the_page_and_the_htmx_region(viewer_client):
    # The view splices the cached bytes where the template leaves a comment slot.
    MetricSnapshotFactory(impressions=4321, publication__creative__caption="<!--figures x-->")
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        for _ in range(2):  # computed, then from the cache
            body = viewer_client.get("/monitoring/", **headers).content.decode()
            assert "<!--figures" not in body and "&lt;!--figures x--&gt;" in body
            assert body.count('<section class="tiles"') == 1
            assert (body.index('class="export-links"') < body.index('<section class="tiles"')
                    < body.index("<h2>Posts (1)</h2>"))
            assert _impressions(body) == "4,321"


def test_warm_page_runs_no_aggregate_query(viewer_client):
    MetricSnapshotFactory()
    _page(viewer_client)
    with CaptureQueriesContext(connection) as queries:
        _page(viewer_client)
    sql = [query["sql"] for query in queries]
    assert not [q for q in sql if "campaigns_metricsnapshot" in q and "SUM(" in q]
    assert not [q for q in sql if "COUNT(*)" in q]  # the posts count comes from the cache too
    assert len(queries) <= 12, "\n".join(q[:90] for q in sql)


# --- each kind of write reaches the page, past another worker's cached entry ------------------


@pytest.mark.embedded
def test_a_recorded_snapshot_shows_after_another_workers_cache(viewer_client):
    snapshot = MetricSnapshotFactory(impressions=1000, captured_at=timezone.now() - timedelta(1))
    _planted()
    metrics.snapshot_record(publication=snapshot.publication, figures={"impressions": 2500},
                            source=MetricSource.MANUAL)
    page = _page(viewer_client)
    assert "PLANTED FIGURES" not in page
    assert _impressions(page) == "2,500"


def test_a_csv_import_shows_after_another_workers_cache(viewer_client):
    snapshot = MetricSnapshotFactory(impressions=1000, captured_at=timezone.now() - timedelta(1))
    _planted()
    data = f"url,impressions\n{snapshot.publication.url},4321\n".encode()
    assert metrics.metrics_import_csv(data=data, filename="f.csv").imported == 1
    assert _impressions(_page(viewer_client)) == "4,321"


def test_an_edited_snapshot_shows_after_another_workers_cache(viewer_client):
    snapshot = MetricSnapshotFactory(impressions=1000)
    _planted()
    MetricSnapshot.objects.filter(pk=snapshot.pk).update(impressions=777)  # no signal sent
    assert _impressions(_page(viewer_client)) == "777"


def test_a_snapshot_deleted_in_the_admin_shows_after_another_workers_cache(
    viewer_client, admin_client
):
    kept = MetricSnapshotFactory(impressions=1000)
    gone = MetricSnapshotFactory(impressions=50, publication=kept.publication,
                                 captured_at=timezone.now() + timedelta(minutes=1))
    assert _impressions(_page(viewer_client)) == "50"
    _planted()
    response = admin_client.post(f"/admin/campaigns/metricsnapshot/{gone.pk}/delete/",
                                 {"post": "yes"})
    assert response.status_code == 302
    assert _impressions(_page(viewer_client)) == "1,000"


@pytest.mark.embedded
def test_a_publication_leaving_published_shows_after_another_workers_cache(viewer_client):
    MetricSnapshotFactory()
    second = MetricSnapshotFactory()
    assert _posts_tile(_page(viewer_client)) == "2"
    _planted(posts=2)
    Publication.objects.filter(pk=second.publication_id).update(
        status=PublicationStatus.FAILED
    )
    assert _posts_tile(_page(viewer_client)) == "1"


def test_proof_mode_simulated_figures_show_after_another_workers_cache(viewer_client, operator):
    creative = CreativeFactory(status="approved")
    _planted()
    publication_simulate(creative=creative, user=operator)
    page = _page(viewer_client)
    assert "PLANTED FIGURES" not in page
    assert "Only simulated figures exist" in page


def test_a_leads_import_attributed_to_a_campaign_shows_in_the_funnel(viewer_client):
    snapshot = MetricSnapshotFactory(impressions=1000, clicks=20)
    campaign = snapshot.publication.creative.campaign
    assert _funnel_figures(_page(viewer_client)) == ["1,000", "20", "0", "0", "0"]
    _planted()
    raw = f"Email,Name,utm_campaign\nann@ex.com,Ann,{campaign.slug}\n".encode()
    job = lead_services.import_job_create(upload=SimpleUploadedFile("l.csv", raw), actor=None)
    lead_services.import_job_start(job=job, mapping=job.mapping)
    assert Lead.objects.filter(campaign=campaign).count() == 1
    assert _funnel_figures(_page(viewer_client)) == ["1,000", "20", "1", "0", "0"]


@pytest.mark.embedded
def test_a_lead_won_shows_in_the_funnel_after_another_workers_cache(viewer_client, operator):
    snapshot = MetricSnapshotFactory(impressions=1000, clicks=20)
    lead = LeadFactory(campaign=snapshot.publication.creative.campaign, status=LeadStatus.NEW)
    assert _funnel_figures(_page(viewer_client)) == ["1,000", "20", "1", "0", "0"]
    _planted()
    lead_services.lead_change_status(lead=lead, status=LeadStatus.WON, actor=operator)
    assert _funnel_figures(_page(viewer_client)) == ["1,000", "20", "1", "1", "1"]


def test_a_renamed_campaign_shows_after_another_workers_cache(viewer_client):
    snapshot = MetricSnapshotFactory()
    campaign = snapshot.publication.creative.campaign
    _page(viewer_client)
    type(campaign).objects.filter(pk=campaign.pk).update(name="Renamed spring push")
    assert "Renamed spring push" in _page(viewer_client).split("funnel-heading")[-1]


# --- the stamp ----------------------------------------------------------------------------------


@pytest.mark.embedded
def test_writes_that_cannot_change_the_figures_leave_the_stamp_alone():
    lead = LeadFactory()
    publication = MetricSnapshotFactory().publication
    before = stamps.data_stamp(stamps.FIGURES)
    Lead.objects.filter(pk=lead.pk).update(score=99, notes="called")
    Publication.objects.filter(pk=publication.pk).update(last_error="timeout")
    assert stamps.data_stamp(stamps.FIGURES) == before


@pytest.mark.embedded
def test_a_rolled_back_write_leaves_the_stamp_alone():
    from django.db import transaction

    before = stamps.data_stamp(stamps.FIGURES)
    with pytest.raises(RuntimeError), transaction.atomic():
        MetricSnapshotFactory()
        assert stamps.data_stamp(stamps.FIGURES) > before
        raise RuntimeError
    assert stamps.data_stamp(stamps.FIGURES) == before


@pytest.mark.embedded
def test_a_new_campaign_appears_in_the_filter_past_the_cached_choices(viewer_client):
    from campaigns.tests.factories import CampaignFactory

    CampaignFactory(name="Autumn launch")
    assert "Autumn launch</option>" in _page(viewer_client)
    CampaignFactory(name="Winter launch")
    page = _page(viewer_client)
    assert "Autumn launch</option>" in page and "Winter launch</option>" in page


def test_the_filter_keeps_the_chosen_campaigns_selected(viewer_client):
    from campaigns.tests.factories import CampaignFactory

    chosen, other = CampaignFactory(name="Chosen one"), CampaignFactory(name="Other one")
    page = viewer_client.get(f"/monitoring/?campaigns={chosen.pk}&applied=True").content.decode()
    assert f'<option value="{chosen.pk}" selected>' in page
    assert f'<option value="{other.pk}">' in page


# --- the posts table's campaign and brand names, cached with the filter's options --------------


def _options_key() -> str:
    return f"monitoring:options-and-names:{stamps.data_stamp(stamps.FIGURES)}"


def _posts_table(page: str) -> str:
    return page[page.index("<h2>Posts ("):]


def test_the_posts_table_serves_the_cached_names_while_nothing_is_written(viewer_client):
    snapshot = MetricSnapshotFactory()
    campaign = snapshot.publication.creative.campaign
    _page(viewer_client)
    entry = cache.get(_options_key())
    cache.set(_options_key(), {**entry, "names": {campaign.pk: ("PLANTED BRAND", "PLANTED")}})
    assert "<tr><td>PLANTED BRAND · PLANTED<br>" in _posts_table(_page(viewer_client))


def test_a_name_missing_from_the_cached_names_is_read(viewer_client):
    MetricSnapshotFactory(publication__creative__campaign__name="Spring push")
    _page(viewer_client)
    cache.set(_options_key(), {**cache.get(_options_key()), "names": {}})
    assert " · Spring push<br>" in _posts_table(_page(viewer_client))


@pytest.mark.parametrize("write", ["campaign", "brand", "move"])
def test_a_renamed_or_moved_campaign_shows_in_the_posts_table_past_the_cached_names(
    viewer_client, write
):
    from campaigns.models import Brand, Campaign
    from campaigns.tests.factories import BrandFactory

    snapshot = MetricSnapshotFactory(publication__creative__campaign__name="Old campaign")
    campaign = snapshot.publication.creative.campaign
    _page(viewer_client)  # fills the entries, as another worker would have
    if write == "campaign":
        Campaign.objects.filter(pk=campaign.pk).update(name="New campaign")
        expected = f"{campaign.brand.name} · New campaign<br>"
    elif write == "brand":
        Brand.objects.filter(pk=campaign.brand_id).update(name="New brand")
        expected = "New brand · Old campaign<br>"
    else:
        Campaign.objects.filter(pk=campaign.pk).update(brand=BrandFactory(name="Other brand"))
        expected = "Other brand · Old campaign<br>"
    assert f"<tr><td>{expected}" in _posts_table(_page(viewer_client))
