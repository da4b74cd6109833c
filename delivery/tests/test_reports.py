"""The campaign report (page and PDF), the delivery bundle, the delivery log and who may do what.

WeasyPrint takes about a second per PDF, so only a handful of tests render one.
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from campaigns.models import CreativeStatus, CreativeVersion, Review
from campaigns.tests.factories import (
    CampaignFactory,
    CreativeFactory,
    MetricSnapshotFactory,
    PublicationFactory,
)
from delivery import reports
from delivery.models import DeliveryKind, DeliveryRecord
from delivery.services import delivery_record_create
from jobs.models import Job

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99"
    b"=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _campaign(*, simulated: bool = False, impressions: int = 12345):
    campaign = CampaignFactory(name="Spring roast", brand__name="Northwind Coffee",
                               brand__color="#7a3e00")
    creative = CreativeFactory(campaign=campaign, status=CreativeStatus.APPROVED,
                               caption="Our spring roast is here.")
    publication = PublicationFactory(
        creative=creative, simulated=simulated, mode="proof" if simulated else "manual",
        url="https://www.linkedin.com/feed/update/urn:li:activity:42",
    )
    MetricSnapshotFactory(publication=publication, impressions=impressions, likes=500,
                          comments=100, shares=20, saves=3, clicks=250,
                          source="simulated" if simulated else "manual")
    return campaign


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


# --- the page ---------------------------------------------------------------------------


def test_report_page_shows_brand_period_kpis_and_posts(viewer_client):
    campaign = _campaign()
    page = viewer_client.get(f"/delivery/campaign/{campaign.pk}/report/").content.decode()
    assert "Northwind Coffee" in page and "Spring roast" in page
    assert campaign.start_date.strftime("%-d %b %Y") in page
    assert ">12,345<" in page  # impressions tile
    assert "5.05%" in page  # (500 + 100 + 20 + 3) / 12,345
    assert "Our spring roast is here." in page
    assert "https://www.linkedin.com/feed/update/urn:li:activity:42" in page
    assert "--brand: #7a3e00" in page


@pytest.mark.embedded
def test_report_page_watermarks_simulated_figures(viewer_client):
    campaign = _campaign(simulated=True)
    page = viewer_client.get(f"/delivery/campaign/{campaign.pk}/report/").content.decode()
    assert 'class="report-watermark"' in page
    assert 'class="badge badge--simulated"' in page


def test_report_page_has_no_watermark_for_real_figures(viewer_client):
    campaign = _campaign()
    page = viewer_client.get(f"/delivery/campaign/{campaign.pk}/report/").content.decode()
    assert "SIMULATED" not in page


def test_report_page_shows_the_brand_logo(viewer_client):
    campaign = _campaign()
    campaign.brand.logo.save("logo.png", ContentFile(PNG))
    page = viewer_client.get(f"/delivery/campaign/{campaign.pk}/report/").content.decode()
    assert f'src="{campaign.brand.logo.url}"' in page


def test_report_page_without_posts_says_so(viewer_client):
    campaign = CampaignFactory()
    page = viewer_client.get(f"/delivery/campaign/{campaign.pk}/report/").content.decode()
    assert "No post of this campaign has been published yet." in page


def test_report_page_query_count_does_not_grow_with_posts(viewer_client):
    campaign = _campaign()

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert viewer_client.get(f"/delivery/campaign/{campaign.pk}/report/").status_code == 200
        return len(queries)

    small = count()
    for _ in range(4):
        MetricSnapshotFactory(publication__creative__campaign=campaign)
    assert count() == small


def test_report_page_of_unknown_campaign_is_404(viewer_client):
    assert viewer_client.get("/delivery/campaign/999999/report/").status_code == 404


# --- the approval summary ---------------------------------------------------------------


@pytest.mark.embedded
def test_approval_summary_counts_first_time_approvals_revisions_and_wait(approver):
    campaign = CampaignFactory()
    submitted = timezone.now() - timedelta(hours=10)
    smooth = CreativeFactory(campaign=campaign, status=CreativeStatus.APPROVED)
    bumpy = CreativeFactory(campaign=campaign, status=CreativeStatus.APPROVED, version=2)
    CreativeFactory(campaign=campaign)  # still awaiting review
    for creative, version in ((smooth, 1), (bumpy, 1), (bumpy, 2)):
        CreativeVersion.objects.create(creative=creative, version=version,
                                       caption=creative.caption, scheduled_at=submitted)
    CreativeVersion.objects.filter(creative__campaign=campaign).update(created_at=submitted)
    Review.objects.create(creative=smooth, version=1, decision="approved", reviewer=approver,
                          reviewed_at=submitted + timedelta(hours=2))
    Review.objects.create(creative=bumpy, version=1, decision="rejected", reason="Too long",
                          reviewer=approver, reviewed_at=submitted + timedelta(hours=1))
    Review.objects.create(creative=bumpy, version=2, decision="approved", reviewer=approver,
                          reviewed_at=submitted + timedelta(hours=6), source="client")
    summary = reports.approval_summary(campaign)
    assert (summary["posts"], summary["approved"], summary["approved_first_time"]) == (3, 2, 1)
    assert summary["revisions"] == 1
    assert summary["average_wait"] == timedelta(hours=4)
    assert summary["average_wait_display"] == "4 h 0 min"


# --- the PDF ------------------------------------------------------------------------------


def test_report_pdf_is_a_pdf_with_name_kpis_and_simulated_watermark():
    campaign = _campaign(simulated=True)
    data = reports.report_pdf(campaign)
    assert data.startswith(b"%PDF-")
    text = _pdf_text(data)
    assert "Spring roast" in text and "Northwind Coffee".upper() in text
    assert "12,345" in text and "5.05%" in text and "2.03%" in text
    reader = PdfReader(io.BytesIO(data))
    assert all("SIMULATED" in page.extract_text() for page in reader.pages)


def test_report_pdf_has_no_watermark_for_real_figures_and_embeds_the_logo():
    campaign = _campaign()
    campaign.brand.logo.save("logo.png", ContentFile(PNG))
    data = reports.report_pdf(campaign)
    text = _pdf_text(data)
    assert "12,345" in text
    assert "SIMULATED" not in text
    assert len(PdfReader(io.BytesIO(data)).pages[0].images) == 1


# --- making files, the log and downloads -------------------------------------------------


@pytest.mark.embedded
def test_make_pdf_report_records_it_and_the_download_matches_its_sha256(operator, operator_client):
    campaign = _campaign()
    response = operator_client.post(f"/delivery/campaign/{campaign.pk}/make/report_pdf/")
    record = DeliveryRecord.objects.get()
    assert (record.kind, record.campaign, record.created_by) == ("report_pdf", campaign, operator)
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"].startswith(f"/delivery/campaign/{campaign.pk}/report/?job=")
    downloaded = b"".join(operator_client.get(f"/delivery/files/{record.pk}/").streaming_content)
    assert downloaded.startswith(b"%PDF-")
    assert hashlib.sha256(downloaded).hexdigest() == record.sha256
    assert len(downloaded) == record.size
    page = operator_client.get(response["Location"]).content.decode()
    assert f'id="job-{job.task_result_id}"' in page and "<strong>done</strong>" in page
    assert record.filename in page


def test_make_bundle_zips_report_creatives_and_campaign_csvs(operator_client):
    campaign = _campaign()
    creative = campaign.creatives.get()
    creative.image.save("roast.png", ContentFile(PNG))
    CreativeFactory(campaign=campaign, status=CreativeStatus.REJECTED, caption="Not this one")
    CreativeFactory(caption="Another campaign's post", status=CreativeStatus.APPROVED)
    response = operator_client.post(
        f"/delivery/campaign/{campaign.pk}/make/bundle/", {"next": "/delivery/"}
    )
    assert response["Location"].startswith("/delivery/?job=")
    record = DeliveryRecord.objects.get(kind=DeliveryKind.BUNDLE)
    data = b"".join(operator_client.get(f"/delivery/files/{record.pk}/").streaming_content)
    assert hashlib.sha256(data).hexdigest() == record.sha256
    archive = zipfile.ZipFile(io.BytesIO(data))
    day = timezone.localtime(creative.scheduled_at).date().isoformat()
    stem = f"creatives/{day}-linkedin-{creative.pk}"
    assert archive.namelist() == [
        f"report/{reports.report_filename(campaign, 'pdf')}",
        f"{stem}.txt", f"{stem}.png",
        "data/campaigns.csv", "data/creatives.csv", "data/publications.csv",
        "data/metrics.csv", "data/leads.csv",
    ]
    assert archive.read(f"{stem}.txt").decode().startswith("Our spring roast is here.")
    assert archive.read(f"{stem}.png") == PNG
    assert archive.read(archive.namelist()[0]).startswith(b"%PDF-")
    creatives = list(csv.DictReader(io.StringIO(archive.read("data/creatives.csv").decode("utf-8-sig"))))
    assert sorted(row["caption"] for row in creatives) == ["Not this one", "Our spring roast is here."]
    metrics = list(csv.DictReader(io.StringIO(archive.read("data/metrics.csv").decode("utf-8-sig"))))
    assert [row["impressions"] for row in metrics] == ["12345"]


def test_make_with_htmx_returns_the_panel_with_the_job_status(operator_client, settings):
    settings.TASKS = {"default": {"BACKEND": "jobs.backends.DatabaseBackend"}}
    campaign = _campaign()
    response = operator_client.post(
        f"/delivery/campaign/{campaign.pk}/make/bundle/", headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<section id="make-{campaign.pk}"')
    assert "<strong>queued</strong>" in body
    assert "Delivery bundle for Spring roast" in body
    assert not DeliveryRecord.objects.exists()  # a worker makes it, not the request


def test_index_lists_records_with_download_links(viewer_client, operator):
    campaign = CampaignFactory(name="Logged campaign")
    record = delivery_record_create(
        kind=DeliveryKind.REPORT_PDF, campaign=campaign, filename="aicmo-report-x.pdf",
        source=io.BytesIO(b"%PDF-1.7 test"), user=operator,
    )
    page = viewer_client.get("/delivery/").content.decode()
    assert f'href="/delivery/files/{record.pk}/"' in page
    assert f'href="/delivery/campaign/{campaign.pk}/report/"' in page
    assert "Make PDF report" not in page  # viewers read, they do not make


def test_index_offers_operators_the_make_buttons(operator_client):
    campaign = CampaignFactory()
    page = operator_client.get("/delivery/").content.decode()
    assert f'action="/delivery/campaign/{campaign.pk}/make/report_pdf/"' in page
    assert f'action="/delivery/campaign/{campaign.pk}/make/bundle/"' in page


def test_record_sha256_is_of_the_stored_bytes(operator):
    record = delivery_record_create(
        kind=DeliveryKind.EXPORT, campaign=None, filename="x.csv",
        source=io.BytesIO(b"a,b\n1,2\n"), user=operator,
    )
    assert record.sha256 == hashlib.sha256(b"a,b\n1,2\n").hexdigest()
    assert record.size == 8
    with record.file.open("rb") as handle:
        assert handle.read() == b"a,b\n1,2\n"


def test_download_of_a_file_gone_from_storage_is_404(viewer_client, operator):
    record = delivery_record_create(
        kind=DeliveryKind.BUNDLE, campaign=None, filename="gone.zip",
        source=io.BytesIO(b"PK"), user=operator,
    )
    record.file.storage.delete(record.file.name)
    assert viewer_client.get(f"/delivery/files/{record.pk}/").status_code == 404


# --- permissions and methods ------------------------------------------------------------


def test_report_requires_login(client):
    campaign = CampaignFactory()
    response = client.get(f"/delivery/campaign/{campaign.pk}/report/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_report_is_forbidden_to_outsiders(outsider_client):
    campaign = CampaignFactory()
    assert outsider_client.get(f"/delivery/campaign/{campaign.pk}/report/").status_code == 403


def test_download_is_forbidden_to_outsiders(outsider_client, operator):
    record = delivery_record_create(
        kind=DeliveryKind.BUNDLE, campaign=None, filename="b.zip", source=io.BytesIO(b"PK"),
        user=operator,
    )
    assert outsider_client.get(f"/delivery/files/{record.pk}/").status_code == 403


def test_viewer_may_download_existing_files(viewer_client, operator):
    record = delivery_record_create(
        kind=DeliveryKind.BUNDLE, campaign=None, filename="b.zip", source=io.BytesIO(b"PK"),
        user=operator,
    )
    response = viewer_client.get(f"/delivery/files/{record.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="b.zip"'


def test_viewer_may_not_make_files(viewer_client):
    campaign = CampaignFactory()
    assert viewer_client.post(f"/delivery/campaign/{campaign.pk}/make/report_pdf/").status_code == 403
    assert not Job.objects.exists()


def test_outsider_may_not_make_files(outsider_client):
    campaign = CampaignFactory()
    assert outsider_client.post(f"/delivery/campaign/{campaign.pk}/make/bundle/").status_code == 403


def test_viewer_report_page_has_no_make_buttons(viewer_client):
    campaign = CampaignFactory()
    page = viewer_client.get(f"/delivery/campaign/{campaign.pk}/report/").content.decode()
    assert "Make PDF report" not in page


def test_make_refuses_get(operator_client):
    campaign = CampaignFactory()
    assert operator_client.get(f"/delivery/campaign/{campaign.pk}/make/bundle/").status_code == 405


def test_make_unknown_kind_is_404(operator_client):
    campaign = CampaignFactory()
    assert operator_client.post(f"/delivery/campaign/{campaign.pk}/make/spreadsheet/").status_code == 404
    assert not Job.objects.exists()


def test_make_ignores_a_foreign_next_url(operator_client, settings):
    settings.TASKS = {"default": {"BACKEND": "jobs.backends.DatabaseBackend"}}
    campaign = CampaignFactory()
    response = operator_client.post(
        f"/delivery/campaign/{campaign.pk}/make/bundle/", {"next": "https://evil.example/"}
    )
    assert response["Location"].startswith(f"/delivery/campaign/{campaign.pk}/report/?job=")


def test_download_requires_login(client, operator):
    record = delivery_record_create(
        kind=DeliveryKind.BUNDLE, campaign=None, filename="b.zip", source=io.BytesIO(b"PK"),
        user=operator,
    )
    response = client.get(f"/delivery/files/{record.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_index_query_count_does_not_grow_with_records_and_campaigns(operator_client, operator):
    def add(count: int) -> None:
        for _ in range(count):
            campaign = CampaignFactory()
            delivery_record_create(
                kind=DeliveryKind.REPORT_PDF, campaign=campaign, filename="r.pdf",
                source=io.BytesIO(b"%PDF"), user=operator,
            )

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert operator_client.get("/delivery/").status_code == 200
        return len(captured)

    add(1)
    small = queries()
    add(4)
    assert queries() == small


def test_making_for_a_deleted_campaign_fails_once_with_a_reason(operator):
    from delivery.tasks import make_delivery
    from jobs.services import job_enqueue

    job = job_enqueue(task=make_delivery, kwargs={"kind": "bundle", "campaign_id": 999999},
                      started_by=operator)
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("failed", 1)
    assert "Campaign 999999 no longer exists." in job.error
    assert not DeliveryRecord.objects.exists()
