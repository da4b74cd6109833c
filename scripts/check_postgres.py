"""Exits 1 with one line saying how to start PostgreSQL when TEST_DATABASE_URL's server is down."""

from __future__ import annotations

import os
import sys
from urllib.parse import urlsplit

import psycopg2

url = os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/aicmo")
parts = urlsplit(url)
try:
    psycopg2.connect(
        dbname="postgres",
        user=parts.username or "postgres",
        password=parts.password,
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        connect_timeout=3,
    ).close()
except psycopg2.OperationalError as exc:
    reason = str(exc).strip().splitlines()[0]
    print(
        f"PostgreSQL is not reachable at {parts.hostname}:{parts.port or 5432} ({reason}); start it "
        "with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
        file=sys.stderr,
    )
    sys.exit(1)
