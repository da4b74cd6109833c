"""The database going away: every page answers 503, and serves again once it is back."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection

from aicmo_site.testing import ServerProcess, TcpProxy, free_port

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs a PostgreSQL server"),
]


def _session_cookie_for(user: User) -> dict[str, str]:
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    return {settings.SESSION_COOKIE_NAME: session.session_key}


def _postgres_url(port: int) -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@127.0.0.1:{port}/{db['NAME']}"


@pytest.fixture
def signed_in_cookie():
    user = User.objects.create_user("olga", password="pw")
    user.groups.add(Group.objects.get(name="Operator"))
    return _session_cookie_for(user)


def test_page_answers_503_when_database_port_is_closed(signed_in_cookie):
    with ServerProcess({"DATABASE_URL": _postgres_url(free_port())}) as server:
        status, body, headers = server.get("/leadgen/", signed_in_cookie)
    assert status == 503
    assert "The database cannot be reached" in body
    assert "manage.py diagnose" in body
    assert "Connection refused" in body
    assert headers["X-Dashboard-Build"]


def test_pages_recover_without_restart_when_database_returns(signed_in_cookie):
    db = connection.settings_dict
    with TcpProxy(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)) as proxy, ServerProcess(
        {"DATABASE_URL": _postgres_url(proxy.port)}
    ) as server:
        assert server.get("/leadgen/", signed_in_cookie)[0] == 200
        proxy.cut()
        status, body, _ = server.get("/leadgen/", signed_in_cookie)
        assert status == 503
        assert "Nothing you saved before this is lost" in body
        proxy.restore()
        assert server.get("/leadgen/", signed_in_cookie)[0] == 200
