"""`manage.py diagnose`: table, JSON, one check, exit status, and the database down."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from aicmo_site.testing import BASE_DIR, free_port


def _diagnose(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("diagnose", *args, stdout=out)
    except SystemExit as exit_:
        return int(exit_.code), out.getvalue()
    return 0, out.getvalue()


@pytest.mark.embedded
def test_diagnose_exits_0_when_every_check_passes(settings):
    settings.DASHBOARD_BUILD = "1.0+abc1234"
    code, out = _diagnose("--check", "build", "--check", "generation_backend")
    assert code == 0
    assert "OK    Build watermark" in out
    assert "2 ok, 0 warning(s), 0 failing: exit status 0." in out


def test_diagnose_exits_1_when_a_check_warns(settings):
    settings.DASHBOARD_BUILD = "1.0"
    code, out = _diagnose("--check", "build")
    assert code == 1
    assert "WARN  Build watermark" in out
    assert "Fix: Set DASHBOARD_BUILD" in out


def test_diagnose_exits_2_when_a_check_fails(settings):
    settings.DASHBOARD_BUILD = "1.0"
    settings.GENERATION_ENGINE = "http"
    settings.AICMO_BACKEND_URL = f"http://127.0.0.1:{free_port()}"
    code, out = _diagnose("--check", "build", "--check", "generation_backend")
    assert code == 2
    assert "FAIL  Generation backend" in out
    assert "Connection refused" in out


def test_diagnose_json_lists_each_check_for_machines(settings):
    settings.DASHBOARD_BUILD = "1.0"
    code, out = _diagnose("--json", "--check", "build")
    body = json.loads(out)
    assert code == 1
    assert body["status"] == "warn"
    assert body["exit_code"] == 1
    [build] = body["checks"]
    assert build["name"] == "build"
    assert build["status"] == "warn"
    assert set(build) == {"name", "title", "status", "summary", "details", "remediation",
                          "duration_ms", "checked_at"}


@pytest.mark.django_db
def test_diagnose_runs_every_check_by_default(settings):
    settings.DEBUG = True
    _, out = _diagnose("--json")
    body = json.loads(out)
    assert [check["name"] for check in body["checks"]] == [
        "database_configuration", "database_connectivity", "migrations", "generation_backend",
        "publishing_adapters", "background_worker", "oldest_waiting_job", "django_checks",
        "static_files", "build", "versions",
    ]
    assert "configuration" in body


def test_diagnose_rejects_an_unknown_check():
    with pytest.raises(CommandError, match="Unknown check 'nope'; choose from: database_"):
        call_command("diagnose", "--check", "nope")


def _run_diagnose(database_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "false",
           "SECRET_KEY": "test-secret-key-not-for-production", "GENERATION_ENGINE": "local"}
    return subprocess.run(
        [sys.executable, "manage.py", "diagnose", *args], cwd=BASE_DIR, env=env,
        capture_output=True, text=True, timeout=60, check=False,
    )


def test_diagnose_works_with_the_database_down():
    url = f"postgres://aicmo:Down-Pa55-Q1@127.0.0.1:{free_port()}/aicmo"
    result = _run_diagnose(url, "--json")
    assert result.returncode == 2
    checks = {check["name"]: check for check in json.loads(result.stdout)["checks"]}
    assert checks["database_connectivity"]["status"] == "fail"
    assert checks["database_connectivity"]["summary"].startswith("Connection refused")
    assert checks["migrations"]["summary"] == (
        "Migrations cannot be checked: the database is not reachable."
    )
    assert checks["versions"]["status"] == "ok"
    assert checks["background_worker"]["summary"] == (
        "Background worker cannot be checked: the database is not reachable."
    )
    assert checks["oldest_waiting_job"]["summary"] == (
        "Oldest waiting job cannot be checked: the database is not reachable."
    )
    assert "Down-Pa55-Q1" not in result.stdout + result.stderr


def test_diagnose_unknown_check_exits_3_with_one_line():
    result = _run_diagnose(f"postgres://aicmo@127.0.0.1:{free_port()}/aicmo", "--check", "nope")
    assert result.returncode == 3
    errors = [line for line in result.stderr.splitlines() if "Unknown check" in line]
    assert errors == [
        "CommandError: Unknown check 'nope'; choose from: database_configuration, "
        "database_connectivity, migrations, generation_backend, publishing_adapters, "
        "background_worker, oldest_waiting_job, django_checks, static_files, build, versions."
    ]


def test_diagnose_does_not_wait_twice_on_a_silent_database():
    import socket

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(5)
        url = f"postgres://aicmo@127.0.0.1:{silent.getsockname()[1]}/aicmo?connect_timeout=2"
        result = _run_diagnose(url, "--json")
    checks = {check["name"]: check for check in json.loads(result.stdout)["checks"]}
    assert checks["database_connectivity"]["summary"].startswith("Timed out")
    assert checks["publishing_adapters"]["summary"] == (
        "Publishing adapters cannot be checked: the database is not reachable."
    )
    assert checks["migrations"]["duration_ms"] == 0.0
