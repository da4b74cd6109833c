"""Data stamps: cheap numbers that grow with every committed write that can change a cached result.

Each scope (the constants below) is bumped by database triggers (migrations campaigns 0007, 0009,
0011, 0012 and 0014, leads 0008) on exactly the writes that can change what its pages cache,
whatever process or path writes. A cache key that includes the stamp read at the start of a
request can never serve a result older than the data that request can see: the bump commits with
the write.

Inside a request (aicmo_site.middleware.DataStampMiddleware) every scope is read by one query, the
first time any is asked for, and the snapshot is kept until the request writes: a write may bump
a stamp, so the next read after it asks the database again.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

from asgiref.local import Local
from django.db import connection

FIGURES = "figures"  # the Monitoring page's figures
CALENDAR = "calendar"  # the Strategy page's content calendar
LEADS = "leads"  # the Lead Gen list's counts
AUTH = "auth"  # users and their permissions (aicmo_site.permissions)
AUTONOMY = "autonomy"  # the autonomy policies (the layout's kill-switch banner)
LIBRARY = "library"  # the creative library's counts, the campaign and brand filter options
LEADGEN_NAMES = "leadgen_names"  # the Lead Gen list's campaign, user and Operator names (leads 0008)
CHOICES = "choices"  # brand and campaign option lists, the number of campaigns (migration 0012)
PROGRESS = "progress"  # campaigns' creative counts and steps, the queue's counts (migration 0012)
HISTORY = "history"  # the queue cards' versions, reviews and diffs (migration 0012)
EXECUTION = "execution"  # Execution's waiting posts, sessions and names (migration 0014)

_request = Local()
# A WITH statement may write (a data-modifying CTE): only one that names no write is a read.
_WRITES = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE|TRUNCATE)\b", re.IGNORECASE)


def data_stamp(scope: str) -> int:
    """The scope's stamp: the sum of its per-process counters."""
    if not getattr(_request, "active", False):
        return _read(scope)
    snapshot = getattr(_request, "snapshot", None)
    if snapshot is None:
        snapshot = _request.snapshot = _read_all()
    return snapshot.get(scope, 0)


@contextmanager
def request_snapshot():
    """Within the block, stamps are read once and kept until a statement other than a SELECT
    runs on the connection."""
    _request.active, _request.snapshot = True, None
    try:
        with connection.execute_wrapper(_forget_after_write):
            yield
    finally:
        _request.active, _request.snapshot = False, None


def _forget_after_write(execute, sql, params, many, context):
    try:
        return execute(sql, params, many, context)
    finally:
        if not _is_read(sql):
            _request.snapshot = None


def _is_read(sql: str) -> bool:
    head = sql.lstrip()[:6].upper()
    return head == "SELECT" or (head.startswith("WITH") and not _WRITES.search(sql))


def _read(scope: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(n), 0) FROM campaigns_data_stamp WHERE scope = %s", [scope]
        )
        return int(cursor.fetchone()[0])


def _read_all() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT scope, SUM(n) FROM campaigns_data_stamp GROUP BY scope")
        return {scope: int(total) for scope, total in cursor.fetchall()}
