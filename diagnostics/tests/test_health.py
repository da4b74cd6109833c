"""/healthz and /readyz: no login, small JSON, 200 or 503, no secrets."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from aicmo_site.testing import ServerProcess, TcpProxy, free_port
from diagnostics.tests.conftest import needs_postgres


@pytest.mark.embedded
def test_healthz_answers_without_login_or_database(client, settings):
    # No django_db mark: any database access in this test would raise.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "build": settings.DASHBOARD_BUILD}


def test_healthz_rejects_post(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
@pytest.mark.embedded
def test_readyz_is_200_when_database_answers_and_migrations_applied(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["migrations"] == {"status": "ok", "summary": "Every migration is applied."}


@pytest.mark.django_db
def test_readyz_is_503_while_a_migration_is_pending(client):
    MigrationRecorder.Migration.objects.filter(app="diagnostics", name="0001_initial").delete()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == {
        "status": "fail", "summary": "1 migration is not applied yet."
    }


def _postgres_url(port: int, password: str = "") -> str:
    db = connection.settings_dict
    secret = f":{password}" if password else ""
    return f"postgres://{db['USER']}{secret}@127.0.0.1:{port}/{db['NAME']}"


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_endpoints_with_the_database_port_closed():
    url = _postgres_url(free_port(), password="Closed-Pa55-Z9")
    with ServerProcess({"DATABASE_URL": url}) as server:
        health = server.get("/healthz")
        ready = server.get("/readyz")
    assert health[0] == 200
    assert ready[0] == 503
    body = json.loads(ready[1])
    assert body["status"] == "unavailable"
    assert body["checks"]["database"]["summary"].startswith("Connection refused")
    assert "Closed-Pa55-Z9" not in health[1] + ready[1]


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_readyz_follows_the_database_going_away_and_coming_back():
    db = connection.settings_dict
    with TcpProxy(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)) as proxy, ServerProcess(
        {"DATABASE_URL": _postgres_url(proxy.port)}
    ) as server:
        assert server.get("/readyz")[0] == 200
        proxy.cut()
        assert server.get("/readyz")[0] == 503
        assert server.get("/healthz")[0] == 200
        proxy.restore()
        assert server.get("/readyz")[0] == 200
