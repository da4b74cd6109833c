"""Settings rules: which database URL wins, and what a missing secret key does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import environ
import pytest
from django.core.exceptions import ImproperlyConfigured

from aicmo_site import config

BASE = Path("/srv/aicmo")


def _env(monkeypatch, **values) -> environ.Env:
    for name in ("DATABASE_URL", "DB_URL", "SECRET_KEY", "DASHBOARD_BUILD"):
        monkeypatch.delenv(name, raising=False)
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return environ.Env()


@pytest.mark.embedded
def test_database_defaults_to_embedded_sqlite_under_var(monkeypatch):
    url, source = config.database_url(_env(monkeypatch), BASE)
    assert url == "sqlite:////srv/aicmo/var/aicmo.sqlite3"
    assert source == "embedded default"


def test_db_url_is_accepted_when_database_url_is_missing(monkeypatch):
    env = _env(monkeypatch, DB_URL="postgres://u@db:5432/legacy")
    assert config.database_url(env, BASE) == ("postgres://u@db:5432/legacy", "DB_URL")


def test_database_url_wins_over_db_url(monkeypatch):
    env = _env(monkeypatch, DB_URL="postgres://u@db/old", DATABASE_URL="postgres://u@db/new")
    assert config.database_url(env, BASE) == ("postgres://u@db/new", "DATABASE_URL")


def test_postgres_config_has_a_short_connect_timeout():
    db = config.database_config("postgres://u:p@db.example:5433/aicmo")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert db["OPTIONS"]["connect_timeout"] == 3
    assert (db["HOST"], db["PORT"], db["NAME"]) == ("db.example", 5433, "aicmo")


def test_malformed_database_url_stops_with_a_clear_message():
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        config.database_config("nonsense://what")


def test_secret_key_has_a_dev_default_only_with_debug_on(monkeypatch):
    env = _env(monkeypatch)
    assert config.secret_key(env, debug=True)
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY is not set"):
        config.secret_key(env, debug=False)


def test_build_id_prefers_dashboard_build(monkeypatch):
    assert config.build_id(_env(monkeypatch, DASHBOARD_BUILD="rel-42"), BASE) == "rel-42"


def test_build_id_defaults_to_version_and_commit(monkeypatch, tmp_path):
    assert config.build_id(_env(monkeypatch), tmp_path) == config.__version__


def test_python_older_than_3_12_stops_with_one_line():
    with pytest.raises(SystemExit, match="needs Python 3.12 or newer; this is 3.11.7"):
        config.check_python_version((3, 11, 7))


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base_env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=Path(__file__).resolve().parents[2],
        env={**base_env, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_startup_without_secret_key_and_debug_off_stops_with_one_line():
    result = _manage("check", DEBUG="false")
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "Configuration error: SECRET_KEY is not set and DEBUG is off: set SECRET_KEY in the "
        "environment or .env."
    ]


def test_startup_logs_the_build_once():
    result = _manage("check", DEBUG="false", SECRET_KEY="k" * 50, DASHBOARD_BUILD="b-77")
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("DASHBOARD_BUILD=b-77") == 1


def test_readme_lists_every_setting_the_code_reads():
    import re

    root = Path(__file__).resolve().parents[2]
    names = set()
    for source in ("aicmo_site/settings.py", "aicmo_site/config.py"):
        text = (root / source).read_text()
        names |= set(re.findall(r"env\.\w+\(\s*\"([A-Z][A-Z0-9_]+)\"", text))
    readme = (root / "README.md").read_text()
    assert sorted(name for name in names if f"`{name}`" not in readme) == []
