"""Keeps `Job` rows in step with Django's task signals, and re-queues failed attempts.

The handlers run inside `enqueue()` (in the web process) and inside the worker around each
attempt. They never raise: a mirror row that cannot be written must not stop the job itself.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.dispatch import receiver
from django.tasks import TaskResult, TaskResultStatus
from django.tasks.signals import task_enqueued, task_finished, task_started
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend

from jobs import context, retries
from jobs.models import Job

logger = logging.getLogger("aicmo.jobs")


def error_line(task_result: TaskResult) -> str:
    """The last error as one line an operator can read ("ValueError: bad row 3")."""
    from aicmo_site.logging import mask_secrets

    if not task_result.errors:
        return ""
    lines = [line for line in task_result.errors[-1].traceback.splitlines() if line.strip()]
    line = lines[-1].strip() if lines else task_result.errors[-1].exception_class_path
    return mask_secrets(line)[:500]


@receiver(task_enqueued)
def job_on_enqueued(sender, task_result: TaskResult, **kwargs) -> None:
    try:
        started_by, label = context.current()
        with transaction.atomic():
            job, created = Job.objects.get_or_create(
                task_result_id=str(task_result.id),
                defaults={
                    "task_path": task_result.task.module_path,
                    "backend": task_result.backend,
                    "label": label[:200],
                    "started_by": started_by,
                    "max_attempts": retries.max_attempts_for(task_result.task.module_path),
                    "enqueued_at": task_result.enqueued_at or timezone.now(),
                },
            )
            if not created and job.status != Job.Status.QUEUED:
                Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED)
    except Exception:
        logger.exception("Could not record the job %s", task_result.id)


@receiver(task_started)
def job_on_started(sender, task_result: TaskResult, **kwargs) -> None:
    try:
        _update(
            task_result,
            status=Job.Status.RUNNING,
            attempts=task_result.attempts,
            started_at=task_result.started_at or timezone.now(),
        )
    except Exception:
        logger.exception("Could not mark the job %s running", task_result.id)


@receiver(task_finished)
def job_on_finished(sender, task_result: TaskResult, **kwargs) -> None:
    will_retry = retries.should_retry(task_result)
    try:
        if task_result.status == TaskResultStatus.SUCCESSFUL:
            fields = {"status": Job.Status.DONE, "error": ""}
        elif will_retry:
            fields = {"status": Job.Status.QUEUED, "error": error_line(task_result)}
        else:
            fields = {"status": Job.Status.FAILED, "error": error_line(task_result)}
        _update(
            task_result,
            attempts=task_result.attempts,
            finished_at=None if will_retry else (task_result.finished_at or timezone.now()),
            **fields,
        )
    except Exception:
        logger.exception("Could not record the outcome of the job %s", task_result.id)
    # After the Job row says "queued": another worker may claim the row the moment it is back.
    if will_retry and isinstance(sender, type) and issubclass(sender, DatabaseBackend):
        _requeue(task_result)
    if task_result.status == TaskResultStatus.FAILED:
        logger.warning(
            "Job %s (%s) failed on attempt %s: %s%s",
            task_result.id,
            task_result.task.name,
            task_result.attempts,
            error_line(task_result),
            "; it will be retried" if will_retry else "",
        )


def _update(task_result: TaskResult, **fields) -> None:
    with transaction.atomic():
        Job.objects.filter(task_result_id=str(task_result.id)).update(**fields)


def _requeue(task_result: TaskResult) -> None:
    """Put the failed row back in the queue: same id, run after a growing delay."""
    from django_tasks_db.models import DBTaskResult

    try:
        DBTaskResult.objects.filter(
            id=task_result.id, status=TaskResultStatus.FAILED
        ).update(
            status=TaskResultStatus.READY,
            run_after=timezone.now() + retries.retry_delay(task_result.attempts),
            finished_at=None,
        )
    except Exception:
        logger.exception("Could not re-queue the job %s", task_result.id)
