"""CSV imports, built in the tests: every row is created, updated, merged or rejected."""

from __future__ import annotations

import time
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from leads import importing, services
from leads.importing import ImportFileError
from leads.models import ImportJob, ImportStatus, Lead, LeadActivity
from leads.statuses import LeadStatus
from leads.tests.factories import LeadFactory, ScoringRuleFactory

pytestmark = pytest.mark.django_db


def _run(raw: bytes, name: str = "leads.csv", mapping: dict | None = None) -> ImportJob:
    job = services.import_job_create(upload=SimpleUploadedFile(name, raw), actor=None)
    return services.import_job_start(job=job, mapping=mapping or job.mapping)


def _counts(job: ImportJob) -> tuple[int, int, int, int, int]:
    assert job.status == ImportStatus.DONE, job.error
    total = job.created_count + job.updated_count + job.merged_count + job.rejected_count
    assert total == job.total_rows, "every row is accounted for once"
    return (job.total_rows, job.created_count, job.updated_count, job.merged_count,
            job.rejected_count)


def test_import_reads_utf8_with_bom():
    raw = "\ufeffEmail,Name,Company\nzoe@ex.com,Zoë Brontë,Café Ltd\nal@ex.com,Al,\n".encode()
    job = _run(raw)
    assert job.encoding == "utf-8"
    assert job.mapping == {"0": "email", "1": "name", "2": "company"}
    assert _counts(job) == (2, 2, 0, 0, 0)
    assert Lead.objects.get(email="zoe@ex.com").company == "Café Ltd"


def test_import_reads_utf8_without_bom():
    job = _run("E-mail,Full Name\nano@ex.com,Anaïs\n".encode())
    assert _counts(job) == (1, 1, 0, 0, 0)
    assert Lead.objects.get().name == "Anaïs"


def test_import_falls_back_to_cp1252():
    raw = "Email Address;Company Name\nfr@ex.com;Société Générale – Paris\n".encode("cp1252")
    job = _run(raw)
    assert job.encoding == "cp1252"
    assert _counts(job) == (1, 1, 0, 0, 0)
    assert Lead.objects.get().company == "Société Générale – Paris"


def test_import_sniffs_semicolons():
    job = _run(b"email;name;company\na@ex.com;Ann;Acme, Inc\nb@ex.com;Bob;Beta\n")
    assert job.delimiter == ";"
    assert _counts(job) == (2, 2, 0, 0, 0)
    assert Lead.objects.get(email="a@ex.com").company == "Acme, Inc"


def test_import_sniffs_tabs():
    job = _run(b"email\tname\na@ex.com\tAnn\n")
    assert job.delimiter == "\t"
    assert _counts(job) == (1, 1, 0, 0, 0)


def test_import_keeps_quoted_newlines_inside_a_field():
    raw = b'email,name,notes\na@ex.com,Ann,"line one\nline two, still notes"\nb@ex.com,Bob,\n'
    job = _run(raw)
    assert _counts(job) == (2, 2, 0, 0, 0)
    assert Lead.objects.get(email="a@ex.com").notes == "line one\nline two, still notes"


def test_import_rejects_missing_and_malformed_emails_with_row_numbers():
    raw = b"email,name\ngood@ex.com,Good\n,No Email\nnot-an-email,Bad\nbad@@ex.com,Worse\nok@ex.com,Ok\n"
    job = _run(raw)
    assert _counts(job) == (5, 2, 0, 0, 3)
    assert [(r["row"], r["reason"]) for r in job.rejected_rows] == [
        (3, "no email address"),
        (4, "“not-an-email” is not a valid email address"),
        (5, "“bad@@ex.com” is not a valid email address"),
    ]
    assert set(Lead.objects.values_list("email", flat=True)) == {"good@ex.com", "ok@ex.com"}


def test_import_merges_mixed_case_duplicates_inside_the_file():
    raw = (b"email,name,company,title\n"
           b"Sam@Ex.com,Sam,,Analyst\n"
           b"sam@ex.com,,Samco,\n"
           b"SAM@EX.COM,Samuel,,\n")
    job = _run(raw)
    assert _counts(job) == (3, 1, 0, 2, 0)
    lead = Lead.objects.get()
    assert (lead.email, lead.name, lead.company, lead.title) == (
        "sam@ex.com", "Samuel", "Samco", "Analyst"
    )


def test_import_updates_leads_known_in_any_case_instead_of_duplicating():
    LeadFactory(email="Known@Ex.com", name="Kept", company="Old Co", phone="123",
                status=LeadStatus.CONTACTED, notes="first note", source="manual")
    raw = b"email,name,company,phone,status,notes\nKNOWN@ex.com,,New Co,,NEW,second note\nnew@ex.com,New,,,,\n"
    job = _run(raw)
    assert _counts(job) == (2, 1, 1, 0, 0)
    lead = Lead.objects.get(email="Known@Ex.com")
    assert lead.name == "Kept"  # a blank never erases
    assert lead.company == "New Co"  # a non-blank value from the file wins
    assert lead.phone == "123"
    assert lead.status == LeadStatus.CONTACTED  # a lead past NEW is not moved back
    assert lead.notes == "first note\nsecond note"
    assert lead.source == "manual"
    assert Lead.objects.count() == 2


def test_import_normalises_legacy_statuses_and_sends_unknown_ones_to_review():
    raw = (b"email,status\n"
           b"a@ex.com,engaged\n"
           b"b@ex.com,  Responded \n"
           b"c@ex.com,qualified\n"
           b"d@ex.com,Hot Prospect\n"
           b"e@ex.com,\n")
    job = _run(raw)
    assert _counts(job) == (5, 5, 0, 0, 0)
    statuses = dict(Lead.objects.values_list("email", "status"))
    assert statuses == {
        "a@ex.com": "REPLIED", "b@ex.com": "REPLIED", "c@ex.com": "QUALIFIED",
        "d@ex.com": "MANUAL_REVIEW", "e@ex.com": "NEW",
    }
    assert "“Hot Prospect”" in Lead.objects.get(email="d@ex.com").notes


def test_import_refuses_an_empty_file():
    with pytest.raises(ImportFileError, match="The file is empty"):
        _run(b"")
    with pytest.raises(ImportFileError, match="The file is empty"):
        _run(b"\xef\xbb\xbf\n\n")
    assert ImportJob.objects.count() == 0


def test_import_refuses_a_header_without_rows():
    with pytest.raises(ImportFileError, match="header but no rows"):
        _run(b"email,name\n")


def test_import_refuses_a_file_that_is_not_csv():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"
    with pytest.raises(ImportFileError, match="not a CSV file"):
        _run(png, name="photo.png")
    assert ImportJob.objects.count() == 0
    assert Lead.objects.count() == 0


def test_import_needs_a_column_for_the_email():
    job = services.import_job_create(
        upload=SimpleUploadedFile("x.csv", b"name,company\nAnn,Acme\n"), actor=None
    )
    with pytest.raises(ImportFileError, match="email address"):
        services.import_job_start(job=job, mapping=job.mapping)
    job.refresh_from_db()
    assert job.status == ImportStatus.PREVIEW


def test_import_of_20000_rows_counts_every_row():
    existing = [LeadFactory(email=f"Person{i}@Example.com", name="") for i in range(1, 20000, 1000)]
    lines = ["Email,Name,Company,Company Size,Status"]
    for i in range(20000):
        email = f"person{i}@example.com" if i % 500 else f"broken{i}-at-example.com"
        lines.append(f"{email},Person {i},Company {i % 97},{i % 300},{'engaged' if i % 3 else 'new'}")
    lines.append("PERSON1@example.com,Person One Again,,,")  # a repeat in the file
    raw = ("\n".join(lines) + "\n").encode()
    started = time.monotonic()
    job = _run(raw)
    elapsed = time.monotonic() - started
    # Every 500th email is broken (40 rows); 20 emails are known in another case.
    assert _counts(job) == (20001, 19940, 20, 1, 40)
    assert Lead.objects.count() == len(existing) + 19940
    # Known leads show the import on their timeline; new ones point at their source.
    assert LeadActivity.objects.filter(kind="import").count() == 20
    assert Lead.objects.get(email__iexact="person1@example.com").name == "Person One Again"
    assert Lead.objects.get(email="person2@example.com").status == LeadStatus.REPLIED
    assert elapsed < 20, f"20,000 rows took {elapsed:.1f}s"


def test_import_recomputes_scores_afterwards():
    ScoringRuleFactory(field="title", condition="contains", value="head", points=20)
    _run(b"email,title\nh@ex.com,Head of Sales\nn@ex.com,Intern\n")
    assert dict(Lead.objects.values_list("email", "score")) == {"h@ex.com": 20, "n@ex.com": 0}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="uses a PostgreSQL trigger")
def test_import_failing_midway_leaves_nothing_written():
    with connection.cursor() as cursor:
        cursor.execute("""
            CREATE FUNCTION leads_test_boom() RETURNS trigger AS $$
            BEGIN
                IF NEW.email = 'boom@ex.com' THEN RAISE EXCEPTION 'disk on fire'; END IF;
                RETURN NEW;
            END $$ LANGUAGE plpgsql;
            CREATE TRIGGER leads_test_boom BEFORE INSERT ON leads_lead
                FOR EACH ROW EXECUTE FUNCTION leads_test_boom();
        """)
    raw = b"email\n" + b"".join(f"ok{i}@ex.com\n".encode() for i in range(50)) + b"boom@ex.com\n"
    job = _run(raw)
    assert job.status == ImportStatus.FAILED
    assert "disk on fire" in job.error
    assert Lead.objects.count() == 0
    assert LeadActivity.objects.count() == 0


def test_import_rejected_rows_download_as_csv_ready_to_fix(operator_client):
    job = _run(b"Email;Name\nbad;Ann\n;Bob\nok@ex.com;Ok\n")
    response = operator_client.get(f"/intake/imports/{job.pk}/rejected.csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    assert body.splitlines() == [
        "Email,Name,Import row,Import error",
        "bad,Ann,2,“bad” is not a valid email address",
        ",Bob,3,no email address",
    ]
    # The two extra columns are not mapped when the file comes back.
    assert importing.guess_mapping(["Email", "Name", "Import row", "Import error"]) == {
        "0": "email", "1": "name"
    }


def test_guess_mapping_reads_common_header_spellings():
    headers = ["E-mail", "Company Name", "First Name", "Last Name", "Job Title", "Tel.",
               "No. of employees", "Lead Status", "Comments", "Web site"]
    assert importing.guess_mapping(headers) == {
        "0": "email", "1": "company", "2": "first_name", "3": "last_name", "4": "title",
        "5": "phone", "6": "company_size", "7": "status", "8": "notes", "9": "website",
    }


def test_import_joins_first_and_last_names():
    _run(b"Email Address,First Name,Last Name\nj@ex.com,Jane,Doe\n")
    assert Lead.objects.get().name == "Jane Doe"


def test_import_leads_command_prints_counts_and_succeeds(tmp_path):
    path = tmp_path / "leads.csv"
    path.write_bytes(b"email,name\na@ex.com,Ann\nA@EX.COM,Annie\n")
    out = StringIO()
    call_command("import_leads", str(path), stdout=out)
    assert "rows 2, created 1, updated 0, merged 1, rejected 0" in out.getvalue()
    assert Lead.objects.get().name == "Annie"
    assert ImportJob.objects.get().status == ImportStatus.DONE


def test_import_leads_command_exits_non_zero_when_rows_are_rejected(tmp_path):
    path = tmp_path / "leads.csv"
    path.write_bytes(b"email,status\na@ex.com,ENGAGED\nnope,NEW\n")
    out = StringIO()
    with pytest.raises(CommandError, match="1 row was rejected") as error:
        call_command("import_leads", str(path), stdout=out)
    assert error.value.returncode == 1
    assert "row 3: “nope” is not a valid email address" in out.getvalue()
    assert Lead.objects.get().status == LeadStatus.REPLIED


def test_import_leads_command_dry_run_writes_nothing(tmp_path):
    LeadFactory(email="known@ex.com")
    path = tmp_path / "leads.csv"
    path.write_bytes(b"email\nKnown@ex.com\nfresh@ex.com\n")
    out = StringIO()
    call_command("import_leads", str(path), "--dry-run", stdout=out)
    assert "Dry run (nothing written): rows 2, created 1, updated 1, merged 0, rejected 0" in out.getvalue()
    assert Lead.objects.count() == 1
    assert ImportJob.objects.count() == 0


def test_import_leads_command_refuses_a_file_that_is_not_csv(tmp_path):
    path = tmp_path / "photo.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(CommandError, match="not a CSV file") as error:
        call_command("import_leads", str(path), stdout=StringIO())
    assert error.value.returncode == 2


@pytest.mark.embedded
def test_import_writes_through_the_orm_path_on_sqlite_too():
    LeadFactory(email="Known@Ex.com", name="Kept", status=LeadStatus.NEW)
    job = _run(b"email,name,status\nknown@ex.com,,engaged\nnew@ex.com,New,\nnew@EX.com,,\nbad,,\n")
    assert _counts(job) == (4, 1, 1, 1, 1)
    assert Lead.objects.get(email="Known@Ex.com").status == LeadStatus.REPLIED
    assert Lead.objects.get(email="new@ex.com").name == "New"


def test_import_task_runs_from_the_job_row_and_stored_file_alone(settings):
    """What a database-backed worker does: it is handed the job id and nothing else."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    job = services.import_job_create(
        upload=SimpleUploadedFile("later.csv", b"Email,Name\nw@ex.com,Wren\n"), actor=None
    )
    job = services.import_job_start(job=job, mapping=job.mapping)
    assert job.status == ImportStatus.QUEUED  # the dummy backend runs nothing
    assert job.task_id
    assert Lead.objects.count() == 0
    from leads.tasks import run_import_job

    assert run_import_job.call(job.pk) == {"job": job.pk, "status": "done"}
    job.refresh_from_db()
    assert _counts(job) == (1, 1, 0, 0, 0)
    assert Lead.objects.get().name == "Wren"
    # A second worker picking the same job up does nothing.
    run_import_job.call(job.pk)
    assert Lead.objects.count() == 1


def test_queued_import_page_polls_until_the_worker_is_done(settings, operator_client, operator):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    job = services.import_job_create(
        upload=SimpleUploadedFile("later.csv", b"Email\nw@ex.com\n"), actor=operator
    )
    services.import_job_start(job=job, mapping=job.mapping)
    body = operator_client.get(f"/intake/imports/{job.pk}/").content.decode()
    assert "Queued" in body and 'hx-trigger="every 1s"' in body


def test_import_leads_command_says_when_no_column_holds_emails(tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(b"Who,Where\nAnn,Leeds\n")
    with pytest.raises(CommandError, match="No column header looks like an email") as error:
        call_command("import_leads", str(path), stdout=StringIO())
    assert error.value.returncode == 2
    assert Lead.objects.count() == 0


@pytest.mark.django_db
def test_import_start_records_a_background_job_with_its_starter_and_file(operator):
    from jobs.models import Job

    upload = SimpleUploadedFile("spring.csv", b"email,name\na@example.com,Ann\n")
    job = services.import_job_create(upload=upload, actor=operator)
    job = services.import_job_start(job=job, mapping=job.mapping)
    background = Job.objects.get(task_result_id=job.task_id)
    assert (background.status, background.started_by, background.label) == (
        Job.Status.DONE, operator, "Import spring.csv")


def test_import_rescores_only_the_leads_it_wrote():
    ScoringRuleFactory(field="title", condition="contains", value="cto", points=40)
    untouched = LeadFactory(email="old@x.example", title="CTO", score=7)
    _run(b"Email,Title\nnew@x.example,CTO\n")
    assert Lead.objects.get(email="new@x.example").score == 40
    untouched.refresh_from_db()
    assert untouched.score == 7
