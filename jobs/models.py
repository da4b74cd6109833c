"""What an operator sees of a background job, and the heartbeats of the workers.

`Job` mirrors every task enqueued through Django's Tasks API, whatever the backend (the
immediate backend keeps no results of its own), so a page can say "your job: queued / running /
failed: <error> / done" from the task result id it was given at enqueue time.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        FAILED = "failed", "Failed"
        DONE = "done", "Done"

    task_result_id = models.CharField(max_length=64, unique=True)
    task_path = models.CharField(max_length=255)
    backend = models.CharField(max_length=32)
    label = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField(default=1)
    # The last error in one line, secrets masked: what the operator is shown.
    error = models.TextField(blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    enqueued_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-enqueued_at"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.label or self.task_name} ({self.get_status_display().lower()})"

    @property
    def task_name(self) -> str:
        return self.task_path.rsplit(".", 1)[-1]

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.FAILED, self.Status.DONE)


class WorkerHeartbeat(models.Model):
    """One row per running `db_worker`, touched every WORKER_HEARTBEAT_SECONDS."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    queues = models.CharField(max_length=255)
    started_at = models.DateTimeField()
    last_seen = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-last_seen"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.worker_id} on {self.hostname} (pid {self.pid})"
