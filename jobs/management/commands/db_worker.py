"""django-tasks-db's `db_worker`, plus a heartbeat row so diagnostics can tell it is alive.

It overrides the library's command of the same name (the `jobs` app comes first in
INSTALLED_APPS), and by default processes every queue.
"""

from __future__ import annotations

import logging
import os
import socket
import threading

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Command as LibraryCommand

from jobs.models import WorkerHeartbeat

logger = logging.getLogger("aicmo.jobs")

# Heartbeat rows of workers that vanished without a clean exit are kept this long, so
# diagnostics can name them, then pruned.
FORGET_GONE_AFTER = 3600


class Heartbeat(threading.Thread):
    def __init__(self, *, worker_id: str, queues: str, interval: float):
        super().__init__(name="worker-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.queues = queues
        self.interval = interval
        self.stopped = threading.Event()
        self.started_at = timezone.now()

    def beat(self) -> None:
        now = timezone.now()
        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={
                "hostname": socket.gethostname()[:255],
                "pid": os.getpid(),
                "queues": self.queues[:255],
                "started_at": self.started_at,
                "last_seen": now,
            },
        )
        WorkerHeartbeat.objects.filter(
            last_seen__lt=now - timezone.timedelta(seconds=FORGET_GONE_AFTER)
        ).delete()

    def run(self) -> None:
        try:
            while not self.stopped.is_set():
                try:
                    self.beat()
                except Exception:  # the database may be down for a while: keep trying
                    logger.exception("Worker heartbeat failed")
                    connection.close()
                self.stopped.wait(self.interval)
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=self.interval + 5)
        try:
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
        except Exception:
            logger.exception("Could not remove the heartbeat of worker %s", self.worker_id)


class Command(LibraryCommand):
    help = (
        "Run a background worker: claims jobs from the database (SKIP LOCKED, so any number of "
        "workers on any number of machines may run) and writes a heartbeat."
    )

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(queue_name="*")
        parser.add_argument(
            "--heartbeat",
            type=float,
            default=settings.WORKER_HEARTBEAT_SECONDS,
            help="Seconds between heartbeats (default: WORKER_HEARTBEAT_SECONDS).",
        )

    def handle(self, *args, heartbeat: float, **options) -> None:
        beat = Heartbeat(
            worker_id=options["worker_id"], queues=options["queue_name"], interval=heartbeat
        )
        beat.start()
        try:
            super().handle(*args, **options)
        finally:
            beat.stop()
