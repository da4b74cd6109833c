"""PostgreSQL backups of AICMO and the restore drill (docs/OPERATIONS.md).

    python scripts/db_backup.py backup [--dir var/backups] [--keep-days 14]
        pg_dump -Fc of DATABASE_URL into DIR/aicmo-YYYYmmdd-HHMMSS.dump; dumps older than
        --keep-days are deleted. Prints the file written.

    python scripts/db_backup.py drill DUMP
        Restores DUMP into a scratch database on the same server, checks that the code's
        migrations match it (`manage.py migrate --check`), prints its row counts and how long
        the restore took, then drops the scratch database. Exit 0 when the dump restores and
        is complete, 1 otherwise.

The password in DATABASE_URL is passed through PGPASSWORD, never on a command line.
"""

from __future__ import annotations

import argparse
import datetime
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent


class Server:
    def __init__(self, url: str):
        parts = urlsplit(url)
        if not parts.scheme.startswith("postgres"):
            raise SystemExit("DATABASE_URL must be a postgres:// URL for backups.")
        self.url = url
        self.host = parts.hostname or "127.0.0.1"
        self.port = str(parts.port or 5432)
        self.user = unquote(parts.username or "postgres")
        self.password = unquote(parts.password or "")
        self.name = parts.path.lstrip("/")
        self.query = f"?{parts.query}" if parts.query else ""

    def args(self, database: str) -> list[str]:
        return ["-h", self.host, "-p", self.port, "-U", self.user, "-d", database]

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        if self.password:
            env["PGPASSWORD"] = self.password
        return env

    def url_for(self, database: str) -> str:
        parts = urlsplit(self.url)
        return parts._replace(path=f"/{database}").geturl()

    def connect(self, database: str):
        import psycopg2

        return psycopg2.connect(dbname=database, user=self.user, password=self.password or None,
                                host=self.host, port=self.port, connect_timeout=5)


def database_url() -> str:
    url = os.environ.get("DATABASE_URL") or os.environ.get("DB_URL")
    if not url:
        dotenv = BASE_DIR / ".env"
        if dotenv.is_file():
            import environ

            environ.Env.read_env(dotenv, overwrite=False)
            url = os.environ.get("DATABASE_URL") or os.environ.get("DB_URL")
    if not url:
        raise SystemExit("Set DATABASE_URL (postgres://user:password@host:5432/name).")
    return url


def backup(server: Server, directory: Path, keep_days: int) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = directory / f"{server.name}-{stamp}.dump"
    partial = target.with_suffix(".dump.partial")
    result = subprocess.run(  # noqa: S603
        ["pg_dump", "-Fc", "--no-owner", "-f", str(partial), *server.args(server.name)],  # noqa: S607
        env=server.env(), capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        raise SystemExit(f"pg_dump failed: {result.stderr.strip().splitlines()[-1]}")
    partial.rename(target)  # a dump is complete or absent, never half-written
    cutoff = time.time() - keep_days * 86400
    for old in directory.glob(f"{server.name}-*.dump"):
        if old != target and old.stat().st_mtime < cutoff:
            old.unlink()
    return target


def drill(server: Server, dump: Path) -> int:
    if not dump.is_file():
        print(f"No such dump: {dump}", file=sys.stderr)
        return 1
    scratch = f"{server.name}_drill_{os.getpid()}"
    admin = server.connect("postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{scratch}"')
    try:
        started = time.monotonic()
        restored = subprocess.run(  # noqa: S603
            ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",  # noqa: S607
             *server.args(scratch), str(dump)],
            env=server.env(), capture_output=True, text=True, check=False,
        )
        seconds = time.monotonic() - started
        if restored.returncode != 0:
            print(f"Restore FAILED: {restored.stderr.strip()}", file=sys.stderr)
            return 1
        migrations = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", "migrate", "--check", "--no-input"],
            cwd=BASE_DIR, env={**server.env(), "DATABASE_URL": server.url_for(scratch),
                               "DEBUG": "false", "SECRET_KEY": "restore-drill"},
            capture_output=True, text=True, check=False,
        )
        counts = _row_counts(server, scratch)
        taken = datetime.datetime.fromtimestamp(dump.stat().st_mtime)
        print(f"Dump: {dump} (written {taken:%Y-%m-%d %H:%M})")
        print(f"Restored into {scratch} in {seconds:.1f}s: {len(counts)} tables, "
              f"{sum(counts.values())} rows.")
        for table, rows in sorted(counts.items(), key=lambda item: -item[1])[:15]:
            print(f"  {table:<45} {rows:>10}")
        if migrations.returncode != 0:
            print("Migrations: the dump lacks migrations this code has; after restoring it, "
                  "run `manage.py migrate`.")
        else:
            print("Migrations: the dump matches this code.")
        if "django_migrations" not in counts or "auth_user" not in counts:
            print("Restore drill FAILED: the dump holds no AICMO database.", file=sys.stderr)
            return 1
        print("Restore drill passed.")
        return 0
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        admin.close()


def _row_counts(server: Server, database: str) -> dict[str, int]:
    connection = server.connect(database)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
            )
            tables = [row[0] for row in cursor.fetchall()]
            counts = {}
            for table in tables:
                cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608  (catalog names)
                counts[table] = cursor.fetchone()[0]
            return counts
    finally:
        connection.close()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="AICMO PostgreSQL backups and restore drill.")
    commands = parser.add_subparsers(dest="command", required=True)
    backup_parser = commands.add_parser("backup", help="pg_dump -Fc into a folder")
    backup_parser.add_argument("--dir", type=Path, default=BASE_DIR / "var" / "backups")
    backup_parser.add_argument("--keep-days", type=int, default=14)
    drill_parser = commands.add_parser("drill", help="restore a dump into a scratch database")
    drill_parser.add_argument("dump", type=Path)
    args = parser.parse_args(argv)
    server = Server(database_url())
    if args.command == "backup":
        print(backup(server, args.dir, args.keep_days))
        return 0
    return drill(server, args.dump)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
