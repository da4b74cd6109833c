"""The Monitoring pages: analytics, a publication's figures, access and the htmx branches."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaigns.models import MetricSnapshot
from campaigns.tests.factories import CampaignFactory, MetricSnapshotFactory, PublicationFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
FIGURES = {"impressions": "1000", "reach": "800", "likes": "40", "comments": "5", "shares": "3",
           "saves": "2", "clicks": "25", "video_views": "0", "captured_at": ""}


def _simulated(**kwargs):
    return MetricSnapshotFactory(
        publication__simulated=True, publication__mode="proof", source="simulated", **kwargs
    )


# --- the Monitoring section --------------------------------------------------------------


@pytest.mark.embedded
def test_monitoring_redirects_anonymous_users_to_login(client):
    response = client.get("/monitoring/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_monitoring_is_forbidden_without_a_role(outsider_client):
    assert outsider_client.get("/monitoring/").status_code == 403


def test_monitoring_refuses_post(viewer_client):
    assert viewer_client.post("/monitoring/").status_code == 405


@pytest.mark.embedded
def test_monitoring_shows_kpis_charts_tables_and_ranked_posts(viewer_client):
    MetricSnapshotFactory(impressions=1000, likes=40, comments=5, shares=3, saves=2, clicks=25,
                          publication__url="https://www.linkedin.com/feed/update/urn:li:activity:77")
    page = viewer_client.get("/monitoring/").content.decode()
    assert 'data-kpi="engagement-rate">5.00%<' in page  # 50 / 1000
    assert 'data-kpi="click-through-rate">2.50%<' in page  # 25 / 1000
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"') == 3
    assert page.count("<summary>The numbers</summary>") == 3
    assert 'href="https://www.linkedin.com/feed/update/urn:li:activity:77"' in page
    assert "Import figures from CSV" not in page  # viewers read only


def test_monitoring_shows_a_dash_for_rates_with_zero_impressions(viewer_client):
    MetricSnapshotFactory(impressions=0, clicks=3)
    page = viewer_client.get("/monitoring/").content.decode()
    assert 'data-kpi="engagement-rate">—<' in page
    assert 'data-kpi="click-through-rate">—<' in page


def test_monitoring_without_publications_shows_an_empty_state(viewer_client):
    page = viewer_client.get("/monitoring/").content.decode()
    assert "No published posts to measure" in page
    assert "<svg" not in page


def test_monitoring_htmx_request_gets_only_the_results_region(viewer_client):
    MetricSnapshotFactory()
    response = viewer_client.get("/monitoring/?platform=linkedin&applied=True", **HTMX)
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results"')
    assert "<html" not in body
    assert response["Vary"].count("HX-Request") == 1


def test_monitoring_filters_by_platform(viewer_client):
    MetricSnapshotFactory(impressions=111)
    MetricSnapshotFactory(impressions=222, publication__creative__platform="x")
    page = viewer_client.get("/monitoring/?platform=x&applied=True").content.decode()
    assert '<span class="tile__value">222</span>' in page


def test_monitoring_reports_bad_filters_without_failing(viewer_client):
    response = viewer_client.get("/monitoring/?date_from=2026-11-10&date_to=2026-11-01&applied=1")
    assert response.status_code == 200
    assert "The end date is before the start date." in response.content.decode()


def test_monitoring_leaves_simulated_figures_out_by_default_when_real_ones_exist(viewer_client):
    MetricSnapshotFactory(impressions=100)
    _simulated(impressions=5000)
    page = viewer_client.get("/monitoring/").content.decode()
    assert '<span class="tile__value">100</span>' in page
    assert "left out by default because real figures exist" in page
    assert 'name="simulated" role="switch" id="id_simulated">' in page  # unticked


@pytest.mark.embedded
def test_monitoring_includes_simulated_figures_by_default_when_only_they_exist(viewer_client):
    _simulated(impressions=5000)
    page = viewer_client.get("/monitoring/").content.decode()
    assert '<span class="tile__value">5,000</span>' in page
    assert "Only simulated figures exist" in page
    assert 'role="switch" id="id_simulated" checked>' in page
    assert '<span class="badge badge--simulated">SIMULATED</span>' in page


def test_monitoring_switch_includes_simulated_figures_when_asked(viewer_client):
    MetricSnapshotFactory(impressions=100)
    _simulated(impressions=5000)
    page = viewer_client.get("/monitoring/?applied=True&simulated=on").content.decode()
    assert '<span class="tile__value">5,100</span>' in page
    assert "Simulated figures are included and labelled SIMULATED." in page


def test_monitoring_switch_leaves_simulated_figures_out_when_unticked(viewer_client):
    _simulated(impressions=5000)
    page = viewer_client.get("/monitoring/?applied=True").content.decode()
    assert "Simulated figures are left out." in page
    assert '<span class="tile__value">5,000</span>' not in page


def _snapshots(campaign, publications: int, per_publication: int) -> None:
    now = timezone.now()
    posts = [
        PublicationFactory(creative__campaign=campaign, simulated=index % 5 == 0,
                           published_at=now - timedelta(hours=index * 7))
        for index in range(publications)
    ]
    MetricSnapshot.objects.bulk_create(
        MetricSnapshot(
            publication=post, captured_at=now - timedelta(hours=step), impressions=1000 - step,
            reach=500, likes=step % 40, comments=3, shares=1, saves=1, clicks=step % 30,
            source="simulated" if post.simulated else "manual",
        )
        for post in posts for step in range(per_publication)
    )


def test_monitoring_query_count_is_the_same_for_100_and_10000_snapshots(viewer_client):
    campaign = CampaignFactory()
    _snapshots(campaign, 10, 10)
    viewer_client.get("/monitoring/")  # warm the session and caches
    cache.clear()  # both requests compute every figure (the cached ones are counted below)
    with CaptureQueriesContext(connection) as small:
        assert viewer_client.get("/monitoring/?applied=True&simulated=on").status_code == 200
    _snapshots(campaign, 90, 110)
    assert MetricSnapshot.objects.count() == 10_000
    cache.clear()
    with CaptureQueriesContext(connection) as large:
        response = viewer_client.get("/monitoring/?applied=True&simulated=on")
    assert response.status_code == 200
    assert len(large) == len(small), [query["sql"] for query in large]
    with CaptureQueriesContext(connection) as cached:
        assert viewer_client.get("/monitoring/?applied=True&simulated=on").status_code == 200
    assert len(cached) < len(large)


# --- a publication's figures ----------------------------------------------------------------


def test_publication_page_lists_snapshots_newest_first_with_warnings(viewer_client):
    publication = PublicationFactory()
    MetricSnapshotFactory(publication=publication, impressions=10,
                          captured_at=timezone.now() - timedelta(days=2))
    MetricSnapshotFactory(publication=publication, impressions=20, warnings=["Looks odd."])
    page = viewer_client.get(f"/monitoring/publication/{publication.pk}/").content.decode()
    assert page.index('<td class="num">20</td>') < page.index('<td class="num">10</td>')
    assert "<li>Looks odd.</li>" in page
    assert "Enter figures" not in page  # viewers read only


def test_publication_page_labels_simulated_figures(viewer_client):
    snapshot = _simulated()
    page = viewer_client.get(f"/monitoring/publication/{snapshot.publication_id}/").content
    assert b"SIMULATED" in page


def test_publication_page_is_404_for_an_unknown_publication(viewer_client):
    assert viewer_client.get("/monitoring/publication/999999/").status_code == 404


def test_figures_add_plain_post_saves_and_redirects(operator_client, operator):
    publication = PublicationFactory()
    response = operator_client.post(f"/monitoring/publication/{publication.pk}/figures/", FIGURES)
    assert response.status_code == 302
    assert response["Location"] == f"/monitoring/publication/{publication.pk}/"
    snapshot = MetricSnapshot.objects.get()
    assert (snapshot.impressions, snapshot.source, snapshot.created_by) == (1000, "manual",
                                                                            operator)


def test_figures_add_htmx_post_returns_the_capture_region(operator_client):
    publication = PublicationFactory()
    response = operator_client.post(
        f"/monitoring/publication/{publication.pk}/figures/", FIGURES, **HTMX
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="capture">')
    assert "Figures saved." in body and "<html" not in body
    assert MetricSnapshot.objects.count() == 1


def test_figures_add_refuses_negative_numbers_in_the_page(operator_client):
    publication = PublicationFactory()
    response = operator_client.post(
        f"/monitoring/publication/{publication.pk}/figures/", {**FIGURES, "likes": "-3"}, **HTMX
    )
    assert "Likes cannot be negative." in response.content.decode()
    assert not MetricSnapshot.objects.exists()


def test_figures_add_shows_the_warning_it_saved_with(operator_client):
    publication = PublicationFactory()
    response = operator_client.post(
        f"/monitoring/publication/{publication.pk}/figures/",
        {**FIGURES, "clicks": "5000"}, follow=True,
    )
    page = response.content.decode()
    assert "Figures saved with a warning: Clicks (5,000) are above impressions (1,000)." in page
    assert MetricSnapshot.objects.get().warnings == ["Clicks (5,000) are above impressions (1,000)."]


def test_figures_add_is_forbidden_to_viewers(viewer_client):
    publication = PublicationFactory()
    response = viewer_client.post(f"/monitoring/publication/{publication.pk}/figures/", FIGURES)
    assert response.status_code == 403
    assert not MetricSnapshot.objects.exists()


def test_figures_add_refuses_get(operator_client):
    publication = PublicationFactory()
    assert operator_client.get(f"/monitoring/publication/{publication.pk}/figures/").status_code \
        == 405


@pytest.mark.embedded
def test_figures_add_redirects_anonymous_users_to_login(client):
    publication = PublicationFactory()
    response = client.post(f"/monitoring/publication/{publication.pk}/figures/", FIGURES)
    assert response.status_code == 302
    assert not MetricSnapshot.objects.exists()


def test_monitoring_link_without_the_switch_keeps_its_filters(viewer_client):
    MetricSnapshotFactory(impressions=222, publication__creative__platform="x")
    page = viewer_client.get("/monitoring/?platform=x").content.decode()
    assert '<option value="x" selected>X</option>' in page
    assert '<span class="tile__value">222</span>' in page


# --- imports and admin ----------------------------------------------------------------------


def test_import_page_shows_the_form_to_operators(operator_client):
    page = operator_client.get("/monitoring/import/").content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert "url,impressions,reach" in page


def test_import_page_refuses_put(operator_client):
    assert operator_client.put("/monitoring/import/").status_code == 405


@pytest.mark.embedded
def test_import_page_redirects_anonymous_users_to_login(client):
    assert client.get("/monitoring/import/").status_code == 302


def test_import_report_is_forbidden_without_a_role(outsider_client, operator):
    from campaigns.models import MetricImport

    result = MetricImport.objects.create(filename="f.csv", created_by=operator)
    assert outsider_client.get(f"/monitoring/import/{result.pk}/").status_code == 403
    assert outsider_client.get(f"/monitoring/import/{result.pk}/errors.csv").status_code == 403


def test_admin_lists_snapshots_and_imports(admin_client):
    from campaigns.models import MetricImport

    MetricSnapshotFactory(warnings=["Odd."])
    MetricImport.objects.create(filename="f.csv")
    assert admin_client.get("/admin/campaigns/metricsnapshot/").status_code == 200
    assert admin_client.get("/admin/campaigns/metricimport/").status_code == 200


@pytest.mark.embedded
def test_monitoring_flags_posts_whose_current_figures_carry_a_warning(viewer_client):
    MetricSnapshotFactory(warnings=["Clicks (9) are above impressions (5)."])
    MetricSnapshotFactory()
    page = viewer_client.get("/monitoring/").content.decode()
    assert "The current figures of 1 post carry a warning" in page
    assert page.count("⚠ warning</span>") == 1


@pytest.mark.embedded
def test_monitoring_posts_table_escapes_captions_and_names(viewer_client):
    MetricSnapshotFactory(publication__creative__caption="<script>alert(1)</script> & more",
                          publication__creative__campaign__name="Q4 <b>push</b>")
    page = viewer_client.get("/monitoring/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in page
    assert "Q4 &lt;b&gt;push&lt;/b&gt;" in page


def test_monitoring_posts_table_pages_through_every_post(viewer_client):
    snapshots = [MetricSnapshotFactory(impressions=1000 + n,
                                       publication__published_at=timezone.now() - timedelta(n))
                 for n in range(23)]
    first = viewer_client.get("/monitoring/").content.decode().split("<h2>Posts (")[1]
    second = viewer_client.get("/monitoring/?page=2").content.decode().split("<h2>Posts (")[1]
    assert first.startswith("23)</h2>") and "Page 1 of 2" in first
    assert "Page 2 of 2" in second
    oldest = snapshots[-1].publication
    assert f'href="/monitoring/publication/{oldest.pk}/"' in second
    assert f'href="/monitoring/publication/{oldest.pk}/"' not in first
    assert second.count('<td class="num">1,0') == 3  # impressions of the 3 oldest posts


def test_monitoring_pager_links_keep_the_filters_for_the_link_and_htmx(viewer_client):
    for n in range(23):
        MetricSnapshotFactory(publication__platform="linkedin",
                              publication__published_at=timezone.now() - timedelta(n))
    first = viewer_client.get("/monitoring/?platform=linkedin").content.decode()
    second = viewer_client.get("/monitoring/?platform=linkedin&page=2").content.decode()
    assert ('<a href="?platform=linkedin&amp;page=2" hx-get="?platform=linkedin&amp;page=2" '
            'hx-target="#results"') in first
    assert "← Newer" not in first
    assert ('<a href="?platform=linkedin&amp;page=1" hx-get="?platform=linkedin&amp;page=1" '
            'hx-target="#results"') in second
    assert "Older →" not in second


@pytest.mark.embedded
def test_monitoring_posts_table_row_shows_latest_figures_and_the_posts_funnel(viewer_client):
    from leads.models import Lead

    earlier = timezone.now() - timedelta(days=2)
    snapshot = MetricSnapshotFactory(
        captured_at=earlier, impressions=500, clicks=10,
        publication__creative__caption="A caption long enough to be cut short at seventy "
                                       "characters, as truncatechars cuts it.",
    )
    publication = snapshot.publication
    latest = MetricSnapshotFactory(publication=publication, impressions=2000, clicks=40,
                                   captured_at=earlier + timedelta(days=1))
    # A simulated snapshot is newer, but real figures exist, so it is left out.
    MetricSnapshotFactory(publication=publication, impressions=9999, source="simulated")
    for status in ("NEW", "QUALIFIED", "WON", "ROUTED"):
        Lead.objects.create(email=f"{status}@example.com", name=status, status=status,
                            creative=publication.creative)
    unmeasured = PublicationFactory(published_at=earlier)
    page = viewer_client.get("/monitoring/").content.decode()
    row = page[page.index(f"<tr><td>{publication.creative.campaign.brand.name}"):]
    row = row[:row.index("</tr>") + 5]
    moment = timezone.localtime(latest.captured_at).strftime("%-d %b %Y %H:%M")
    assert row == (
        f"<tr><td>{publication.creative.campaign.brand.name} · "
        f"{publication.creative.campaign.name}<br><small>A caption long enough to be cut short "
        "at seventy characters, as trunc…</small></td>"
        f"<td>{publication.get_platform_display()}</td>"
        f"<td>{timezone.localtime(publication.published_at).strftime('%-d %b %Y %H:%M')}</td>"
        '<td class="num">2,000</td><td class="num">2.50%</td>'
        '<td class="num">40<br><small>2.00%</small></td>'
        '<td class="num">4<br><small>10.00%</small></td>'
        '<td class="num">3<br><small>75.00%</small></td>'
        '<td class="num">1<br><small>33.33%</small></td>'
        f"<td>{moment}</td>"
        f'<td><a href="/monitoring/publication/{publication.pk}/">Details</a> · '
        f'<a href="{publication.url}" rel="noopener noreferrer" target="_blank">Open post</a>'
        "</td></tr>"
    )
    assert f'href="/monitoring/publication/{unmeasured.pk}/"' in page
    assert "<td>no figures yet</td>" in page
