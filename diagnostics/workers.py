"""Background jobs: is a worker alive when jobs need one, and how long has the oldest ready job
waited. Both read the database (jobs.selectors); a database that does not answer is reported as
"cannot be checked", like the other checks that need it."""

from __future__ import annotations

from django.db import DatabaseError

from jobs.selectors import WorkerInfo, oldest_waiting_job_age, uses_worker, worker_liveness

MAX_GONE_LISTED = 5
START_WORKER = (
    "Start a worker: `python manage.py db_worker` (or `make serve`, which starts "
    "TASK_WORKERS of them beside the web process); as a service, "
    "`systemctl start aicmo-worker@1`; with compose, `docker compose up -d worker`."
)


def _unreachable(title: str, exc: DatabaseError) -> tuple[str, str, list[str], str]:
    return (
        "fail",
        f"{title} cannot be checked: the database did not answer ({type(exc).__name__}).",
        [],
        "Fix database connectivity first (see that check); if it is fine, run "
        "`python manage.py migrate`.",
    )


def _describe(worker: WorkerInfo) -> str:
    return (f"{worker.worker_id} on {worker.hostname} (pid {worker.pid}, queues {worker.queues}): "
            f"last beat {worker.seconds_since_seen:g} s ago")


def check_background_worker() -> tuple[str, str, list[str], str]:
    if not uses_worker():
        return (
            "ok",
            "No worker is needed: jobs run inside the request that starts them "
            "(TASKS_BACKEND=immediate).",
            ["Backend: immediate"],
            "",
        )
    try:
        liveness = worker_liveness()
    except DatabaseError as exc:
        return _unreachable("Background workers", exc)
    details = [f"Backend: {liveness.backend} (jobs wait in the database for a worker)",
               f"A worker counts as gone after {liveness.stale_after_seconds:g} s without a "
               "heartbeat"]
    details += [f"Alive: {_describe(worker)}" for worker in liveness.alive]
    # The most recently silent first; a machine that restarted workers often leaves many rows.
    gone = sorted(liveness.gone, key=lambda worker: worker.seconds_since_seen)
    details += [f"Gone: {_describe(worker)}" for worker in gone[:MAX_GONE_LISTED]]
    if len(gone) > MAX_GONE_LISTED:
        details.append(f"… and {len(gone) - MAX_GONE_LISTED} more gone (admin › Worker "
                       "heartbeats)")
    if liveness.alive:
        count = len(liveness.alive)
        return "ok", f"{count} background worker{'s' if count != 1 else ''} alive.", details, ""
    summary = "No background worker is alive: jobs wait in the database and nothing runs them."
    if liveness.gone:
        summary = (f"No background worker is alive: {len(liveness.gone)} stopped sending "
                   "heartbeats, and jobs wait in the database with nothing to run them.")
    return "fail", summary, details, START_WORKER


def _seconds(value: float) -> str:
    if value < 120:
        return f"{value:.0f} s"
    if value < 7200:
        return f"{value / 60:.0f} min"
    return f"{value / 3600:.1f} h"


def check_oldest_waiting_job(warn_after: float, fail_after: float) -> tuple[str, str, list[str], str]:
    fail_after = max(fail_after, warn_after)
    if not uses_worker():
        return ("ok", "No job ever waits: jobs run inside the request that starts them "
                      "(TASKS_BACKEND=immediate).", ["Backend: immediate"], "")
    try:
        age = oldest_waiting_job_age()
        from django_tasks_db.models import DBTaskResult

        ready = DBTaskResult.objects.ready().count()
    except DatabaseError as exc:
        return _unreachable("The oldest waiting job", exc)
    details = [f"Jobs ready to run: {ready}",
               f"Warning after {_seconds(warn_after)}, failure after {_seconds(fail_after)} "
               "(JOBS_WAITING_WARN_SECONDS, JOBS_WAITING_FAIL_SECONDS)"]
    if age is None:
        return "ok", "No job is waiting for a worker.", details, ""
    summary = f"The oldest ready job has waited {_seconds(age)} for a worker."
    if age <= warn_after:
        return "ok", summary, details, ""
    remediation = (
        "Check the Background worker check and admin › Worker heartbeats: if no worker is "
        "alive, start one (`python manage.py db_worker`, or `make serve`); if they are alive "
        "but busy, add workers (more `aicmo-worker@N` services, or "
        "`docker compose up -d --scale worker=3`); a job that runs for ever shows as Running "
        "in admin › Background jobs › Jobs."
    )
    return ("fail" if age > fail_after else "warn"), summary, details, remediation
