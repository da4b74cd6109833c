"""Retrying failed jobs within a limit.

Every task gets settings.TASKS_MAX_ATTEMPTS attempts in all unless it says otherwise with
`@retry_limit(n)` (put it above `@task`); a task that raises `PermanentError` (or a subclass)
is not retried, because trying again cannot help (bad input, a missing row).

With the database backend a failed attempt puts the same job row back in the queue with a
delay (TASKS_RETRY_DELAY, doubled per attempt); the task result id stays the same, so the page
that shows the job's status keeps following it. With the immediate backend the attempts run
one after another inside the request.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.tasks import Task, TaskResult, TaskResultStatus
from django.utils.module_loading import import_string

_LIMITS: dict[str, int] = {}
MAX_DELAY_SECONDS = 3600.0


class PermanentError(Exception):
    """Raise from a task when another attempt cannot succeed; the job fails at once."""


def retry_limit(attempts: int):
    """Decorate a Task: at most `attempts` attempts in all (1 = never retried)."""
    if attempts < 1:
        raise ValueError("A task needs at least one attempt.")

    def register(task: Task) -> Task:
        _LIMITS[task.module_path] = attempts
        return task

    return register


def max_attempts_for(task_path: str) -> int:
    return max(1, _LIMITS.get(task_path, settings.TASKS_MAX_ATTEMPTS))


def _is_permanent(exception_class_path: str) -> bool:
    try:
        exception_class = import_string(exception_class_path)
    except ImportError:
        return False
    return isinstance(exception_class, type) and issubclass(exception_class, PermanentError)


def should_retry(task_result: TaskResult) -> bool:
    if task_result.status != TaskResultStatus.FAILED or not task_result.errors:
        return False
    if _is_permanent(task_result.errors[-1].exception_class_path):
        return False
    return task_result.attempts < max_attempts_for(task_result.task.module_path)


def retry_delay(attempts_so_far: int) -> datetime.timedelta:
    seconds = settings.TASKS_RETRY_DELAY * 2 ** max(0, attempts_so_far - 1)
    return datetime.timedelta(seconds=min(seconds, MAX_DELAY_SECONDS))
