"""A lead CSV import with bad rows, and the System page, in a real browser."""

from __future__ import annotations

from playwright.sync_api import expect

from leads.models import ImportJob, Lead
from tests.e2e.conftest import sign_in

LEADS_CSV = (
    "Email,First name,Last name,Company,Status\n"
    "ada@lovelace.example,Ada,Lovelace,Analytical Engines,new\n"
    "not-an-email,Bad,Row,Nowhere Ltd,new\n"
    "grace@hopper.example,Grace,Hopper,Navy Compilers,ENGAGED\n"
    ",Blank,Email,Missing Co,new\n"
    "ADA@LOVELACE.EXAMPLE,Ada,Lovelace,Analytical Engines Ltd,new\n"
)


def test_lead_import_with_bad_rows_lists_them(page, live_server, make_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    make_user("olivia", "Operator")
    sign_in(page, live_server, "olivia")
    page.get_by_role("link", name="Intake", exact=True).first.click()
    expect(page.locator("h1")).to_have_text("Intake")
    page.locator("#import input[type=file]").set_input_files(
        {"name": "fair-leads.csv", "mimeType": "text/csv", "buffer": LEADS_CSV.encode()})
    page.shots("intake")
    page.get_by_role("button", name="Upload and preview").click()

    # The preview: nothing written yet, every row shown with the guessed mapping.
    expect(page.locator("h1")).to_have_text("Import of fair-leads.csv")
    preview = page.locator("table.preview")
    expect(preview.locator("tbody tr")).to_have_count(5)
    expect(preview).to_contain_text("not-an-email")
    page.shots("preview")
    assert Lead.objects.count() == 0

    page.get_by_role("button", name="Import 5 rows").click()
    expect(page.get_by_role("heading", name="Rejected rows")).to_be_visible()
    tiles = page.locator(".tiles")
    expect(tiles.locator(".tile", has_text="created")).to_contain_text("2")
    expect(tiles.locator(".tile", has_text="rejected")).to_contain_text("2")
    expect(tiles.locator(".tile", has_text="merged")).to_contain_text("1")
    rejected = page.locator("table.striped tbody tr")
    expect(rejected).to_have_count(2)
    expect(rejected.nth(0)).to_contain_text("not-an-email")
    expect(rejected.nth(0).locator("td.num")).to_have_text("3")
    expect(rejected.nth(1).locator("td.num")).to_have_text("5")
    page.shots("imported-with-rejections")

    # The rejected rows download as CSV, to be fixed and imported again.
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download the 2 rejected rows as CSV").click()
    rejected_csv = download_info.value.path().read_text(encoding="utf-8-sig")
    assert "not-an-email" in rejected_csv
    assert "Blank" in rejected_csv

    job = ImportJob.objects.get()
    assert (job.status, job.created_count, job.rejected_count) == ("done", 2, 2)
    leads = {lead.email: lead for lead in Lead.objects.all()}
    assert set(leads) == {"ada@lovelace.example", "grace@hopper.example"}
    assert leads["ada@lovelace.example"].company == "Analytical Engines Ltd"  # later row wins
    assert leads["grace@hopper.example"].status == "REPLIED"  # legacy ENGAGED normalised
    assert page.console_errors == []


def test_system_page_shows_checks_and_runs_them_again(page, live_server, make_user):
    make_user("olivia", "Operator")
    sign_in(page, live_server, "olivia")
    page.get_by_role("link", name="System / Diagnostics").click()
    expect(page.locator("h1")).to_have_text("System / Diagnostics")
    database = page.locator("#check-database_connectivity")
    expect(database).to_contain_text("Database connectivity")
    expect(database.locator(".status-pill")).to_have_text("OK")
    expect(page.locator("#check-migrations .status-pill")).to_have_text("OK")
    page.shots("system")

    with page.expect_response("**/system/run/") as response_info:
        page.get_by_role("button", name="Run again").click()
    assert response_info.value.status == 200
    expect(page.locator("#check-database_connectivity .status-pill")).to_have_text("OK")
    page.shots("system-run-again")

    # The configuration in effect, with the secret key masked.
    secret_row = page.locator(".diagnostics__config tr", has_text="SECRET_KEY")
    expect(secret_row.locator("td")).to_have_text("****")
    assert "test-secret-key-not-for-production" not in page.content()
    assert page.console_errors == []
