"""Dry runs (nothing written) and undoing a finished import, on both database paths."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from campaigns.tests.factories import CampaignFactory, CreativeFactory
from leads import services
from leads.models import ImportJob, ImportLeadChange, ImportStatus, Lead, LeadActivity
from leads.statuses import LeadStatus
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

FILE = (
    b"Email,Name,Company,Status\n"
    b"new1@ex.com,New One,Acme,\n"
    b"known@ex.com,Known Renamed,NewCo,QUALIFIED\n"
    b"not-an-email,Bad,,\n"
    b"new2@ex.com,New Two,,\n"
    b"NEW2@ex.com,,Beta,\n"
)


def _job(raw: bytes = FILE, actor=None) -> ImportJob:
    return services.import_job_create(upload=SimpleUploadedFile("leads.csv", raw), actor=actor)


def _run(raw: bytes = FILE) -> ImportJob:
    job = _job(raw)
    return services.import_job_start(job=job, mapping=job.mapping)


def _known():
    return LeadFactory(email="known@ex.com", name="Known", company="OldCo", notes="Met at fair")


def _mapping_post(job: ImportJob) -> dict[str, str]:
    return {f"col_{index}": job.mapping.get(str(index), "") for index in range(len(job.headers))}


# --- dry run ----------------------------------------------------------------------------------


@pytest.mark.embedded
def test_import_dry_run_counts_rows_and_writes_nothing():
    known = _known()
    job = _job()
    before = (Lead.objects.count(), LeadActivity.objects.count(), ImportLeadChange.objects.count())
    outcome = services.import_job_dry_run(job=job, mapping=job.mapping)
    assert (outcome.rows, outcome.created, outcome.updated, outcome.merged) == (5, 2, 1, 1)
    assert [row["row"] for row in outcome.rejected] == [4]
    assert "not a valid email" in outcome.rejected[0]["reason"]
    assert (Lead.objects.count(), LeadActivity.objects.count(),
            ImportLeadChange.objects.count()) == before
    known.refresh_from_db()
    assert (known.name, known.company) == ("Known", "OldCo")
    job.refresh_from_db()
    assert job.status == ImportStatus.PREVIEW


def test_import_dry_run_page_shows_counts_and_row_errors(operator_client):
    job = _job()
    response = operator_client.post(f"/intake/imports/{job.pk}/dry-run/", _mapping_post(job))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Dry run: nothing was written" in body
    assert "would be created" in body and "is not a valid email address" in body
    assert Lead.objects.count() == 0
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.PREVIEW


def test_import_dry_run_page_is_forbidden_to_viewers(viewer_client):
    job = _job()
    response = viewer_client.post(f"/intake/imports/{job.pk}/dry-run/", _mapping_post(job))
    assert response.status_code == 403


def test_import_dry_run_page_refuses_get(operator_client):
    assert operator_client.get(f"/intake/imports/{_job().pk}/dry-run/").status_code == 405


def test_import_dry_run_page_without_an_email_column_says_so(operator_client):
    job = _job()
    response = operator_client.post(f"/intake/imports/{job.pk}/dry-run/", {"col_0": "name"})
    assert "Choose the column that holds the email address." in response.content.decode()


# --- undo -------------------------------------------------------------------------------------


@pytest.mark.embedded
def test_import_undo_removes_created_leads_and_restores_updated_ones(operator):
    known = _known()
    job = _run()
    assert (job.created_count, job.updated_count) == (2, 1)
    known.refresh_from_db()
    assert (known.name, known.company, known.status) == ("Known Renamed", "NewCo", "QUALIFIED")

    job = services.import_job_undo(job=job, actor=operator)

    assert list(Lead.objects.values_list("email", flat=True)) == ["known@ex.com"]
    known.refresh_from_db()
    assert (known.name, known.company, known.status, known.notes) == (
        "Known", "OldCo", LeadStatus.NEW, "Met at fair")
    assert (job.undo_removed, job.undo_restored, job.undo_skipped) == (2, 1, [])
    assert (job.undone_by, job.is_undone) == (operator, True)


def test_import_undo_leaves_leads_changed_since_and_lists_them(operator):
    known = _known()
    job = _run()
    edited_new = Lead.objects.get(email="new1@ex.com")
    services.lead_change_status(lead=edited_new, status="CONTACTED", actor=operator)
    services.lead_log(lead=Lead.objects.get(email="known@ex.com"), kind="note",
                      note="Called", actor=operator)

    job = services.import_job_undo(job=job, actor=operator)

    assert set(Lead.objects.values_list("email", flat=True)) == {"known@ex.com", "new1@ex.com"}
    known.refresh_from_db()
    assert known.name == "Known Renamed"  # changed since: left as it is
    assert {item["email"] for item in job.undo_skipped} == {"known@ex.com", "new1@ex.com"}
    assert (job.undo_removed, job.undo_restored) == (1, 0)


def test_import_undo_refuses_a_second_undo(operator):
    _known()
    job = _run()
    services.import_job_undo(job=job, actor=operator)
    LeadFactory(email="new1@ex.com")  # the same email again, added by hand afterwards
    with pytest.raises(services.ImportUndoRefused, match="already been undone"):
        services.import_job_undo(job=job, actor=operator)
    assert Lead.objects.filter(email="new1@ex.com").exists()


def test_import_undo_page_undoes_once_and_reports_it(operator_client):
    _known()
    job = _run()
    response = operator_client.post(f"/intake/imports/{job.pk}/undo/", follow=True)
    body = response.content.decode()
    assert f"Import #{job.pk} undone: 2 leads removed, 1 restored." in body
    assert Lead.objects.count() == 1
    again = operator_client.post(f"/intake/imports/{job.pk}/undo/", follow=True)
    assert "has already been undone" in again.content.decode()
    assert "Undone" in operator_client.get("/intake/").content.decode()


def test_import_undo_page_is_forbidden_to_viewers(viewer_client):
    job = _run()
    assert viewer_client.post(f"/intake/imports/{job.pk}/undo/").status_code == 403
    assert Lead.objects.count() == 3


def test_import_undo_page_refuses_get(operator_client):
    assert operator_client.get(f"/intake/imports/{_run().pk}/undo/").status_code == 405


def test_import_undo_of_an_unfinished_import_is_refused(operator_client):
    job = _job()
    response = operator_client.post(f"/intake/imports/{job.pk}/undo/", follow=True)
    assert "Only a finished import can be undone." in response.content.decode()


def test_intake_history_offers_undo_for_a_finished_import(operator_client):
    job = _run()
    body = operator_client.get("/intake/").content.decode()
    assert f'action="/intake/imports/{job.pk}/undo/"' in body


# --- UTM columns ------------------------------------------------------------------------------


@pytest.mark.embedded
def test_import_maps_utm_columns_and_links_campaign_and_creative():
    campaign = CampaignFactory(slug="spring-solar")
    creative = CreativeFactory(campaign=campaign)
    other = CreativeFactory(campaign=CampaignFactory(brand=campaign.brand))
    raw = (
        "Email,utm_source,utm_campaign,utm_content\n"
        f"a@ex.com,linkedin,spring-solar,{creative.pk}\n"
        f"b@ex.com,x,spring-solar,{other.pk}\n"
        "c@ex.com,x,unknown,1\n"
    ).encode()
    job = _run(raw)
    assert set(job.mapping.values()) == {"email", "utm_source", "utm_campaign", "utm_content"}
    leads = {lead.email: lead for lead in Lead.objects.all()}
    assert (leads["a@ex.com"].campaign, leads["a@ex.com"].creative) == (campaign, creative)
    assert leads["a@ex.com"].utm_source == "linkedin"
    assert (leads["b@ex.com"].campaign, leads["b@ex.com"].creative) == (campaign, None)
    assert (leads["c@ex.com"].campaign, leads["c@ex.com"].utm_campaign) == (None, "unknown")


def test_import_dry_run_and_undo_redirect_anonymous_users(client):
    job = _job()
    assert client.post(f"/intake/imports/{job.pk}/dry-run/", _mapping_post(job)).status_code == 302
    assert client.post(f"/intake/imports/{job.pk}/undo/").status_code == 302
    assert ImportJob.objects.get(pk=job.pk).undone_at is None
