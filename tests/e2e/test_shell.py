"""Signing in and every section in a real browser."""

from __future__ import annotations

from aicmo_site.sections import SECTIONS
from tests.e2e.conftest import sign_in


def test_sign_in_lands_on_the_overview(page, live_server, make_user):
    make_user("olivia", "Operator")
    page.goto(f"{live_server.url}/leadgen/")
    assert "/accounts/login/" in page.url
    page.shots("login")
    sign_in(page, live_server, "olivia")
    assert page.locator("h1").inner_text() == "Overview"
    page.shots("overview")


def test_wrong_password_is_told_plainly(page, live_server, make_user):
    make_user("olivia", "Operator")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "olivia")
    page.fill("#id_password", "nope")
    page.click("button[type=submit]")
    assert "correct username and password" in page.locator(".form-error").inner_text()
    page.shots("wrong-password")


def test_every_section_opens_without_a_console_error(page, live_server, make_user):
    make_user("vera", "Viewer")
    sign_in(page, live_server, "vera")
    for section in SECTIONS:
        page.click(f"nav.section-nav a[href='{section.path}']")
        page.wait_for_url(f"{live_server.url}{section.path}")
        assert page.locator("h1").first.inner_text() == section.title
        assert page.locator("nav.section-nav a[aria-current=page]").inner_text() == section.title
        page.shots(section.slug)
    assert page.console_errors == []

