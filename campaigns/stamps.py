"""Data stamps: cheap numbers that grow with every committed write that can change a cached result.

Each scope ("figures", "calendar", "leads", "auth") is bumped by database triggers (migration campaigns
0007) on exactly the writes that can change what its pages cache, whatever process or path
writes. A cache key that includes the stamp read at the start of a request can never serve a
result older than the data that request can see: the bump commits with the write.
"""

from __future__ import annotations

from django.db import connection

FIGURES = "figures"  # the Monitoring page's figures
CALENDAR = "calendar"  # the Strategy page's content calendar
LEADS = "leads"  # the Lead Gen list's counts
AUTH = "auth"  # users' permissions (aicmo_site.permissions)
CHOICES = "choices"  # brand and campaign option lists, the number of campaigns (migration 0009)
PROGRESS = "progress"  # campaigns' creative counts and steps, the queue's counts (migration 0009)
HISTORY = "history"  # the queue cards' versions, reviews and diffs (migration 0009)


def data_stamp(scope: str) -> int:
    """The scope's stamp: the sum of its per-process counters. One small indexed read."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(n), 0) FROM campaigns_data_stamp WHERE scope = %s", [scope]
        )
        return int(cursor.fetchone()[0])
