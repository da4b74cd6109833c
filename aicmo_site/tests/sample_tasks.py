"""Tasks the background-job tests enqueue. A worker process imports them by path.

Each run creates a Group named after its task result id: Group.name is unique, so a job run
twice would fail on the second run and show up in the tests.
"""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.tasks import task

from jobs.retries import PermanentError, retry_limit


@task(takes_context=True)
def record_run(context, label: str) -> str:
    Group.objects.create(name=f"run-{context.task_result.id}")
    return label


@task(takes_context=True)
def flaky(context, fail_times: int) -> int:
    """Fails on its first `fail_times` attempts, then records its run."""
    if context.attempt <= fail_times:
        raise RuntimeError(
            f"attempt {context.attempt} failed calling https://api.example/?token=abc123xyz"
        )
    Group.objects.create(name=f"run-{context.task_result.id}")
    return context.attempt


@retry_limit(1)
@task
def always_fails() -> None:
    raise ValueError("bad row 3")


@task
def rejects() -> None:
    raise PermanentError("the file has no email column")
