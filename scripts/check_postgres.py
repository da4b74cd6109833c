"""Exits 1 with one line saying how to start PostgreSQL when TEST_DATABASE_URL's server is down;
creates TEST_DATABASE_URL's database when it is missing (the tests that start `manage.py` as
operators do connect to it; pytest-django creates only its own test_ database)."""

from __future__ import annotations

import os
import sys
from urllib.parse import urlsplit

import psycopg2
from psycopg2 import sql

url = os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/aicmo")
parts = urlsplit(url)
try:
    server = psycopg2.connect(
        dbname="postgres",
        user=parts.username or "postgres",
        password=parts.password,
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        connect_timeout=3,
    )
except psycopg2.OperationalError as exc:
    reason = str(exc).strip().splitlines()[0]
    print(
        f"PostgreSQL is not reachable at {parts.hostname}:{parts.port or 5432} ({reason}); start it "
        "with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
        file=sys.stderr,
    )
    sys.exit(1)

name = parts.path.lstrip("/") or "aicmo"
server.autocommit = True
with server.cursor() as cursor:
    cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
    if cursor.fetchone() is None:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
server.close()
