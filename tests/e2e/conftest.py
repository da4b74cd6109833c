"""A real browser (Debian's Chromium driven by Playwright) against a live server of the project."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="module", autouse=True)
def _orm_beside_playwright():
    """Playwright's sync API keeps an event loop in this thread; Django's ORM refuses to run
    beside one unless told the calls are deliberate. Only while a browser module runs (its
    database teardown included): the variable must not leak into the rest of the suite, where
    `check --deploy` rightly refuses it."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="module")
def browser(_orm_beside_playwright):
    from playwright.sync_api import sync_playwright

    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"The browser tests need Chromium at {CHROMIUM}: `apt-get install chromium` "
                    "(scripts/setup.sh does it as root), or set CHROMIUM_PATH.", pytrace=False)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update",
                  "--no-first-run", "--disable-sync"],
        )
        yield browser
        browser.close()


class Shots:
    """Saves screenshots of a test's key pages under test-artifacts/<test name>/."""

    def __init__(self, page, test_name: str):
        self.page = page
        self.folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", test_name)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count = 0

    def __call__(self, name: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


def _new_page(browser, request, *, javascript: bool = True):
    context = browser.new_context(java_script_enabled=javascript, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.console_errors = []
    page.on("console", lambda msg: page.console_errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    page.shots = Shots(page, request.node.name)
    request.addfinalizer(context.close)
    return page


@pytest.fixture
def page(browser, request, live_server):
    return _new_page(browser, request)


@pytest.fixture
def nojs_page(browser, request, live_server):
    return _new_page(browser, request, javascript=False)


@pytest.fixture
def open_page(browser, request, live_server):
    """Another person's browser in the same test (its own cookies): `open_page("arjun")`.
    Its screenshots go to the test's folder too, named after the person."""

    def open_(person: str, *, javascript: bool = True):
        other = _new_page(browser, request, javascript=javascript)
        other.shots.folder = other.shots.folder / person
        other.shots.folder.mkdir(parents=True, exist_ok=True)
        return other

    return open_


@pytest.fixture
def make_user(transactional_db):
    def make(username: str, role: str) -> User:
        user = User.objects.create_user(username, password="e2e-password-1", first_name=username.title())
        user.groups.add(Group.objects.get(name=role))
        return user

    return make


def sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "e2e-password-1")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
