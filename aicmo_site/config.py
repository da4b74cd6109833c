"""Pure helpers that turn environment values into settings.

Kept apart from settings.py so the rules (which variable wins, what is required when) can be
tested without reloading Django's settings.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured

from aicmo_site import __version__

MIN_PYTHON = (3, 12)


def check_python_version(version_info: tuple[int, ...] = tuple(sys.version_info)) -> None:
    if tuple(version_info[:2]) < MIN_PYTHON:
        found = ".".join(str(part) for part in version_info[:3])
        raise SystemExit(
            f"AICMO needs Python {MIN_PYTHON[0]}.{MIN_PYTHON[1]} or newer; this is {found}."
        )


def embedded_database_url(base_dir: Path) -> str:
    return f"sqlite:///{base_dir / 'var' / 'aicmo.sqlite3'}"


def database_url(env: environ.Env, base_dir: Path) -> tuple[str, str]:
    """The database URL in effect and where it came from: DATABASE_URL, then DB_URL."""
    for name in ("DATABASE_URL", "DB_URL"):
        value = env.str(name, default="").strip()
        if value:
            return value, name
    return embedded_database_url(base_dir), "embedded default"


def database_config(url: str, conn_max_age: int = 0) -> dict[str, Any]:
    try:
        config = environ.Env.db_url_config(url)
    except Exception as exc:  # django-environ raises several types for a malformed URL
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from exc
    if not str(config.get("ENGINE", "")).startswith("django.db.backends."):
        scheme = url.split("://", 1)[0]
        raise ImproperlyConfigured(
            f"DATABASE_URL uses the scheme {scheme!r}; use postgres:// or sqlite:///."
        )
    engine = config["ENGINE"]
    if engine.endswith("sqlite3"):
        name = Path(config["NAME"])
        if str(name) != ":memory:":
            name.parent.mkdir(parents=True, exist_ok=True)
        # Several gunicorn workers on one SQLite file: wait for the writer rather than fail.
        config.setdefault("OPTIONS", {}).update({"timeout": 20})
    elif "postgresql" in engine:
        # A down database must be noticed in seconds, not after the OS's TCP timeout.
        config.setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
        config["CONN_MAX_AGE"] = conn_max_age
        config["CONN_HEALTH_CHECKS"] = True
    test_name = config.get("NAME")
    if test_name and "postgresql" in engine:
        config["TEST"] = {"NAME": f"test_{test_name}"}
    return config


def secret_key(env: environ.Env, debug: bool) -> str:
    key = env.str("SECRET_KEY", default="").strip()
    if key:
        return key
    if debug:
        return "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105
    raise ImproperlyConfigured(
        "SECRET_KEY is not set and DEBUG is off: set SECRET_KEY in the environment or .env."
    )


def git_short_commit(base_dir: Path) -> str:
    try:
        result = subprocess.run(  # noqa: S603
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            cwd=base_dir,
            capture_output=True,
            text=True,
            timeout=2,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


def build_id(env: environ.Env, base_dir: Path) -> str:
    explicit = env.str("DASHBOARD_BUILD", default="").strip()
    if explicit:
        return explicit
    commit = git_short_commit(base_dir)
    return f"{__version__}+{commit}" if commit else __version__


TASKS_BACKENDS = {
    "immediate": "jobs.backends.ImmediateBackend",
    "database": "jobs.backends.DatabaseBackend",
}


def tasks_backend(env: environ.Env, database_url: str) -> str:
    """TASKS_BACKEND when set; otherwise `database` on PostgreSQL (a worker claims the jobs)
    and `immediate` on the embedded SQLite, so `make run` needs no worker."""
    name = env.str("TASKS_BACKEND", default="").strip().lower()
    if not name:
        return "database" if database_url.startswith(("postgres", "pgsql")) else "immediate"
    if name not in TASKS_BACKENDS:
        raise ImproperlyConfigured(
            f"TASKS_BACKEND is {name!r}; use one of: {', '.join(sorted(TASKS_BACKENDS))}."
        )
    return name
