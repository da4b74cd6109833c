"""The Intake section: add a lead, upload → preview → import, job progress and history."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from leads import services
from leads.models import ImportJob, ImportStatus, Lead
from leads.tests.factories import BrandFactory, LeadFactory

pytestmark = pytest.mark.django_db


def _upload(client, raw: bytes, name: str = "leads.csv"):
    return client.post("/intake/imports/upload/", {"file": SimpleUploadedFile(name, raw)})


def test_intake_redirects_anonymous_users(client):
    assert client.get("/intake/").status_code == 302


def test_intake_is_forbidden_to_outsiders(outsider_client):
    assert outsider_client.get("/intake/").status_code == 403


def test_intake_shows_forms_history_and_web_form_links(operator_client):
    BrandFactory(name="Helio", slug="helio")
    body = operator_client.get("/intake/").content.decode()
    assert "Add a lead" in body
    assert "Import a spreadsheet" in body
    assert "No imports yet" in body
    assert "/intake/form/helio/" in body


def test_intake_lists_each_brands_web_form_by_name_with_its_full_address(operator_client):
    BrandFactory(name="Zed <&> Co", slug="zed")
    BrandFactory(name="Acme", slug="acme")
    body = operator_client.get("/intake/").content.decode()
    assert ('<li><a href="/intake/form/acme/">Acme</a> — '
            "<code>http://testserver/intake/form/acme/</code></li>") in body
    assert '<a href="/intake/form/zed/">Zed &lt;&amp;&gt; Co</a>' in body
    assert body.index("/intake/form/acme/") < body.index("/intake/form/zed/")


def test_intake_add_rejects_get(operator_client):
    assert operator_client.get("/intake/add/").status_code == 405


def test_intake_add_is_forbidden_to_viewers(viewer_client):
    response = viewer_client.post("/intake/add/", {"email": "v@ex.com"})
    assert response.status_code == 403
    assert Lead.objects.count() == 0


def test_intake_add_creates_a_lead_and_redirects_to_it(operator_client, operator):
    response = operator_client.post("/intake/add/", {
        "email": "New@Ex.com", "name": "Nell", "source": "event", "status": "engaged",
    })
    lead = Lead.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/leadgen/leads/{lead.pk}/"
    assert (lead.email, lead.status, lead.source) == ("new@ex.com", "REPLIED", "event")
    activity = lead.activities.get()
    assert (activity.kind, activity.actor) == ("created", operator)


def test_intake_add_with_htmx_answers_with_the_form_and_a_confirmation(operator_client):
    response = operator_client.post("/intake/add/", {"email": "h@ex.com"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="add-lead"' in body and "<html" not in body
    assert "h@ex.com</a> added" in body


def test_intake_add_updates_a_known_email_instead_of_duplicating(operator_client):
    LeadFactory(email="known@ex.com", company="")
    operator_client.post("/intake/add/", {"email": "KNOWN@ex.com", "company": "Acme"})
    assert Lead.objects.get().company == "Acme"


def test_intake_add_shows_errors_in_the_page(operator_client):
    response = operator_client.post("/intake/add/", {"email": "not-an-email"})
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
    assert Lead.objects.count() == 0


def test_import_upload_shows_the_preview_with_the_guessed_mapping(operator_client):
    response = _upload(operator_client, b"E-mail;Company Name;Notes\na@ex.com;Acme;x\n")
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/intake/imports/{job.pk}/"
    body = operator_client.get(response["Location"]).content.decode()
    assert "1 row read as utf-8, separated by semicolons" in body
    assert '<option value="email" selected>' in body
    assert '<option value="company" selected>' in body
    assert "Acme" in body
    assert Lead.objects.count() == 0  # nothing written before the import is confirmed


def test_import_upload_of_a_file_that_is_not_csv_shows_why(operator_client):
    response = _upload(operator_client, b"\x89PNG\r\n\x1a\n\x00\x00", name="a.png")
    assert response.status_code == 200
    assert "This is not a CSV file" in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_import_upload_of_an_empty_file_shows_why(operator_client):
    response = _upload(operator_client, b"")
    assert response.status_code == 200
    assert "empty" in response.content.decode()


def test_import_upload_is_forbidden_to_viewers(viewer_client):
    assert _upload(viewer_client, b"email\na@ex.com\n").status_code == 403


def test_import_start_with_an_edited_mapping_imports_and_shows_counts(operator_client):
    _upload(operator_client, b"Contact,Org\na@ex.com,Acme\nbad,Beta\na@EX.com,\n")
    job = ImportJob.objects.get()
    response = operator_client.post(f"/intake/imports/{job.pk}/start/",
                                     {"col_0": "email", "col_1": "company"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert (job.created_count, job.merged_count, job.rejected_count) == (1, 1, 1)
    body = operator_client.get(f"/intake/imports/{job.pk}/").content.decode()
    assert "Rejected rows" in body and "“bad” is not a valid email address" in body
    assert Lead.objects.get().company == "Acme"
    history = operator_client.get("/intake/").content.decode()
    assert "leads.csv" in history


def test_import_start_without_an_email_column_says_so(operator_client):
    _upload(operator_client, b"Contact,Org\na@ex.com,Acme\n")
    job = ImportJob.objects.get()
    response = operator_client.post(f"/intake/imports/{job.pk}/start/", {"col_1": "company"})
    assert response.status_code == 200
    assert "Choose the column that holds the email address." in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportStatus.PREVIEW


def test_import_progress_polls_with_htmx_and_has_a_refresh_link(operator_client, operator):
    job = services.import_job_create(
        upload=SimpleUploadedFile("big.csv", b"email\na@ex.com\n"), actor=operator
    )
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, processed_rows=0)
    body = operator_client.get(f"/intake/imports/{job.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in body
    assert f'href="/intake/imports/{job.pk}/">Refresh</a>' in body
    partial = operator_client.get(f"/intake/imports/{job.pk}/", HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode() and "<progress" in partial.content.decode()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.DONE)
    done = operator_client.get(f"/intake/imports/{job.pk}/", HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"


def test_import_detail_is_forbidden_to_outsiders(outsider_client, operator):
    job = services.import_job_create(upload=SimpleUploadedFile("a.csv", b"email\na@ex.com\n"),
                                     actor=operator)
    assert outsider_client.get(f"/intake/imports/{job.pk}/").status_code == 403
