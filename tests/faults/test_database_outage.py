"""The database goes away in the middle of a signed-in session and comes back.

A real gunicorn process talks to PostgreSQL through a TCP proxy the test can cut: the operator
saves a lead, the database disappears, every page (and every write) answers 503, the database
returns, and the same session carries on with no restart and with the saved lead still there.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection

from aicmo_site.testing import ServerProcess, TcpProxy
from leads.models import Lead

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs a PostgreSQL server"),
]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Just enough of a browser for a form POST: cookies (secure ones too, as the test server
    is plain HTTP) and the CSRF token read from the page."""

    def __init__(self, server: ServerProcess, cookies: dict[str, str]):
        self.server = server
        self.cookies = dict(cookies)
        self.opener = urllib.request.build_opener(_NoRedirect)

    def _send(self, request: urllib.request.Request) -> tuple[int, str]:
        request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            response = self.opener.open(request, timeout=15)
        except urllib.error.HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.read().decode()

    def get(self, path: str) -> tuple[int, str]:
        return self._send(urllib.request.Request(self.server.url + path))  # noqa: S310

    def post(self, path: str, data: dict[str, str], *, token_from: str) -> tuple[int, str]:
        _, page = self.get(token_from)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(self.server.url + path, data=body)  # noqa: S310
        request.add_header("Referer", self.server.url + token_from)
        return self._send(request)


DB_PASSWORD = "Outage-PW-93c1f7"


def _session_cookie_for(user: User) -> dict[str, str]:
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    return {settings.SESSION_COOKIE_NAME: session.session_key}


@pytest.fixture
def outage_site():
    """gunicorn → TCP proxy → PostgreSQL, and a signed-in operator's browser."""
    db = connection.settings_dict
    user = User.objects.create_user("olga", password="pw")
    user.groups.add(Group.objects.get(name="Operator"))
    with TcpProxy(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)) as proxy:
        # A password the server never needs (local trust) but must never show or log.
        url = f"postgres://{db['USER']}:{DB_PASSWORD}@127.0.0.1:{proxy.port}/{db['NAME']}"
        with ServerProcess({"DATABASE_URL": url, "STATUS_CACHE_SECONDS": "0"}) as server:
            yield proxy, Browser(server, _session_cookie_for(user))


def _add_lead(browser: Browser, email: str) -> int:
    return browser.post("/intake/add/", {"email": email, "name": "Kept Lead", "source": "manual",
                                         "status": "NEW"}, token_from="/intake/")[0]


def test_outage_saved_data_survives_and_the_session_carries_on(outage_site):
    proxy, browser = outage_site
    assert _add_lead(browser, "kept@example.com") == 302
    proxy.cut()
    assert browser.get("/leadgen/")[0] == 503
    proxy.restore()
    # No restart, no new sign-in: the session from before the outage still works.
    status, body = browser.get("/leadgen/")
    assert status == 200
    assert "kept@example.com" in body
    assert _add_lead(browser, "after@example.com") == 302
    assert set(Lead.objects.values_list("email", flat=True)) == {
        "kept@example.com", "after@example.com"}


def test_outage_every_section_answers_503_and_a_write_saves_nothing(outage_site):
    proxy, browser = outage_site
    sections = ["/", "/intake/", "/campaigns/", "/execution/", "/leadgen/", "/learn/", "/system/"]
    assert [browser.get(path)[0] for path in sections] == [200] * len(sections)
    _, page = browser.get("/intake/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    proxy.cut()
    down = {path: browser.get(path) for path in sections}
    assert {path: status for path, (status, _) in down.items()} == dict.fromkeys(sections, 503)
    assert all("The database cannot be reached" in body for _, body in down.values())
    body = urllib.parse.urlencode({"email": "lost@example.com", "source": "manual",
                                   "status": "NEW", "csrfmiddlewaretoken": token}).encode()
    request = urllib.request.Request(browser.server.url + "/intake/add/", data=body)  # noqa: S310
    request.add_header("Referer", browser.server.url + "/intake/")
    status, page = browser._send(request)
    assert status == 503
    assert "Nothing you saved before this is lost" in page
    proxy.restore()
    assert [browser.get(path)[0] for path in sections] == [200] * len(sections)
    assert not Lead.objects.filter(email="lost@example.com").exists()
    # The outage pages and the server's log say what failed, never with the password.
    assert "Database unreachable" in browser.server.log
    assert DB_PASSWORD not in browser.server.log
    assert not any(DB_PASSWORD in body for _, body in down.values())
