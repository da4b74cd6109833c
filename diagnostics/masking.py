"""Secret masking: the one function every output of diagnostics goes through.

`mask(value, name="")` is used by the System page, `diagnose --json`, the health endpoints,
the outage page and the log filter, so a password, key or token never leaves the process:
- a URL keeps its user, host, port and path, and its password becomes `****`
  (`postgres://user:****@host:5432/db`); secret-looking query parameters are masked too;
- a value whose *name* looks secret (`SECRET_KEY`, `OPENAI_API_KEY`, `…TOKEN`) is `****`;
- any other text has every secret configured in settings replaced by `****`, wherever it
  appears (a driver's error message, a traceback, a log line).
"""

from __future__ import annotations

import functools
import logging
import re
import warnings
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.core.signals import setting_changed
from django.dispatch import receiver

MASK = "****"

SECRET_NAME = re.compile(
    r"(password|passwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential|"
    r"signature|^key$|_key$)",
    re.IGNORECASE,
)
# Settings whose names look secret but which hold class paths, not secrets.
NOT_SECRET_SETTINGS = {"PASSWORD_HASHERS", "AUTH_PASSWORD_VALIDATORS", "PASSWORD_RESET_TIMEOUT"}
# scheme://user:password@host — the password is the part between the first ':' and the '@'.
URL_PASSWORD = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^:/@\s]*:)(?P<secret>[^@\s]+)(?P<at>@)",
                          re.IGNORECASE)
# ?token=…, &api_key=… inside free text (an error message that quotes a URL).
QUERY_SECRET = re.compile(
    r"(?P<head>[?&][^=&\s\"']*(password|passwd|secret|token|api[_-]?key|access[_-]?key|"
    r"signature|key)[^=&\s\"']*=)(?P<secret>[^&\s\"'#]+)",
    re.IGNORECASE,
)
# Short values would mask innocent words everywhere; real secrets are longer.
MIN_SECRET_LENGTH = 4


@functools.cache
def _secret_settings() -> tuple[str, ...]:
    """Every secret value configured in settings, longest first (cached until a setting
    changes: reading every setting on each call would cost milliseconds)."""
    from django.conf import settings

    found: set[str] = set()

    def collect(name: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                collect(str(key), inner)
        elif isinstance(value, (list, tuple)):
            for inner in value:
                collect(name, inner)
        elif isinstance(value, str) and value:
            if SECRET_NAME.search(name) and len(value) >= MIN_SECRET_LENGTH:
                found.add(value)
            for pattern in (URL_PASSWORD, QUERY_SECRET):
                for match in pattern.finditer(value):
                    if len(match["secret"]) >= MIN_SECRET_LENGTH:
                        found.add(match["secret"])

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # reading a deprecated setting is not using it
        for name in dir(settings):
            if name.isupper() and name not in NOT_SECRET_SETTINGS:
                collect(name, getattr(settings, name, None))
    return tuple(sorted(found, key=len, reverse=True))


@receiver(setting_changed)
def _forget_secret_settings(**kwargs) -> None:
    _secret_settings.cache_clear()


def mask_url(url: str) -> str:
    """`postgres://user:pw@host:5432/db?sslmode=require&token=t` →
    `postgres://user:****@host:5432/db?sslmode=require&token=****`."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return URL_PASSWORD.sub(rf"\g<head>{MASK}\g<at>", url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        if ":" in userinfo:
            userinfo = userinfo.split(":", 1)[0] + ":" + MASK
        netloc = f"{userinfo}@{host}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode(
            [(key, MASK if SECRET_NAME.search(key) and value else value) for key, value in pairs],
            safe="*",
        )
    if netloc == parts.netloc and query == parts.query:
        return url  # unchanged; urlunsplit would drop the empty host of sqlite:////path
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def mask(value: Any, name: str = "") -> Any:
    """Masks secrets in a value of any shape (text, URL, list, dict) — see the module doc."""
    if isinstance(value, dict):
        return {key: mask(inner, str(key)) for key, inner in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(mask(inner, name) for inner in value)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    text = str(value)
    if not text:
        return text
    if name and SECRET_NAME.search(name):
        return MASK
    if re.match(r"^[a-z][a-z0-9+.-]*://", text, re.IGNORECASE) and " " not in text:
        text = mask_url(text)
    else:
        text = URL_PASSWORD.sub(rf"\g<head>{MASK}\g<at>", text)
        text = QUERY_SECRET.sub(rf"\g<head>{MASK}", text)
    for secret in _secret_settings():
        if secret in text:
            text = text.replace(secret, MASK)
    return text


class MaskSecretsFilter(logging.Filter):
    """Log handler filter: the message and any traceback go through `mask` before output."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is the logging module's problem, not ours
            return True
        record.msg, record.args = mask(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        return True
