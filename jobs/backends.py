"""The two task backends AICMO chooses between (settings.TASKS_BACKEND)."""

from __future__ import annotations

from django.tasks import TaskResultStatus
from django.tasks.backends.immediate import ImmediateBackend as DjangoImmediateBackend
from django_tasks_db.backend import DatabaseBackend

from jobs.retries import should_retry

__all__ = ["DatabaseBackend", "ImmediateBackend"]


class ImmediateBackend(DjangoImmediateBackend):
    """Django's immediate backend, with the same retry rule as the workers apply."""

    def _execute_task(self, task_result) -> None:
        while True:
            super()._execute_task(task_result)
            if not should_retry(task_result):
                return
            object.__setattr__(task_result, "status", TaskResultStatus.READY)
            object.__setattr__(task_result, "finished_at", None)
