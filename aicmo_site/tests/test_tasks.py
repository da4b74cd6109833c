"""Background jobs: the worker against PostgreSQL, exactly-once claiming, retries, the
immediate default on SQLite, the status include, and the health readings for diagnostics."""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import environ
import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from aicmo_site import config
from aicmo_site.tests import sample_tasks
from jobs.models import Job, WorkerHeartbeat
from jobs.selectors import oldest_waiting_job_age, worker_liveness
from jobs.services import job_enqueue

BASE_DIR = Path(__file__).resolve().parents[2]
DATABASE_BACKEND = {"default": {"BACKEND": "jobs.backends.DatabaseBackend"}}
IMMEDIATE_BACKEND = {"default": {"BACKEND": "jobs.backends.ImmediateBackend"}}
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the worker claims jobs from PostgreSQL"
)


@pytest.fixture
def database_backend(settings):
    settings.TASKS = DATABASE_BACKEND
    settings.TASKS_BACKEND = "database"
    settings.TASKS_RETRY_DELAY = 0


@pytest.fixture
def immediate_backend(settings):
    settings.TASKS = IMMEDIATE_BACKEND
    settings.TASKS_BACKEND = "immediate"
    settings.TASKS_RETRY_DELAY = 0


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
        f"{db['NAME']}"
    )


def _start_worker(log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "TASKS_BACKEND": "database",
        "TASKS_RETRY_DELAY": "0",
        "WORKER_HEARTBEAT_SECONDS": "0.5",
        "DEBUG": "false",
        "SECRET_KEY": "test-secret-key-not-for-production",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--interval", "0.1", "--no-startup-delay"],
        cwd=BASE_DIR, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )


def _stop(worker: subprocess.Popen) -> int:
    worker.send_signal(signal.SIGTERM)
    try:
        return worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()  # never leave a worker behind holding the test database
        worker.wait()
        raise


def _wait_until(predicate, timeout: float = 60.0) -> None:
    """Returns as soon as `predicate()` holds; the timeout only matters on a busy machine."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError("timed out waiting")


# --- A worker process against PostgreSQL -------------------------------------------------

@postgres_only
@pytest.mark.django_db(transaction=True)
def test_worker_process_runs_a_job_enqueued_by_code(database_backend, operator, tmp_path):
    job = job_enqueue(task=sample_tasks.record_run, args=["welcome"], started_by=operator,
                      label="Welcome")
    assert Job.objects.get(pk=job.pk).status == Job.Status.QUEUED
    worker = _start_worker(tmp_path / "worker.log")
    try:
        _wait_until(lambda: Job.objects.get(pk=job.pk).is_finished)
    finally:
        assert _stop(worker) == 0
    job.refresh_from_db()
    assert (job.status, job.attempts, job.started_by, job.label) == (
        Job.Status.DONE, 1, operator, "Welcome")
    assert Group.objects.filter(name=f"run-{job.task_result_id}").exists()
    assert DBTaskResult.objects.get(id=job.task_result_id).return_value == "welcome"


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_workers_never_run_the_same_job(database_backend, tmp_path):
    jobs = [job_enqueue(task=sample_tasks.record_run, args=[f"job {n}"]) for n in range(30)]
    workers = [_start_worker(tmp_path / f"worker{n}.log") for n in range(2)]
    try:
        _wait_until(lambda: Job.objects.filter(status=Job.Status.DONE).count() == len(jobs))
    finally:
        assert [_stop(worker) for worker in workers] == [0, 0]
    assert Group.objects.filter(name__startswith="run-").count() == len(jobs)
    # One claim per job: no job was ever handed to a second worker.
    assert all(len(row.worker_ids) == 1 for row in DBTaskResult.objects.all())
    assert not Job.objects.exclude(status=Job.Status.DONE).exists()


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_worker_retries_a_failed_job_under_the_same_id(database_backend, tmp_path):
    job = job_enqueue(task=sample_tasks.flaky, args=[1])
    worker = _start_worker(tmp_path / "worker.log")
    try:
        _wait_until(lambda: Job.objects.get(pk=job.pk).is_finished)
    finally:
        _stop(worker)
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.DONE, 2)
    assert len(DBTaskResult.objects.get(id=job.task_result_id).worker_ids) == 2


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_worker_heartbeat_shows_alive_then_leaves_on_clean_stop(database_backend, tmp_path):
    worker = _start_worker(tmp_path / "worker.log")
    try:
        _wait_until(lambda: worker_liveness().ok)
        assert worker_liveness().alive[0].pid == worker.pid
    finally:
        _stop(worker)
    assert not WorkerHeartbeat.objects.exists()
    assert not worker_liveness().ok


# --- The immediate backend: no worker --------------------------------------------------

@pytest.mark.embedded
@pytest.mark.django_db
def test_immediate_backend_completes_the_job_at_enqueue(immediate_backend, operator):
    job = job_enqueue(task=sample_tasks.record_run, args=["now"], started_by=operator)
    assert (job.status, job.attempts) == (Job.Status.DONE, 1)
    assert Group.objects.filter(name=f"run-{job.task_result_id}").exists()


@pytest.mark.embedded
@pytest.mark.django_db
def test_immediate_backend_retries_up_to_the_limit(immediate_backend):
    job = job_enqueue(task=sample_tasks.flaky, args=[2])
    assert (job.status, job.attempts, job.error) == (Job.Status.DONE, 3, "")


@pytest.mark.django_db
def test_job_fails_with_its_error_once_attempts_are_used(immediate_backend, settings):
    settings.TASKS_MAX_ATTEMPTS = 2
    job = job_enqueue(task=sample_tasks.flaky, args=[5])
    assert (job.status, job.attempts) == (Job.Status.FAILED, 2)
    assert job.error.startswith("RuntimeError: attempt 2 failed")


@pytest.mark.django_db
def test_retry_limit_decorator_overrides_the_setting(immediate_backend):
    job = job_enqueue(task=sample_tasks.always_fails)
    assert (job.status, job.attempts, job.max_attempts) == (Job.Status.FAILED, 1, 1)
    assert job.error == "ValueError: bad row 3"


@pytest.mark.django_db
def test_permanent_error_is_not_retried(immediate_backend):
    job = job_enqueue(task=sample_tasks.rejects)
    assert (job.status, job.attempts) == (Job.Status.FAILED, 1)
    assert job.error == "jobs.retries.PermanentError: the file has no email column"


@pytest.mark.django_db
def test_job_error_masks_secrets(immediate_backend, settings):
    settings.TASKS_MAX_ATTEMPTS = 1
    job = job_enqueue(task=sample_tasks.flaky, args=[1])
    assert "abc123xyz" not in job.error
    assert "token=****" in job.error


@pytest.mark.django_db
def test_plain_enqueue_is_recorded_too(immediate_backend):
    result = sample_tasks.record_run.enqueue("plain")
    job = Job.objects.get(task_result_id=result.id)
    assert (job.status, job.started_by, job.task_name) == (Job.Status.DONE, None, "record_run")


# --- The status include and page ------------------------------------------------------

def _job(**fields) -> Job:
    defaults = {"task_result_id": "r1", "task_path": "x.import_leads", "backend": "default",
                "label": "Import leads.csv", "enqueued_at": timezone.now(), "max_attempts": 3}
    return Job.objects.create(**{**defaults, **fields})


@pytest.mark.django_db
@pytest.mark.parametrize(("status", "attempts", "error", "expected"), [
    ("queued", 0, "", "queued</strong>, waiting for a worker"),
    ("queued", 1, "OSError: down", "attempt 1 of 3 failed (OSError: down); it will be tried again"),
    ("running", 1, "", "<strong>running</strong>."),
    ("failed", 3, "ValueError: bad row 3", "failed</strong>: ValueError: bad row 3 (after 3"),
    ("done", 1, "", "<strong>done</strong>"),
])
def test_job_status_include_says_where_the_job_is(status, attempts, error, expected):
    html = render_to_string("includes/job_status.html",
                            {"job": _job(status=status, attempts=attempts, error=error)})
    assert expected in " ".join(html.split())
    assert ("hx-trigger" in html) is (status in ("queued", "running"))


@pytest.mark.django_db
def test_job_status_page_shows_the_starter_their_job(operator_client, operator):
    _job(started_by=operator)
    response = operator_client.get("/jobs/r1/")
    assert response.status_code == 200
    assert "Your job “Import leads.csv”:" in response.text
    assert "<h1>Background job</h1>" in response.text


@pytest.mark.django_db
def test_job_status_htmx_returns_the_fragment(operator_client, operator):
    _job(started_by=operator)
    response = operator_client.get("/jobs/r1/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="job-r1"')
    assert "<h1>" not in response.text


@pytest.mark.django_db
def test_job_status_hides_other_peoples_jobs_from_outsiders(outsider_client, operator):
    _job(started_by=operator)
    assert outsider_client.get("/jobs/r1/").status_code == 404


@pytest.mark.django_db
def test_job_status_needs_a_login(client):
    _job()
    response = client.get("/jobs/r1/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_job_status_rejects_post(operator_client, operator):
    _job(started_by=operator)
    assert operator_client.post("/jobs/r1/").status_code == 405


# --- Health readings for diagnostics ---------------------------------------------------

@pytest.mark.embedded
@pytest.mark.django_db
def test_worker_liveness_needs_no_worker_with_the_immediate_backend(immediate_backend):
    liveness = worker_liveness()
    assert (liveness.needs_worker, liveness.ok) == (False, True)
    assert oldest_waiting_job_age() is None


@pytest.mark.django_db
def test_worker_liveness_tells_alive_from_gone(database_backend, settings):
    settings.WORKER_HEARTBEAT_SECONDS = 5
    now = timezone.now()
    for worker_id, age in (("fresh", 2), ("silent", 60)):
        WorkerHeartbeat.objects.create(worker_id=worker_id, hostname="vm1", pid=1, queues="*",
                                       started_at=now, last_seen=now - datetime.timedelta(seconds=age))
    liveness = worker_liveness()
    assert [w.worker_id for w in liveness.alive] == ["fresh"]
    assert [w.worker_id for w in liveness.gone] == ["silent"]
    assert liveness.ok


@pytest.mark.django_db
def test_worker_liveness_fails_with_the_database_backend_and_no_worker(database_backend):
    assert not worker_liveness().ok


@pytest.mark.django_db
def test_oldest_waiting_job_age_counts_only_jobs_that_may_run(database_backend):
    assert oldest_waiting_job_age() is None
    sample_tasks.record_run.using(
        run_after=timezone.now() + datetime.timedelta(hours=1)).enqueue("later")
    assert oldest_waiting_job_age() is None
    result = sample_tasks.record_run.enqueue("now")
    DBTaskResult.objects.filter(id=result.id).update(
        enqueued_at=timezone.now() - datetime.timedelta(seconds=90))
    assert 89 <= oldest_waiting_job_age() < 120


# --- Choosing the backend ---------------------------------------------------------------

def _tasks_env(monkeypatch, value: str | None) -> environ.Env:
    monkeypatch.delenv("TASKS_BACKEND", raising=False)
    if value is not None:
        monkeypatch.setenv("TASKS_BACKEND", value)
    return environ.Env()


@pytest.mark.embedded
def test_tasks_backend_defaults_to_immediate_on_sqlite(monkeypatch):
    assert config.tasks_backend(_tasks_env(monkeypatch, None), "sqlite:////x.db") == "immediate"


def test_tasks_backend_defaults_to_database_on_postgresql(monkeypatch):
    assert config.tasks_backend(_tasks_env(monkeypatch, None), "postgres://u@h/db") == "database"


def test_tasks_backend_rejects_an_unknown_name(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="TASKS_BACKEND is 'redis'"):
        config.tasks_backend(_tasks_env(monkeypatch, "redis"), "postgres://u@h/db")


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/admin/jobs/job/", "/admin/jobs/workerheartbeat/"])
def test_admin_lists_jobs_and_workers(admin_client, operator, path):
    _job(started_by=operator, status="failed", error="ValueError: bad row 3")
    WorkerHeartbeat.objects.create(worker_id="w1", hostname="vm1", pid=7, queues="*",
                                   started_at=timezone.now(), last_seen=timezone.now())
    response = admin_client.get(path, {"q": "bad row" if "job/" in path else "vm1"})
    assert response.status_code == 200
    assert ("ValueError: bad row 3" if "job/" in path else "vm1") in response.text
