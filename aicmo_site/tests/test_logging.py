"""Logs: one line per request with its id, timing and status; JSON lines when LOG_FORMAT=json;
no secret ever written."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from aicmo_site.logging import (
    JsonFormatter,
    RequestIdFilter,
    SecretMaskingFilter,
    mask_secrets,
)

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def captured():
    """The request logger writing JSON lines into a buffer through the real filters."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.addFilter(SecretMaskingFilter())
    handler.setFormatter(JsonFormatter())
    loggers = [logging.getLogger(name) for name in ("aicmo.request", "aicmo.test")]
    for logger in loggers:
        logger.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    for logger in loggers:
        logger.removeHandler(handler)


@pytest.mark.embedded
@pytest.mark.django_db
def test_request_line_carries_the_request_id_status_and_timing(client, captured):
    response = client.get("/accounts/login/", headers={"X-Request-ID": "req-abc12345"})
    [line] = [entry for entry in captured() if entry["logger"] == "aicmo.request"]
    assert response["X-Request-ID"] == "req-abc12345"
    assert (line["request_id"], line["method"], line["path"], line["status"]) == (
        "req-abc12345", "GET", "/accounts/login/", 200)
    assert line["duration_ms"] >= 0
    assert line["message"].startswith("GET /accounts/login/ 200 ")


@pytest.mark.django_db
def test_request_line_names_the_signed_in_user(operator_client, operator, captured):
    operator_client.get("/accounts/login/")
    [line] = captured()
    assert line["user"] == operator.pk


@pytest.mark.django_db
def test_request_line_masks_secrets_in_the_query_string(client, captured):
    client.get("/accounts/login/?next=/leads/&token=s3cr3t-value&api_key=k3y-value")
    [line] = captured()
    assert "s3cr3t-value" not in json.dumps(line)
    assert "k3y-value" not in json.dumps(line)
    assert line["query"] == "next=/leads/&token=****&api_key=****"


def test_traceback_in_a_log_line_is_masked(captured):
    try:
        raise ConnectionError("cannot reach postgres://aicmo:hunter22@db:5432/aicmo")
    except ConnectionError:
        logging.getLogger("aicmo.test").exception("database call failed")
    [line] = captured()
    assert "hunter22" not in line["traceback"]
    assert "postgres://aicmo:****@db:5432/aicmo" in line["traceback"]


def test_configured_secret_values_are_masked_wherever_they_appear(settings, captured):
    settings.OPENAI_API_KEY = "sk-live-0123456789"
    logging.getLogger("aicmo.test").warning("calling with %s", "key sk-live-0123456789 here")
    assert captured()[0]["message"] == "calling with key **** here"


@pytest.mark.parametrize(("text", "expected"), [
    ("postgres://u:pa55word@db/aicmo", "postgres://u:****@db/aicmo"),
    ("redis://:r3dis@cache:6379/0", "redis://:****@cache:6379/0"),
    ("/x?password=hunter2&page=2", "/x?password=****&page=2"),
    ("csrfmiddlewaretoken=abcdef&q=leads", "csrfmiddlewaretoken=****&q=leads"),
    ("Authorization: Bearer eyJhbGciOi.payload.sig", "Authorization: Bearer ****"),
    ('{"api_key": "k-123", "name": "Acme"}', "{\"api_key\": '****', \"name\": \"Acme\"}"),
    ("webhook_secret=whs_1 sent", "webhook_secret=**** sent"),
    ("page=2&sort=name", "page=2&sort=name"),
])
def test_mask_secrets_hides_values_and_keeps_the_rest(text, expected):
    assert mask_secrets(text, secrets=[]) == expected


def test_log_format_json_writes_parseable_lines_from_the_settings(tmp_path):
    """The real LOGGING setting, in a fresh process: every line on stderr is JSON."""
    code = (
        "import django; django.setup();"
        "from django.test import Client;"
        "Client().get('/accounts/login/?token=abc999', headers={'X-Request-ID': 'json-req-0001'})"
    )
    env = {**os.environ, "LOG_FORMAT": "json", "DEBUG": "false", "SECRET_KEY": "k" * 50,
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "ALLOWED_HOSTS": "testserver",
           "DJANGO_SETTINGS_MODULE": "aicmo_site.settings"}
    result = subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, env=env,
                            capture_output=True, text=True, timeout=60, check=True)
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    [request_line] = [line for line in lines if line["logger"] == "aicmo.request"]
    assert request_line["request_id"] == "json-req-0001"
    assert request_line["status"] == 200
    assert "abc999" not in result.stderr
