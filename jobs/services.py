"""Starting a background job on behalf of a person."""

from __future__ import annotations

from typing import Any

from django.tasks import Task

from jobs.context import enqueue_context
from jobs.models import Job


def job_enqueue(
    *,
    task: Task,
    args: tuple | list = (),
    kwargs: dict[str, Any] | None = None,
    started_by=None,
    label: str = "",
) -> Job:
    """Enqueue `task` like `task.enqueue(*args, **kwargs)` and return its `Job` row.

    Keep `job.task_result_id` (on your own model or in the redirect URL) and show it later with
    `{% include "includes/job_status.html" with job=job %}`. With the immediate backend the job
    has already run when this returns; with the database backend a worker runs it.
    """
    with enqueue_context(started_by=started_by, label=label):
        result = task.enqueue(*args, **(kwargs or {}))
    return Job.objects.get(task_result_id=str(result.id))
