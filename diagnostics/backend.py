"""The generation backend: which engine is in use, and for `http` whether the backend answers.

The `http` engine's backend must answer `GET <AICMO_BACKEND_URL>/health` within
`AICMO_BACKEND_TIMEOUT` seconds with HTTP 2xx and a JSON object. A `"status"` field, when
present, must be one of ok / healthy / pass / up; any other value is reported as a warning.
"""

from __future__ import annotations

import json
import re
import time
from urllib.parse import urlsplit, urlunsplit

import requests
from django.conf import settings

from diagnostics.masking import mask

HEALTH_PATH = "/health"
HEALTHY_STATUSES = {"ok", "healthy", "pass", "up"}


def health_url(base_url: str) -> str:
    """`<base URL>/health`, keeping any query string of the base URL."""
    parts = urlsplit(base_url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + HEALTH_PATH))


def _request_failure(exc: requests.RequestException, url: str, timeout: float) -> tuple[str, str]:
    text = str(exc).lower()
    if isinstance(exc, requests.Timeout):
        return (
            f"Timed out: the backend did not answer within {timeout:g} seconds.",
            "Check the backend is up and not overloaded, or raise AICMO_BACKEND_TIMEOUT.",
        )
    if "name or service not known" in text or "nodename nor servname" in text or (
        "failed to resolve" in text
    ):
        return (
            "Unknown host: the backend's host name does not resolve.",
            "Correct the host in AICMO_BACKEND_URL (or BACKEND_URL), or check DNS.",
        )
    if "refused" in text:
        return (
            "Connection refused: nothing is listening at the backend's address.",
            "Start the AICMO backend, or correct the host and port in AICMO_BACKEND_URL.",
        )
    return (
        f"The backend could not be reached ({type(exc).__name__}).",
        "Check AICMO_BACKEND_URL and the network between this machine and the backend.",
    )


def check_http_backend(base_url: str, timeout: float) -> tuple[str, str, list[str], str]:
    url = health_url(base_url)
    details = ["Engine: http", f"Health URL: {mask(url)}", f"Timeout: {timeout:g} s"]
    started = time.perf_counter()
    try:
        response = requests.get(url, timeout=timeout, headers={"Accept": "application/json"})
    except requests.RequestException as exc:
        summary, remediation = _request_failure(exc, url, timeout)
        # urllib3 wraps the OS error in several layers; the "[Errno …] …" part says it all.
        errno = re.search(r"\[Errno -?\d+\] [^\"')]+", str(exc))
        reason = errno.group(0) if errno else str(exc)
        return "fail", summary, [*details, f"Error: {mask(reason)}"], remediation
    elapsed_ms = (time.perf_counter() - started) * 1000
    details.append(f"Answered HTTP {response.status_code} in {elapsed_ms:.0f} ms")
    if not response.ok:
        return (
            "fail",
            f"The backend answered HTTP {response.status_code} on {HEALTH_PATH}.",
            details,
            "Read the backend's logs; check AICMO_BACKEND_URL points at the backend's base URL.",
        )
    try:
        body = response.json()
    except (ValueError, json.JSONDecodeError):
        sample = mask(response.text[:80].strip()) or "(empty)"
        return (
            "fail",
            f"The backend answered on {HEALTH_PATH}, but not with JSON.",
            [*details, f"Body starts with: {sample}"],
            "AICMO_BACKEND_URL probably points at something else than the AICMO backend: "
            "correct it.",
        )
    if not isinstance(body, dict):
        return (
            "fail",
            f"The backend answered on {HEALTH_PATH} with JSON that is not an object.",
            details,
            "Check AICMO_BACKEND_URL points at the AICMO backend.",
        )
    status = str(body.get("status", "ok")).lower()
    if status not in HEALTHY_STATUSES:
        return (
            "warn",
            f"The backend answers but reports its status as “{mask(status)}”.",
            details,
            "Read the backend's own health page and logs.",
        )
    return "ok", f"The backend answers in {elapsed_ms:.0f} ms.", details, ""


def check_generation_backend(
    engine: str | None = None, base_url: str | None = None, timeout: float | None = None
) -> tuple[str, str, list[str], str]:
    engine = engine if engine is not None else settings.GENERATION_ENGINE
    base_url = base_url if base_url is not None else settings.AICMO_BACKEND_URL
    timeout = timeout if timeout is not None else settings.AICMO_BACKEND_TIMEOUT
    if engine == "local":
        return (
            "ok",
            "The built-in local engine is in use (offline, nothing to reach).",
            ["Engine: local"],
            "",
        )
    if engine == "http":
        if not base_url:
            return (
                "fail",
                "GENERATION_ENGINE is http but no backend URL is set.",
                ["Engine: http"],
                "Set AICMO_BACKEND_URL (or BACKEND_URL), or GENERATION_ENGINE=local.",
            )
        return check_http_backend(base_url, timeout)
    if engine == "openai":
        details = [
            "Engine: openai (OpenAI-compatible chat completions)",
            f"Base URL: {mask(settings.OPENAI_BASE_URL)}",
            f"Model: {settings.OPENAI_MODEL}",
            f"API key: {'set (****)' if settings.OPENAI_API_KEY else 'not set'}",
            "This check reads the configuration; it does not call the endpoint.",
        ]
        if not settings.OPENAI_API_KEY and "api.openai.com" in settings.OPENAI_BASE_URL:
            return (
                "fail",
                "GENERATION_ENGINE is openai but OPENAI_API_KEY is not set.",
                details,
                "Set OPENAI_API_KEY, or point OPENAI_BASE_URL at a local endpoint (Ollama, "
                "vLLM), or use GENERATION_ENGINE=local.",
            )
        return "ok", f"Engine openai with the model {settings.OPENAI_MODEL}.", details, ""
    return (
        "fail",
        f"Unknown generation engine “{engine}”.",
        [f"Engine: {engine}"],
        "Set GENERATION_ENGINE to local, http or openai.",
    )
