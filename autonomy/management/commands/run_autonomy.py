from __future__ import annotations

import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from autonomy.worker import tick


class Command(BaseCommand):
    help = (
        "Runs the autonomy worker: every --interval seconds it finds due work and acts within the "
        "policy. Any number may run at once. Stops cleanly on SIGTERM or Ctrl-C."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run one tick and exit.")
        parser.add_argument("--interval", type=float, default=60.0, help="Seconds between ticks.")
        parser.add_argument("--dry-run", action="store_true", help="Print what it would do.")

    def handle(self, *args, once, interval, dry_run, **options):
        self.stopping = False

        def stop(signum, frame):
            self.stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while True:
            report = tick(dry_run=dry_run)
            if dry_run:
                for step in report.plan:
                    self.stdout.write(f"{step.mode:8} {step.kind:24} {step.description} ({step.reason})")
                if not report.plan:
                    self.stdout.write("Nothing is due.")
            else:
                self.stdout.write(f"Tick: {report}")
            close_old_connections()
            if once or dry_run or self._sleep(interval):
                break
        self.stdout.write("Autonomy worker stopped.")

    def _sleep(self, seconds: float) -> bool:
        """Sleeps in short steps so a stop request ends the wait at once; True when stopping."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.stopping:
                return True
            time.sleep(min(0.2, deadline - time.monotonic()))
        return self.stopping
