"""Exports: columns, rows, streaming, formula neutralising, permissions and the command."""

from __future__ import annotations

import csv
import io
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from campaigns.tests.factories import MetricSnapshotFactory, PublicationFactory
from delivery import exports
from leads.models import Lead

pytestmark = pytest.mark.django_db


def _leads(count: int, **fields) -> None:
    Lead.objects.bulk_create(
        [Lead(email=f"p{i}@x.example", name=f"Person {i}", **fields) for i in range(count)]
    )


def _csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_leads_csv_has_header_and_every_row(operator_client):
    _leads(7)
    response = operator_client.get("/delivery/export/leads.csv")
    assert isinstance(response, StreamingHttpResponse)
    rows = _csv_rows(response)
    assert rows[0] == exports.EXPORTS["leads"].headers
    assert len(rows) == 8


def test_export_file_name_carries_object_and_date(operator_client):
    response = operator_client.get("/delivery/export/creatives.json")
    assert response["Content-Disposition"].startswith('attachment; filename="aicmo-creatives-20')


def test_leads_export_carries_the_list_filters(operator_client):
    _leads(3, status="NEW")
    Lead.objects.create(email="q@x.example", status="QUALIFIED", score=90)
    rows = _csv_rows(operator_client.get("/delivery/export/leads.csv?status=qualified"))
    assert [row[2] for row in rows[1:]] == ["q@x.example"]


@pytest.mark.parametrize("kind", sorted(exports.EXPORTS))
def test_every_export_kind_streams_json_with_its_columns(operator_client, kind):
    MetricSnapshotFactory()
    response = operator_client.get(f"/delivery/export/{kind}.json")
    assert response.status_code == 200
    records = json.loads(b"".join(response.streaming_content))
    assert all(list(record) == exports.EXPORTS[kind].headers for record in records)
    if kind != "leads":
        assert len(records) == 1


def test_csv_neutralises_formula_cells(operator_client):
    Lead.objects.create(email="f@x.example", name="=HYPERLINK(\"http://evil\")", company="+1", notes="@cmd")
    row = _csv_rows(operator_client.get("/delivery/export/leads.csv"))[1]
    assert row[1] == "'=HYPERLINK(\"http://evil\")"
    assert row[4] == "'+1"
    assert row[15] == "'@cmd"


def test_xlsx_neutralises_formula_cells_and_keeps_numbers(operator_client):
    Lead.objects.create(email="f@x.example", name="-2+3", score=-15)
    response = operator_client.get("/delivery/export/leads.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [cell.value for cell in sheet[2]]
    assert values[1] == "'-2+3"
    assert values[11] == -15


def test_publications_export_marks_simulated_rows(operator_client):
    PublicationFactory(simulated=True, mode="proof")
    rows = _csv_rows(operator_client.get("/delivery/export/publications.csv"))
    assert rows[1][rows[0].index("simulated")] == "yes"


def test_export_queries_nothing_until_the_body_is_read(operator_client):
    _leads(5)
    response = operator_client.get("/delivery/export/leads.csv")
    with CaptureQueriesContext(connection) as queries:
        chunks = iter(response.streaming_content)
        next(chunks)  # the BOM
        next(chunks)  # the header row
        assert not [q for q in queries if "leads_lead" in q["sql"]]
        rest = b"".join(chunks)
    assert rest.count(b"\n") == 5


@pytest.mark.skipif(connection.vendor != "postgresql", reason="server-side cursors are PostgreSQL's")
def test_python_csv_path_reads_rows_through_a_server_side_cursor():
    _leads(exports.CHUNK_SIZE + 10)
    chunks = exports.python_csv_chunks(exports.EXPORTS["leads"], {})
    next(chunks), next(chunks), next(chunks)  # BOM, header, first rows
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_cursors WHERE name LIKE '_django_curs_%%'")
        open_cursors = cursor.fetchone()[0]
    assert open_cursors == 1
    assert sum(chunk.count("\n") for chunk in chunks) > 0


def test_export_is_forbidden_without_read_permission(outsider_client):
    assert outsider_client.get("/delivery/export/leads.csv").status_code == 403


def test_export_unknown_kind_or_format_is_404(operator_client):
    assert operator_client.get("/delivery/export/passwords.csv").status_code == 404
    assert operator_client.get("/delivery/export/leads.exe").status_code == 404


def test_export_requires_login(client):
    assert client.get("/delivery/export/leads.csv").status_code == 302


def test_export_command_writes_filtered_csv(tmp_path):
    _leads(2, status="NEW")
    Lead.objects.create(email="w@x.example", status="WON")
    target = tmp_path / "won.csv"
    call_command("export", "leads", "--filter", "status=WON", "--output", str(target))
    rows = list(csv.reader(target.read_text(encoding="utf-8-sig").splitlines()))
    assert [row[2] for row in rows[1:]] == ["w@x.example"]


def test_export_command_prints_json_to_stdout(capsys):
    _leads(2)
    call_command("export", "leads", "--format", "json", stdout=StringIO())
    assert len(json.loads(capsys.readouterr().out)) == 2


def test_export_command_refuses_unknown_filter():
    with pytest.raises(CommandError, match="Unknown filter"):
        call_command("export", "leads", "--filter", "password=x")


def _tricky_leads() -> None:
    from campaigns.tests.factories import CampaignFactory

    campaign = CampaignFactory(name="=Spring, \"launch\"")
    Lead.objects.create(email="a@x.example", name="=HYPERLINK(1)", company="Acme, Inc.",
                        notes="line one\nline two", company_size=12, consent=True, score=5,
                        campaign=campaign, title="-minus", phone="+44 1")
    Lead.objects.create(email="b@x.example", name="", company="Quote \"q\"", notes="@at",
                        score=-3, website="https://b.example")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_copy_csv_matches_python_csv_cell_for_cell():
    _tricky_leads()
    kind = exports.EXPORTS["leads"]
    by_copy = list(csv.reader(io.StringIO("".join(exports.csv_chunks(kind, {})))))
    by_python = list(csv.reader(io.StringIO("".join(exports.python_csv_chunks(kind, {})))))
    assert by_copy == by_python
    assert by_copy[1][1] == "'=HYPERLINK(1)"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_copy_csv_writes_datetimes_in_the_current_time_zone_like_python():
    from django.utils import timezone

    _tricky_leads()
    kind = exports.EXPORTS["leads"]
    with timezone.override("America/St_Johns"):
        by_copy = list(csv.reader(io.StringIO("".join(exports.csv_chunks(kind, {})))))
        by_python = list(csv.reader(io.StringIO("".join(exports.python_csv_chunks(kind, {})))))
    created = by_copy[0].index("created_at")
    assert by_copy[1][created] == by_python[1][created]
    assert by_copy[1][created].endswith(("-03:30", "-02:30"))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_copy_csv_abandoned_midway_leaves_the_connection_usable():
    _leads(30_000)
    chunks = exports.csv_chunks(exports.EXPORTS["leads"], {})
    next(chunks), next(chunks), next(chunks)  # BOM, header, the first rows
    chunks.close()
    assert Lead.objects.count() == 30_000


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_copy_csv_falls_back_to_python_for_list_columns():
    assert exports.copy_select(exports.EXPORTS["creatives"], {}) is None
    assert exports.copy_select(exports.EXPORTS["leads"], {}) is not None
