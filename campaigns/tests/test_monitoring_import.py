"""The CSV import of figures: every valid row in, every refused row reported with its reason."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from campaigns import metrics
from campaigns.models import MetricImport, MetricSnapshot
from campaigns.tests.factories import MetricSnapshotFactory, PublicationFactory

pytestmark = pytest.mark.django_db

POST = "https://www.linkedin.com/feed/update/urn:li:activity:990001"  # outside the factory sequence
HEADER = "url,impressions,reach,likes,comments,shares,saves,clicks,video_views\n"


@pytest.fixture
def post():
    return PublicationFactory(url=POST)


def run(text: str | bytes, operator=None) -> MetricImport:
    data = text.encode() if isinstance(text, str) else text
    return metrics.metrics_import_csv(data=data, filename="figures.csv", user=operator)


def test_import_creates_a_csv_snapshot_per_valid_row(post, operator):
    result = run(HEADER + f"{POST},1200,900,40,5,3,2,25,0\n", operator)
    snapshot = MetricSnapshot.objects.get()
    assert (result.rows_total, result.imported, result.errors) == (1, 1, [])
    assert (snapshot.publication, snapshot.impressions, snapshot.clicks) == (post, 1200, 25)
    assert (snapshot.source, snapshot.metric_import, snapshot.created_by) == (
        "csv", result, operator
    )


@pytest.mark.embedded
def test_import_refuses_negative_numbers_and_keeps_the_valid_rows(post):
    other = PublicationFactory()
    result = run(HEADER + f"{POST},-5,0,0,0,0,0,0,0\n{other.url},100,80,1,0,0,0,1,0\n")
    assert result.errors == [{"row": 2, "url": POST, "reason": "impressions cannot be negative (-5)."}]
    assert list(MetricSnapshot.objects.values_list("publication", flat=True)) == [other.pk]


def test_import_refuses_non_numeric_values(post):
    result = run(HEADER + f"{POST},lots,0,0,0,0,0,0,0\n{POST},12.5,0,0,0,0,0,0,0\n")
    assert [error["reason"] for error in result.errors] == [
        "impressions is not a whole number ('lots').",
        "impressions is not a whole number ('12.5').",
    ]
    assert not MetricSnapshot.objects.exists()


def test_import_refuses_unknown_post_urls(post):
    result = run(HEADER + "https://x.com/nobody/status/1,10,0,0,0,0,0,0,0\n")
    assert result.errors[0]["row"] == 2
    assert "No post has this URL" in result.errors[0]["reason"]


def test_import_matches_urls_with_or_without_trailing_slash(post):
    result = run(HEADER + f"{POST}/,10,0,0,0,0,0,0,0\n")
    assert result.imported == 1


def test_import_refuses_a_file_without_the_url_column():
    with pytest.raises(metrics.ImportRefused, match="no 'url' column"):
        run("post,impressions\nhttps://a.example/1,4\n")
    assert not MetricImport.objects.exists()


def test_import_refuses_a_file_without_the_impressions_column(post):
    with pytest.raises(metrics.ImportRefused, match="no 'impressions' column"):
        run(f"url,likes\n{POST},4\n")


def test_import_refuses_an_empty_file():
    with pytest.raises(metrics.ImportRefused, match="The file is empty"):
        run(b"")


def test_import_refuses_a_header_without_rows():
    with pytest.raises(metrics.ImportRefused, match="no rows of figures"):
        run(HEADER)


def test_import_refuses_a_file_that_is_not_csv():
    xlsx = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00binary spreadsheet"
    with pytest.raises(metrics.ImportRefused, match="not a CSV file"):
        run(xlsx)


def test_import_accepts_implausible_figures_with_a_warning(post):
    MetricSnapshotFactory(publication=post, impressions=5000)
    result = run(HEADER + f"{POST},4000,100,1,0,0,0,4500,0\n")
    snapshot = MetricSnapshot.objects.get(metric_import=result)
    assert result.imported == 1
    assert "Clicks (4,500) are above impressions (4,000)." in snapshot.warnings
    assert any("Impressions fell from 5,000" in warning for warning in snapshot.warnings)


def test_import_reads_optional_columns_blank_cells_and_capture_dates(post):
    result = run(f"Post URL,Impressions,Likes,Captured at\n{POST},\"1,500\",,2026-11-01\n")
    snapshot = MetricSnapshot.objects.get()
    assert result.imported == 1
    assert (snapshot.impressions, snapshot.likes, snapshot.captured_at.date().isoformat()) == (
        1500, 0, "2026-11-01"
    )


def test_import_refuses_a_malformed_capture_date(post):
    result = run(f"url,impressions,captured_at\n{POST},5,yesterday\n")
    assert "captured_at is not a date" in result.errors[0]["reason"]


def test_import_errors_csv_lists_row_url_and_reason(post):
    result = run(HEADER + f"{POST},-1,0,0,0,0,0,0,0\n=cmd(),1,0,0,0,0,0,0,0\n")
    lines = metrics.import_errors_csv(result).splitlines()
    assert lines[0] == "row,url,reason"
    assert lines[1].startswith(f"2,{POST},impressions cannot be negative")
    assert lines[2].startswith("3,'=cmd(),")  # a formula is defused for spreadsheets


def test_import_view_redirects_to_the_report_with_refused_rows(operator_client, post):
    upload = SimpleUploadedFile(
        "figures.csv", (HEADER + f"{POST},10,0,0,0,0,0,0,0\n{POST},abc,0,0,0,0,0,0,0\n").encode(),
        content_type="text/csv",
    )
    response = operator_client.post("/monitoring/import/", {"file": upload}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain[0][0] == MetricImport.objects.get().get_absolute_url()
    assert "impressions is not a whole number (&#x27;abc&#x27;)." in page
    assert "Download the refused rows as CSV" in page


def test_import_view_shows_why_a_file_was_refused(operator_client):
    upload = SimpleUploadedFile("figures.csv", b"", content_type="text/csv")
    response = operator_client.post("/monitoring/import/", {"file": upload})
    assert response.status_code == 200
    assert "The submitted file is empty." in response.content.decode()


def test_import_view_reports_a_missing_column_in_the_page(operator_client):
    upload = SimpleUploadedFile("figures.csv", b"name,likes\nA,1\n", content_type="text/csv")
    response = operator_client.post("/monitoring/import/", {"file": upload})
    assert "The file has no &#x27;url&#x27; or &#x27;impressions&#x27; column" in (
        response.content.decode()
    )
    assert not MetricImport.objects.exists()


def test_import_view_is_forbidden_to_viewers(viewer_client):
    assert viewer_client.get("/monitoring/import/").status_code == 403


def test_import_errors_download_is_a_csv_attachment(viewer_client, post):
    result = run(HEADER + f"{POST},-1,0,0,0,0,0,0,0\n")
    response = viewer_client.get(f"/monitoring/import/{result.pk}/errors.csv")
    assert response["Content-Type"] == "text/csv"
    assert "attachment" in response["Content-Disposition"]
    assert b"impressions cannot be negative" in response.content


def test_import_keeps_previous_figures_for_columns_the_file_lacks(post):
    MetricSnapshotFactory(publication=post, impressions=100, saves=7, reach=80)
    result = run(f"url,impressions\n{POST},150\n")
    snapshot = MetricSnapshot.objects.get(metric_import=result)
    assert (snapshot.impressions, snapshot.saves, snapshot.reach) == (150, 7, 80)
    assert snapshot.warnings == []
