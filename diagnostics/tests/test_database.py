"""Database configuration and connectivity, with failures produced for real."""

from __future__ import annotations

import contextlib
import socket
import time

import pytest
from django.db import connection

from aicmo_site.config import database_config
from aicmo_site.testing import free_port
from diagnostics.database import (
    assess_database_url,
    check_database_connectivity,
    classify_postgres_error,
)
from diagnostics.tests.conftest import needs_postgres, postgres_dict

# --- configuration -------------------------------------------------------------------------


@pytest.mark.embedded
def test_database_configuration_accepts_embedded_default_with_debug_on():
    status, summary, details, _ = assess_database_url(
        "sqlite:////srv/aicmo/var/aicmo.sqlite3", "embedded default", debug=True
    )
    assert status == "ok"
    assert "embedded SQLite default" in summary
    assert "Source: embedded default" in details


@pytest.mark.embedded
def test_database_configuration_warns_embedded_default_in_production():
    status, summary, _, remediation = assess_database_url(
        "sqlite:////srv/aicmo/var/aicmo.sqlite3", "embedded default", debug=False
    )
    assert status == "warn"
    assert "DEBUG is off" in summary
    assert "DATABASE_URL=postgres://" in remediation


@pytest.mark.parametrize(
    "url, found",
    [
        ("postgres://user:password@host:5432/dbname", "the user is “user”"),
        ("postgres://aicmo:changeme@db.internal:5432/aicmo?sslmode=require", "changeme"),
        ("postgres://aicmo:<password>@db.internal:5432/aicmo?sslmode=require", "<…> markers"),
        ("postgres://aicmo:s3cret-value@host:5432/aicmo", "the host is “host”"),
    ],
)
def test_database_configuration_fails_on_placeholders_in_production(url, found):
    status, summary, _, remediation = assess_database_url(url, "DATABASE_URL", debug=False)
    assert status == "fail"
    assert "placeholder" in summary
    assert found in summary
    assert "real user, password, host" in remediation


def test_database_configuration_only_warns_on_placeholders_with_debug_on():
    status, _, _, _ = assess_database_url(
        "postgres://user:password@host:5432/dbname", "DB_URL", debug=True
    )
    assert status == "warn"


def test_database_configuration_never_shows_the_password():
    _, summary, details, remediation = assess_database_url(
        "postgres://aicmo:changeme@db.internal:5432/aicmo", "DATABASE_URL", debug=False
    )
    assert "changeme@" not in " ".join([summary, *details, remediation])
    assert "URL: postgres://aicmo:****@db.internal:5432/aicmo" in details


def test_database_configuration_warns_remote_postgres_without_sslmode():
    status, summary, _, remediation = assess_database_url(
        "postgres://aicmo:Xy7-long-secret@db.internal:5432/aicmo", "DATABASE_URL", debug=False
    )
    assert status == "warn"
    assert "remote" in summary
    assert "?sslmode=require" in remediation


def test_database_configuration_accepts_remote_postgres_with_sslmode_require():
    status, summary, _, _ = assess_database_url(
        "postgres://aicmo:Xy7-long-secret@db.internal:5432/aicmo?sslmode=require",
        "DATABASE_URL", debug=False,
    )
    assert status == "ok"
    assert "db.internal:5432" in summary


def test_database_configuration_warns_localhost_in_production():
    status, summary, _, _ = assess_database_url(
        "postgres://aicmo:Xy7-long-secret@localhost:5432/aicmo", "DATABASE_URL", debug=False
    )
    assert status == "warn"
    assert "localhost" in summary


def test_database_configuration_accepts_localhost_in_development():
    status, _, _, _ = assess_database_url(
        "postgres://aicmo:Xy7-long-secret@localhost:5432/aicmo", "DATABASE_URL", debug=True
    )
    assert status == "ok"


# --- connectivity, against the real local server --------------------------------------------


@needs_postgres
def test_database_connectivity_reports_version_round_trip_and_ssl():
    status, summary, details, _ = check_database_connectivity(postgres_dict())
    assert status == "ok"
    assert summary.startswith("PostgreSQL ")
    assert "Vendor: PostgreSQL" in details
    assert any(line.startswith("Round trip") for line in details)
    assert "SSL in use: no" in details


@needs_postgres
def test_database_connectivity_reports_closed_port_as_refused():
    port = free_port()
    status, summary, _, remediation = check_database_connectivity(postgres_dict(port=port))
    assert status == "fail"
    assert summary == f"Connection refused: nothing is listening at 127.0.0.1:{port}."
    assert "Start PostgreSQL" in remediation


@needs_postgres
def test_database_connectivity_reports_unknown_database():
    status, summary, _, remediation = check_database_connectivity(
        postgres_dict(name="aicmo_diag_no_such_database")
    )
    assert status == "fail"
    assert summary == "Unknown database: aicmo_diag_no_such_database does not exist on the server."
    assert "createdb aicmo_diag_no_such_database" in remediation


@needs_postgres
def test_database_connectivity_reports_unknown_role():
    status, summary, _, remediation = check_database_connectivity(
        postgres_dict(user="aicmo_diag_no_such_role", name="postgres")
    )
    assert status == "fail"
    assert summary == "Role rejected: the user aicmo_diag_no_such_role does not exist on the server."
    assert "createuser aicmo_diag_no_such_role" in remediation


@needs_postgres
def test_database_connectivity_reports_ssl_required_by_client_but_not_offered():
    status, summary, _, remediation = check_database_connectivity(
        postgres_dict(query="?sslmode=require")
    )
    assert status == "fail"
    assert summary.startswith("SSL required, but the server")
    assert "sslmode" in remediation


@needs_postgres
def test_database_connectivity_reports_timeout_from_a_silent_server():
    # A socket that listens but never answers: the kernel accepts, PostgreSQL never speaks.
    with contextlib.closing(socket.socket()) as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(5)
        port = silent.getsockname()[1]
        db = postgres_dict(port=port)
        db["OPTIONS"]["connect_timeout"] = 2  # libpq's minimum
        started = time.monotonic()
        status, summary, _, remediation = check_database_connectivity(db)
    assert time.monotonic() - started < 6
    assert status == "fail"
    assert summary == f"Timed out: 127.0.0.1:{port} did not answer within 2 seconds."
    assert "firewall" in remediation


def test_database_connectivity_never_shows_the_password():
    db = database_config(f"postgres://postgres:Hunter2-Secret@127.0.0.1:{free_port()}/x")
    status, summary, details, remediation = check_database_connectivity(db)
    assert status == "fail"
    assert "Hunter2-Secret" not in " ".join([summary, *details, remediation])


@pytest.mark.parametrize(
    "message, expected",
    [
        ('connection to server at "db", port 5432 failed: FATAL:  password authentication '
         'failed for user "aicmo"', "Password rejected for the user aicmo."),
        ('could not translate host name "db.nowhere" to address: Name or service not known',
         "Unknown host: db.nowhere does not resolve."),
        ('FATAL:  no pg_hba.conf entry for host "10.0.0.5", user "aicmo", database "aicmo", '
         "SSL off", "The server requires SSL for this connection."),
    ],
)
def test_classify_postgres_error_names_failures_the_local_server_cannot_produce(message, expected):
    # The local server trusts every local user and resolves nothing remote: these messages are
    # PostgreSQL's own wording for the failures it cannot be made to produce here.
    params = {"host": "db.nowhere", "port": 5432, "name": "aicmo", "user": "aicmo", "timeout": 3}
    summary, remediation = classify_postgres_error(message, params)
    assert summary == expected
    assert remediation


@pytest.mark.embedded
def test_database_connectivity_opens_the_sqlite_file(tmp_path):
    path = tmp_path / "aicmo.sqlite3"
    import sqlite3

    sqlite3.connect(path).close()
    status, summary, details, _ = check_database_connectivity(
        {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}
    )
    assert status == "ok"
    assert summary.startswith("SQLite ")
    assert f"File: {path}" in details


@pytest.mark.embedded
def test_database_connectivity_fails_on_a_missing_sqlite_file(tmp_path):
    status, summary, _, remediation = check_database_connectivity(
        {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "missing.sqlite3")}
    )
    assert status == "fail"
    assert "cannot be opened" in summary
    assert "migrate" in remediation


def test_database_connectivity_uses_the_default_database_when_given_nothing(db):
    status, _, details, _ = check_database_connectivity()
    assert status == "ok"
    assert f"Vendor: {'PostgreSQL' if connection.vendor == 'postgresql' else 'SQLite (embedded)'}" in details
