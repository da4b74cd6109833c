"""The generation backend check against a real local HTTP server."""

from __future__ import annotations

import time

import pytest

from aicmo_site.testing import free_port
from diagnostics.backend import check_generation_backend
from diagnostics.checks import run_check


@pytest.mark.embedded
def test_generation_backend_local_engine_is_ok(settings):
    settings.GENERATION_ENGINE = "local"
    status, summary, _, _ = check_generation_backend()
    assert status == "ok"
    assert "local engine" in summary


def test_generation_backend_http_answers_its_health_path(http_engine):
    status, summary, details, _ = check_generation_backend()
    assert status == "ok"
    assert summary.startswith("The backend answers in ")
    assert f"Health URL: {http_engine.url}/health" in details
    assert http_engine.requests == ["/health"]


def test_generation_backend_http_without_url_fails(settings):
    settings.GENERATION_ENGINE = "http"
    settings.AICMO_BACKEND_URL = ""
    status, summary, _, remediation = check_generation_backend()
    assert status == "fail"
    assert "no backend URL" in summary
    assert "AICMO_BACKEND_URL" in remediation


def test_generation_backend_http_closed_port_is_refused(settings):
    settings.GENERATION_ENGINE = "http"
    settings.AICMO_BACKEND_URL = f"http://127.0.0.1:{free_port()}"
    status, summary, _, remediation = check_generation_backend()
    assert status == "fail"
    assert summary.startswith("Connection refused")
    assert "Start the AICMO backend" in remediation


def test_generation_backend_http_slow_server_times_out(http_engine, settings):
    http_engine.mode, http_engine.delay = "slow", 1.5
    settings.AICMO_BACKEND_TIMEOUT = 0.3
    started = time.monotonic()
    status, summary, _, remediation = check_generation_backend()
    assert time.monotonic() - started < 1.2
    assert status == "fail"
    assert summary == "Timed out: the backend did not answer within 0.3 seconds."
    assert "AICMO_BACKEND_TIMEOUT" in remediation


def test_generation_backend_http_server_error_fails(http_engine):
    http_engine.mode = "error"
    status, summary, details, _ = check_generation_backend()
    assert status == "fail"
    assert summary == "The backend answered HTTP 500 on /health."
    assert any("HTTP 500" in line for line in details)


def test_generation_backend_http_garbage_answer_fails(http_engine):
    http_engine.mode = "garbage"
    status, summary, details, remediation = check_generation_backend()
    assert status == "fail"
    assert summary == "The backend answered on /health, but not with JSON."
    assert "Body starts with: <html><body>Welcome to nginx!" in details[-1]
    assert "points at something else" in remediation


def test_generation_backend_http_degraded_status_warns(http_engine):
    http_engine.mode = "degraded"
    status, summary, _, _ = check_generation_backend()
    assert status == "warn"
    assert "“degraded”" in summary


def test_generation_backend_http_url_with_trailing_slash_asks_health(http_engine, settings):
    settings.AICMO_BACKEND_URL = http_engine.url + "/"
    assert check_generation_backend()[0] == "ok"
    assert http_engine.requests == ["/health"]


def test_generation_backend_unknown_engine_fails(settings):
    settings.GENERATION_ENGINE = "gpt"
    status, summary, _, remediation = check_generation_backend()
    assert status == "fail"
    assert summary == "Unknown generation engine “gpt”."
    assert "local, http or openai" in remediation


def test_generation_backend_openai_without_key_fails(settings):
    settings.GENERATION_ENGINE = "openai"
    settings.OPENAI_BASE_URL = "https://api.openai.com/v1"
    settings.OPENAI_API_KEY = ""
    status, summary, details, _ = check_generation_backend()
    assert status == "fail"
    assert "OPENAI_API_KEY" in summary
    assert "API key: not set" in details


def test_generation_backend_openai_never_shows_the_key(settings):
    settings.GENERATION_ENGINE = "openai"
    settings.OPENAI_API_KEY = "sk-test-9f8e7d6c5b4a"
    result = run_check("generation_backend")
    assert result.status == "ok"
    assert "API key: set (****)" in result.details
    assert "sk-test-9f8e7d6c5b4a" not in str(result.as_dict())
