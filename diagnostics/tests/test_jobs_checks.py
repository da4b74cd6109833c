"""The Background worker and Oldest waiting job checks, from real rows and a real worker."""

from __future__ import annotations

import datetime
import io
import json
import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from aicmo_site.testing import BASE_DIR, free_port
from aicmo_site.tests import sample_tasks
from aicmo_site.tests.test_tasks import _start_worker, _stop, _wait_until, postgres_only
from diagnostics.checks import run_check
from jobs.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_backend(settings):
    settings.TASKS = {"default": {"BACKEND": "jobs.backends.DatabaseBackend"}}
    settings.TASKS_BACKEND = "database"
    settings.WORKER_HEARTBEAT_SECONDS = 5
    settings.JOBS_WAITING_WARN_SECONDS = 300
    settings.JOBS_WAITING_FAIL_SECONDS = 1800


@pytest.fixture
def immediate_backend(settings):
    settings.TASKS = {"default": {"BACKEND": "jobs.backends.ImmediateBackend"}}
    settings.TASKS_BACKEND = "immediate"


def _heartbeat(worker_id: str, seconds_ago: float) -> WorkerHeartbeat:
    now = timezone.now()
    return WorkerHeartbeat.objects.create(
        worker_id=worker_id, hostname="vm1", pid=4242, queues="*", started_at=now,
        last_seen=now - datetime.timedelta(seconds=seconds_ago))


def _waiting_job(seconds_ago: float) -> None:
    result = sample_tasks.record_run.enqueue("waiting")
    DBTaskResult.objects.filter(id=result.id).update(
        enqueued_at=timezone.now() - datetime.timedelta(seconds=seconds_ago))


def _diagnose(*names: str) -> tuple[int, str]:
    out = io.StringIO()
    args = [arg for name in names for arg in ("--check", name)]
    try:
        call_command("diagnose", *args, stdout=out)
    except SystemExit as exit_:
        return int(exit_.code), out.getvalue()
    return 0, out.getvalue()


# --- Background worker ---------------------------------------------------------------------

@pytest.mark.embedded
def test_background_worker_is_ok_without_a_worker_on_the_immediate_backend(immediate_backend):
    result = run_check("background_worker")
    assert result.status == "ok"
    assert result.summary.startswith("No worker is needed: jobs run inside the request")


def test_background_worker_fails_with_no_worker_and_says_how_to_start_one(database_backend):
    code, out = _diagnose("background_worker")
    assert code == 2
    assert "FAIL  Background worker" in out
    assert "No background worker is alive" in out
    assert "`python manage.py db_worker`" in out
    assert "`make serve`" in out


def test_background_worker_fails_when_the_only_heartbeat_is_stale(database_backend):
    _heartbeat("vm1-1", seconds_ago=60)
    result = run_check("background_worker")
    assert result.status == "fail"
    assert result.summary.startswith("No background worker is alive: 1 stopped sending")
    assert "Gone: vm1-1 on vm1 (pid 4242, queues *): last beat 60 s ago" in result.details
    assert "manage.py db_worker" in result.remediation


def test_background_worker_is_ok_with_one_fresh_heartbeat_among_stale_ones(database_backend):
    _heartbeat("vm1-1", seconds_ago=60)
    _heartbeat("vm2-1", seconds_ago=1)
    result = run_check("background_worker")
    assert (result.status, result.summary) == ("ok", "1 background worker alive.")
    assert any(line.startswith("Alive: vm2-1 on vm1") for line in result.details)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_background_worker_is_ok_while_a_real_worker_runs(database_backend, tmp_path):
    worker = _start_worker(tmp_path / "worker.log")
    try:
        _wait_until(lambda: WorkerHeartbeat.objects.filter(pid=worker.pid).exists())
        result = run_check("background_worker")
    finally:
        assert _stop(worker) == 0
    assert (result.status, result.summary) == ("ok", "1 background worker alive.")
    assert run_check("background_worker").status == "fail"  # it left cleanly


# --- Oldest waiting job ----------------------------------------------------------------------

@pytest.mark.embedded
def test_oldest_waiting_job_is_ok_on_the_immediate_backend(immediate_backend):
    result = run_check("oldest_waiting_job")
    assert result.status == "ok"
    assert result.summary.startswith("No job ever waits")


def test_oldest_waiting_job_is_ok_when_nothing_waits(database_backend):
    assert run_check("oldest_waiting_job").summary == "No job is waiting for a worker."


def test_oldest_waiting_job_is_ok_below_the_warning_threshold(database_backend):
    _waiting_job(seconds_ago=30)
    result = run_check("oldest_waiting_job")
    assert (result.status, result.summary) == (
        "ok", "The oldest ready job has waited 30 s for a worker.")
    assert "Jobs ready to run: 1" in result.details


def test_oldest_waiting_job_warns_above_the_warning_threshold(database_backend):
    _waiting_job(seconds_ago=600)
    _waiting_job(seconds_ago=10)
    code, out = _diagnose("oldest_waiting_job")
    assert code == 1
    assert "WARN  Oldest waiting job" in out
    assert "The oldest ready job has waited 10 min for a worker." in out
    assert "Jobs ready to run: 2" in out


def test_oldest_waiting_job_fails_above_the_failure_threshold(database_backend):
    _waiting_job(seconds_ago=3600)
    result = run_check("oldest_waiting_job")
    assert (result.status, result.summary) == (
        "fail", "The oldest ready job has waited 60 min for a worker.")
    assert "db_worker" in result.remediation


def test_oldest_waiting_job_ignores_a_job_deferred_to_later(database_backend):
    sample_tasks.record_run.using(
        run_after=timezone.now() + datetime.timedelta(hours=1)).enqueue("later")
    assert run_check("oldest_waiting_job").status == "ok"


def test_oldest_waiting_job_thresholds_come_from_the_settings(database_backend, settings):
    settings.JOBS_WAITING_WARN_SECONDS = 10
    settings.JOBS_WAITING_FAIL_SECONDS = 20
    _waiting_job(seconds_ago=15)
    assert run_check("oldest_waiting_job").status == "warn"


# --- With the database down --------------------------------------------------------------------

def test_job_checks_alone_say_they_cannot_check_a_database_that_is_down():
    env = {**os.environ, "DATABASE_URL": f"postgres://aicmo@127.0.0.1:{free_port()}/aicmo",
           "TASKS_BACKEND": "database", "DEBUG": "false",
           "SECRET_KEY": "test-secret-key-not-for-production"}
    result = subprocess.run(
        [sys.executable, "manage.py", "diagnose", "--json", "--check", "background_worker",
         "--check", "oldest_waiting_job"],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 2, result.stderr
    checks = {check["name"]: check for check in json.loads(result.stdout)["checks"]}
    assert checks["background_worker"]["summary"] == (
        "Background workers cannot be checked: the database did not answer (OperationalError).")
    assert checks["oldest_waiting_job"]["summary"] == (
        "The oldest waiting job cannot be checked: the database did not answer "
        "(OperationalError).")


def test_background_worker_lists_only_the_latest_gone_workers(database_backend):
    for n in range(7):
        _heartbeat(f"old-{n}", seconds_ago=60 + n)
    details = run_check("background_worker").details
    assert [line.split()[1] for line in details if line.startswith("Gone:")] == [
        "old-0", "old-1", "old-2", "old-3", "old-4"]
    assert "… and 2 more gone (admin › Worker heartbeats)" in details
