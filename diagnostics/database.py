"""Database connectivity, asked on a fresh connection of its own.

The default connection may be the broken one; this check opens a new one with a short timeout
so it answers quickly and the same way from a page, the outage page and `manage.py diagnose`.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from django.conf import settings

# (substring of the driver's message, summary, remediation); the first match wins.
POSTGRES_FAILURES: tuple[tuple[str, str, str], ...] = (
    ("connection refused",
     "Connection refused: nothing is listening at {host}:{port}.",
     "Start PostgreSQL (on Debian: `pg_ctlcluster <version> main start`) or fix the host and "
     "port in DATABASE_URL."),
    ("could not translate host name",
     "Unknown host: {host} does not resolve.",
     "Correct the host name in DATABASE_URL, or check DNS on this machine."),
    ("name or service not known",
     "Unknown host: {host} does not resolve.",
     "Correct the host name in DATABASE_URL, or check DNS on this machine."),
    ("database \"",
     "Unknown database: {name} does not exist on the server.",
     "Create it (`createdb {name}`) or correct the database name in DATABASE_URL."),
    ("role \"",
     "Role rejected: the user {user} does not exist on the server.",
     "Create the role (`createuser {user}`) or correct the user in DATABASE_URL."),
    ("password authentication failed",
     "Password rejected for the user {user}.",
     "Correct the password in DATABASE_URL (or the server's pg_hba.conf)."),
    ("no password supplied",
     "The server asks for a password and none was given for {user}.",
     "Add the password to DATABASE_URL."),
    ("ssl",
     "SSL problem: the server and the client disagree about SSL.",
     "Add `?sslmode=require` to DATABASE_URL for a server that requires SSL, or "
     "`sslmode=disable` for one that offers none."),
    ("no encryption",
     "The server requires SSL for this connection.",
     "Add `?sslmode=require` to DATABASE_URL."),
    ("timeout expired",
     "Timed out: {host}:{port} did not answer within {timeout} seconds.",
     "Check that the server is up and that no firewall drops the traffic."),
    ("timed out",
     "Timed out: {host}:{port} did not answer within {timeout} seconds.",
     "Check that the server is up and that no firewall drops the traffic."),
)


def classify_postgres_error(message: str, params: dict) -> tuple[str, str]:
    lowered = message.lower()
    for needle, summary, remediation in POSTGRES_FAILURES:
        if needle in lowered:
            if needle == 'database "' and "does not exist" not in lowered:
                continue
            if needle == 'role "' and "does not exist" not in lowered:
                continue
            return summary.format(**params), remediation.format(**params)
    first_line = message.strip().splitlines()[0] if message.strip() else "unknown error"
    return (
        f"Cannot connect to PostgreSQL at {params['host']}:{params['port']}: {first_line}",
        "Run `python manage.py diagnose` and check DATABASE_URL.",
    )


def _postgres_params() -> dict:
    db = settings.DATABASES["default"]
    options = db.get("OPTIONS", {})
    return {
        "host": db.get("HOST") or "localhost",
        "port": db.get("PORT") or 5432,
        "name": db.get("NAME") or "",
        "user": db.get("USER") or "",
        "timeout": options.get("connect_timeout", 3),
        "sslmode": options.get("sslmode", ""),
    }


def check_postgres() -> tuple[str, str, list[str], str]:
    import psycopg2

    db = settings.DATABASES["default"]
    params = _postgres_params()
    connect_kwargs = {
        "dbname": params["name"],
        "user": params["user"],
        "password": db.get("PASSWORD") or None,
        "host": params["host"],
        "port": params["port"],
        "connect_timeout": params["timeout"],
    }
    if params["sslmode"]:
        connect_kwargs["sslmode"] = params["sslmode"]
    started = time.perf_counter()
    try:
        connection = psycopg2.connect(**connect_kwargs)
    except psycopg2.Error as exc:
        summary, remediation = classify_postgres_error(str(exc), params)
        return "fail", summary, [f"Driver message: {_without_secrets(str(exc), db)}"], remediation
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
            round_trip_ms = (time.perf_counter() - started) * 1000
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
        ssl_in_use = bool(getattr(connection.info, "ssl_in_use", False))
    finally:
        connection.close()
    details = [
        "Vendor: PostgreSQL",
        f"Server version: {version}",
        f"Host: {params['host']}:{params['port']}, database {params['name']}",
        f"Round trip (connect + SELECT 1): {round_trip_ms:.1f} ms",
        f"SSL in use: {'yes' if ssl_in_use else 'no'}",
    ]
    return "ok", f"PostgreSQL {version} answers in {round_trip_ms:.0f} ms.", details, ""


def check_sqlite() -> tuple[str, str, list[str], str]:
    path = Path(settings.DATABASES["default"]["NAME"])
    started = time.perf_counter()
    try:
        connection = sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=3)
        try:
            connection.execute("SELECT 1").fetchone()
            version = connection.execute("SELECT sqlite_version()").fetchone()[0]
        finally:
            connection.close()
    except sqlite3.Error as exc:
        return (
            "fail",
            f"The embedded SQLite database at {path} cannot be opened: {exc}.",
            [],
            "Run `python manage.py migrate` to create it, and check the folder is writable.",
        )
    round_trip_ms = (time.perf_counter() - started) * 1000
    details = [
        "Vendor: SQLite (embedded)",
        f"Version: {version}",
        f"File: {path}",
        f"Round trip (open + SELECT 1): {round_trip_ms:.1f} ms",
        "SSL in use: not applicable",
    ]
    return "ok", f"SQLite {version} answers in {round_trip_ms:.0f} ms.", details, ""


def _without_secrets(message: str, db: dict) -> str:
    password = db.get("PASSWORD")
    return message.replace(password, "****") if password else message


def check_database_connectivity() -> tuple[str, str, list[str], str]:
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" in engine:
        return check_postgres()
    if "sqlite" in engine:
        return check_sqlite()
    return "warn", f"Connectivity is not checked for {engine}.", [], ""
