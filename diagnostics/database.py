"""Database connectivity, asked on a fresh connection of its own.

The default connection may be the broken one; this check opens a new one with a short timeout
so it answers quickly and the same way from a page, the outage page and `manage.py diagnose`.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from django.conf import settings

from diagnostics.masking import mask

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
    ("server does not support ssl",
     "SSL required, but the server at {host}:{port} offers no SSL.",
     "Enable SSL on the PostgreSQL server, or (on a trusted local network only) use "
     "`sslmode=prefer` in DATABASE_URL."),
    ("ssl off",
     "The server requires SSL for this connection.",
     "Add `?sslmode=require` to DATABASE_URL."),
    ("ssl connection is required",
     "The server requires SSL for this connection.",
     "Add `?sslmode=require` to DATABASE_URL."),
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


def _postgres_params(db: dict) -> dict:
    options = db.get("OPTIONS", {})
    return {
        "host": db.get("HOST") or "localhost",
        "port": db.get("PORT") or 5432,
        "name": db.get("NAME") or "",
        "user": db.get("USER") or "",
        "timeout": options.get("connect_timeout", 3),
        "sslmode": options.get("sslmode", ""),
    }


def check_postgres(db: dict) -> tuple[str, str, list[str], str]:
    import psycopg2

    params = _postgres_params(db)
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
        return "fail", summary, [f"Driver message: {mask(' '.join(str(exc).split()))}"], remediation
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


def check_sqlite(db: dict) -> tuple[str, str, list[str], str]:
    name = str(db["NAME"])
    path = name if name.startswith("file:") or name == ":memory:" else Path(name)
    # An in-memory database (the test runner's) is opened by its shared-cache URI as it is.
    target = path if isinstance(path, str) else f"file:{path}?mode=rw"
    started = time.perf_counter()
    try:
        connection = sqlite3.connect(target, uri=True, timeout=3)
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


def check_database_connectivity(db: dict | None = None) -> tuple[str, str, list[str], str]:
    """Connects afresh with `db` (a DATABASES entry; the default one when None)."""
    db = db if db is not None else settings.DATABASES["default"]
    engine = db["ENGINE"]
    if "postgresql" in engine:
        return check_postgres(db)
    if "sqlite" in engine:
        return check_sqlite(db)
    return "warn", f"Connectivity is not checked for {engine}.", [], ""


# Values copied from a template and never replaced.
PLACEHOLDER_USERS = {"user", "username", "dbuser", "your_user", "youruser", "myuser"}
PLACEHOLDER_PASSWORDS = {"password", "pass", "passwd", "changeme", "change-me", "change_me",
                         "secret", "your_password", "yourpassword", "mypassword", "xxx", "xxxx"}
PLACEHOLDER_HOSTS = {"host", "hostname", "your-host", "yourhost", "db-host", "dbhost",
                     "example.com", "db.example.com", "server"}
PLACEHOLDER_NAMES = {"dbname", "database_name", "your_database", "yourdb", "mydb"}
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}
SAFE_SSLMODES = {"require", "verify-ca", "verify-full"}


def _placeholders(parts) -> list[str]:
    found = []
    user, password = parts.username or "", parts.password or ""
    host, name = parts.hostname or "", parts.path.lstrip("/")
    if "changeme" in parts.geturl().lower().replace("-", "").replace("_", ""):
        found.append("the URL contains “changeme”")
    if user.lower() in PLACEHOLDER_USERS:
        found.append(f"the user is “{user}”")
    if password.lower() in PLACEHOLDER_PASSWORDS and "changeme" not in password.lower():
        found.append("the password is a template value")
    if host.lower() in PLACEHOLDER_HOSTS:
        found.append(f"the host is “{host}”")
    if name.lower() in PLACEHOLDER_NAMES:
        found.append(f"the database name is “{name}”")
    if "<" in parts.geturl() or ">" in parts.geturl():
        found.append("the URL still contains <…> markers")
    return found


def assess_database_url(url: str, source: str, debug: bool) -> tuple[str, str, list[str], str]:
    """Judges the configured database URL without connecting. `source` is where it came from
    (DATABASE_URL, DB_URL or the embedded default); `debug` is whether DEBUG is on."""
    from urllib.parse import parse_qs, urlsplit

    shown = mask(url)
    details = [f"Source: {source}", f"URL: {shown}"]
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme.startswith("sqlite"):
        details.append("Vendor: SQLite (embedded, one machine)")
        if source == "embedded default" and not debug:
            return (
                "warn",
                "DEBUG is off and the embedded SQLite default is in use.",
                details,
                "For production set DATABASE_URL=postgres://user:password@host:5432/db "
                "(SQLite serves one machine only).",
            )
        summary = ("The embedded SQLite default is in use." if source == "embedded default"
                   else f"SQLite from {source}.")
        return "ok", summary, details, ""
    if not scheme.startswith(("postgres", "pgsql")):
        return "warn", f"Unusual database scheme “{scheme}”.", details, \
            "Use postgres://… or sqlite:///… in DATABASE_URL."
    details.append("Vendor: PostgreSQL")
    placeholders = _placeholders(parts)
    if placeholders:
        return (
            "warn" if debug else "fail",
            f"{source} still holds placeholder values: {'; '.join(placeholders)}.",
            details,
            f"In {source}, put the real user, password, host and database name of your "
            "PostgreSQL server in place of the template values.",
        )
    host = (parts.hostname or "").lower()
    sslmode = (parse_qs(parts.query).get("sslmode") or [""])[0]
    details.append(f"sslmode: {sslmode or 'not set (libpq default: prefer)'}")
    remote = bool(host) and host not in LOCAL_HOSTS and not host.startswith("/")
    if remote and sslmode not in SAFE_SSLMODES:
        return (
            "warn",
            f"The PostgreSQL server {host} is remote and sslmode is "
            f"{sslmode or 'not set'}: the connection may travel unencrypted.",
            details,
            f"Add ?sslmode=require (or verify-full with a CA) to {source}.",
        )
    if not debug and host in LOCAL_HOSTS | {""}:
        return (
            "warn",
            f"DEBUG is off and the database is on {host or 'a local socket'}.",
            details,
            "Fine for a single machine; with several web machines point DATABASE_URL at the "
            "shared PostgreSQL server, or set DEBUG=true for development.",
        )
    return "ok", f"PostgreSQL at {host}:{parts.port or 5432} from {source}.", details, ""
