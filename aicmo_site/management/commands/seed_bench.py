from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from bench.generator import generate


class Command(BaseCommand):
    help = "Loads synthetic data for the benchmarks (scale 1: 100,000 leads, 200,000 snapshots …)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0)

    def handle(self, *args, scale, **options):
        if not 0 < scale <= 20:
            raise CommandError("--scale must be above 0 and at most 20.")
        started = time.perf_counter()
        counts = generate(scale, log=self.stdout.write)
        if connection.vendor == "postgresql":
            # Fresh statistics and visibility maps for every table, as autovacuum leaves them in
            # production: plans and index-only scans are then the ones the pages really get, and
            # no autovacuum of the freshly loaded tables runs beside the measurements (it had
            # moved the references by a third between runs).
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        self.stdout.write(
            f"Loaded scale {scale} in {time.perf_counter() - started:.1f} s: "
            + ", ".join(f"{name} {count:,}" for name, count in counts.items())
        )
