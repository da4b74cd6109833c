"""The one masking function, and that no secret reaches the page, the JSON or the logs."""

from __future__ import annotations

import io
import json
import logging

import pytest
from django.core.management import call_command

from aicmo_site.testing import free_port
from diagnostics.checks import run_all
from diagnostics.masking import MaskSecretsFilter, mask, mask_url

DB_PASSWORD = "Db-Pa55word-Zq9"
API_KEY = "sk-live-Kq83hdf72hdf"
URL_TOKEN = "tok-Qz71bX0aa"
BACKEND_PASSWORD = "bk-Pw-8812"


@pytest.mark.embedded
@pytest.mark.parametrize(
    "url, shown",
    [
        ("postgres://user:pw-secret@host:5432/db", "postgres://user:****@host:5432/db"),
        ("postgres://user@host:5432/db", "postgres://user@host:5432/db"),
        ("sqlite:////srv/aicmo/var/aicmo.sqlite3", "sqlite:////srv/aicmo/var/aicmo.sqlite3"),
        ("https://api.example/v1?api_key=abc123&model=x", "https://api.example/v1?api_key=****&model=x"),
        ("redis://:r3dis-pass@cache:6379/0", "redis://:****@cache:6379/0"),
    ],
)
def test_mask_url_hides_passwords_and_secret_parameters(url, shown):
    assert mask_url(url) == shown
    assert mask(url) == shown


@pytest.mark.embedded
def test_mask_hides_values_named_like_secrets():
    assert mask("anything", "OPENAI_API_KEY") == "****"
    assert mask({"USER": "aicmo", "PASSWORD": "pw-1234"}) == {"USER": "aicmo", "PASSWORD": "****"}


def test_mask_hides_configured_secrets_inside_free_text(settings):
    settings.OPENAI_API_KEY = API_KEY
    assert mask(f"the server said: bad key {API_KEY}!") == "the server said: bad key ****!"


def test_mask_hides_url_passwords_inside_free_text():
    assert mask("failed for postgres://aicmo:hush-hush@db/aicmo today") == (
        "failed for postgres://aicmo:****@db/aicmo today"
    )


@pytest.fixture
def secrets_everywhere(settings):
    """Every kind of secret configured, the backend URL failing so its URL reaches a message."""
    settings.DATABASE_URL = f"postgres://aicmo:{DB_PASSWORD}@db.internal:5432/aicmo"
    settings.DATABASE_URL_SOURCE = "DATABASE_URL"
    settings.OPENAI_API_KEY = API_KEY
    settings.GENERATION_ENGINE = "http"
    settings.AICMO_BACKEND_URL = (
        f"http://svc:{BACKEND_PASSWORD}@127.0.0.1:{free_port()}/api?token={URL_TOKEN}"
    )
    return [DB_PASSWORD, API_KEY, URL_TOKEN, BACKEND_PASSWORD, settings.SECRET_KEY]


def _assert_no_secret(text: str, secrets: list[str]) -> None:
    for secret in secrets:
        assert secret not in text


def test_system_page_shows_no_secret(secrets_everywhere, viewer_client):
    page = viewer_client.get("/system/").content.decode()
    _assert_no_secret(page, secrets_everywhere)
    assert "postgres://aicmo:****@db.internal:5432/aicmo" in page
    assert "http://svc:****@127.0.0.1:" in page
    assert "token=****" in page


def test_diagnose_json_shows_no_secret(secrets_everywhere, db):
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("diagnose", "--json", stdout=out)
    _assert_no_secret(out.getvalue(), secrets_everywhere)
    body = json.loads(out.getvalue())
    assert body["configuration"]["DATABASE_URL"] == "postgres://aicmo:****@db.internal:5432/aicmo"
    assert body["configuration"]["OPENAI_API_KEY"] == "****"
    assert body["configuration"]["SECRET_KEY"] == "****"


def test_check_log_lines_show_no_secret(secrets_everywhere, db, caplog):
    with caplog.at_level(logging.DEBUG):
        run_all()
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "Check generation_backend: fail" in logged
    _assert_no_secret(logged, secrets_everywhere)


def test_log_handler_masks_secrets_in_messages_and_tracebacks(secrets_everywhere):
    # The console handler configured by settings.LOGGING, as production writes it.
    console = next(h for h in logging.getLogger().handlers
                   if any(isinstance(f, MaskSecretsFilter) for f in h.filters))
    stream = io.StringIO()
    previous = console.setStream(stream)
    try:
        logger = logging.getLogger("aicmo.test")
        logger.error("Connecting to postgres://aicmo:%s@db/aicmo", DB_PASSWORD)
        try:
            raise ValueError(f"rejected key {API_KEY}")
        except ValueError:
            logger.exception("Backend call failed")
    finally:
        console.setStream(previous)
    written = stream.getvalue()
    assert "postgres://aicmo:****@db/aicmo" in written
    assert "ValueError: rejected key ****" in written
    _assert_no_secret(written, secrets_everywhere)
