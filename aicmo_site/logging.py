"""Log records that carry the request id, as text or JSON lines, with secrets masked.

`SecretMaskingFilter` sits on the console handler, so every record that reaches the output —
the request line, a task's error, a traceback — passes through `mask_secrets` first:
passwords in URLs (`postgres://user:****@host`), secret-looking query and form parameters
(`?token=****`), `Authorization` values, and the literal values of the secrets in settings.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re

current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar(
    "current_request_id", default="-"
)

MASK = "****"

# Parameter names whose values are secrets, wherever they appear as name=value or "name": value.
_SECRET_NAMES = "|".join(  # names of secrets, not secrets
    (
        "password", "passwd", "pwd", "pass", "secret", "token", "api[_-]?key", "apikey",
        "access[_-]?key", "private[_-]?key", "client[_-]?secret", "auth", "authorization",
        "signature", "sig", "session(?:id)?", "csrf(?:middlewaretoken|token)?", "credentials?",
        "[a-z0-9_]*_(?:key|token|secret|password)",
    )
)
_SECRET_NAMES = f"(?:{_SECRET_NAMES})"
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # scheme://user:password@host
    (re.compile(r"(?P<pre>[a-z][a-z0-9+.-]*://[^:/?#@\s]*:)[^@/\s]+(?P<post>@)", re.I),
     rf"\g<pre>{MASK}\g<post>"),
    # Authorization: Bearer xyz / Basic xyz / Token xyz
    (re.compile(r"(?P<pre>\b(?:bearer|basic|token)\s+)[A-Za-z0-9._~+/=-]{6,}", re.I),
     rf"\g<pre>{MASK}"),
    # "password": "value" (JSON, Python reprs)
    (re.compile(rf"(?P<pre>[\"']{_SECRET_NAMES}[\"']\s*:\s*)(?:\"[^\"]*\"|'[^']*')", re.I),
     rf"\g<pre>'{MASK}'"),
    # password=value in query strings, forms and key=value text
    (re.compile(rf"(?P<pre>(?<![a-z0-9]){_SECRET_NAMES}=)[^&\s;,'\"]+", re.I),
     rf"\g<pre>{MASK}"),
)


def _settings_secrets() -> list[str]:
    """The literal secret values configured in settings, longest first."""
    try:
        from django.conf import settings

        if not settings.configured:
            return []
        values = [
            getattr(settings, "SECRET_KEY", ""),
            getattr(settings, "OPENAI_API_KEY", ""),
            *(db.get("PASSWORD", "") for db in getattr(settings, "DATABASES", {}).values()),
        ]
    except Exception:  # logging must work whatever state the settings are in
        return []
    return sorted({value for value in values if value and len(value) >= 6}, key=len, reverse=True)


def mask_secrets(text: str, secrets: list[str] | None = None) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    for value in _settings_secrets() if secrets is None else secrets:
        text = text.replace(value, MASK)
    return text


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id.get()
        return True


class SecretMaskingFilter(logging.Filter):
    """Rewrites the record's message and traceback with secrets masked."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_secrets_masked", False):
            return True
        secrets = _settings_secrets()
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep the record as it is
            message = str(record.msg)
        record.msg = mask_secrets(message, secrets)
        record.args = None
        for key in ("path", "query"):
            value = getattr(record, key, None)
            if isinstance(value, str):
                setattr(record, key, mask_secrets(value, secrets))
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_secrets(record.exc_text, secrets)
        if record.stack_info:
            record.stack_info = mask_secrets(record.stack_info, secrets)
        record._secrets_masked = True
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, request_id, message and the request
    fields the request-log line carries."""

    fields = ("method", "path", "query", "status", "duration_ms", "user")

    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", current_request_id.get()),
            "message": record.getMessage(),
        }
        for key in self.fields:
            if hasattr(record, key):
                payload[key] = getattr(record, key)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            payload["traceback"] = record.exc_text
        return json.dumps(payload, default=str)
