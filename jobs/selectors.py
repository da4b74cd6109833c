"""Reads: a job's status, and the health of the background workers (for diagnostics)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from jobs.models import Job, WorkerHeartbeat

# A worker that has not written a heartbeat for this many beats counts as gone.
MISSED_BEATS = 3


def uses_worker() -> bool:
    """Whether jobs wait in the database for a `db_worker` (the configured default backend is
    django-tasks-db's), rather than running inside the request."""
    from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend)


def job_get(task_result_id: str) -> Job | None:
    return Job.objects.select_related("started_by").filter(task_result_id=task_result_id).first()


def job_get_for_user(task_result_id: str, user) -> Job | None:
    """The job, when `user` started it or may view every job; otherwise None."""
    job = job_get(task_result_id)
    if job is None:
        return None
    if job.started_by_id == user.pk or user.has_perm("jobs.view_job"):
        return job
    return None


@dataclass(frozen=True)
class WorkerInfo:
    worker_id: str
    hostname: str
    pid: int
    queues: str
    started_at: datetime.datetime
    last_seen: datetime.datetime
    seconds_since_seen: float


@dataclass(frozen=True)
class WorkerLiveness:
    """`needs_worker` is False with the immediate backend (jobs run in the web process).
    `ok` is True when no worker is needed or at least one is alive."""

    backend: str
    needs_worker: bool
    alive: list[WorkerInfo] = field(default_factory=list)
    gone: list[WorkerInfo] = field(default_factory=list)
    stale_after_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.needs_worker or bool(self.alive)


def worker_liveness() -> WorkerLiveness:
    """Which `db_worker` processes wrote a heartbeat lately. Queries the database (raises
    its error when the database is down, like any query)."""
    stale_after = settings.WORKER_HEARTBEAT_SECONDS * MISSED_BEATS
    now = timezone.now()
    alive: list[WorkerInfo] = []
    gone: list[WorkerInfo] = []
    for beat in WorkerHeartbeat.objects.order_by("hostname", "worker_id"):
        age = (now - beat.last_seen).total_seconds()
        info = WorkerInfo(
            worker_id=beat.worker_id,
            hostname=beat.hostname,
            pid=beat.pid,
            queues=beat.queues,
            started_at=beat.started_at,
            last_seen=beat.last_seen,
            seconds_since_seen=round(age, 1),
        )
        (alive if age <= stale_after else gone).append(info)
    needs_worker = uses_worker()
    return WorkerLiveness(
        backend="database" if needs_worker else "immediate",
        needs_worker=needs_worker,
        alive=alive,
        gone=gone,
        stale_after_seconds=stale_after,
    )


def oldest_waiting_job_age() -> float | None:
    """Seconds the oldest job that could run now has been waiting for a worker; None when
    nothing waits (or with the immediate backend, where nothing ever waits). A job deferred
    or delayed for a retry counts as waiting only from the moment it may run."""
    if not uses_worker():
        return None
    from django_tasks_db.models import DBTaskResult, get_date_max

    ready = DBTaskResult.objects.ready()
    waiting_since: list[datetime.datetime] = []
    undeferred = (
        ready.filter(run_after=get_date_max()).order_by("enqueued_at").values_list(
            "enqueued_at", flat=True
        ).first()
    )
    if undeferred:
        waiting_since.append(undeferred)
    deferred = (
        ready.exclude(run_after=get_date_max()).order_by("run_after").values_list(
            "run_after", "enqueued_at"
        ).first()
    )
    if deferred:
        waiting_since.append(max(deferred))
    if not waiting_since:
        return None
    return max(0.0, round((timezone.now() - min(waiting_since)).total_seconds(), 1))
