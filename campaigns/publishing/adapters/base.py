"""What every live adapter shares: the result and error types, and reading HTTP answers.

An adapter turns one creative into one post: `publish(creative, publication)` returns a
`PublishResult` (the platform's id for the post and its URL) or raises `PublishError` with a
message an operator can act on. The service (`campaigns.publishing.services`) owns the retries,
records every attempt and makes sure one publication is attempted by one worker at a time.

Secrets (tokens, passwords, signing keys) never go into a message, a log line or a repr.
"""

from __future__ import annotations

import json
import mimetypes
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import requests
from django.conf import settings

from campaigns.models import Creative, Publication, PublishingCredential

USER_AGENT = "AICMO-publisher/1.0"


@dataclass(frozen=True)
class PublishResult:
    external_id: str
    url: str = ""


class PublishError(Exception):
    """A post did not go out. `retryable` errors (5xx, timeouts, 429, a media still processing)
    are tried again with backoff; the others are final and show `message` to the operator."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        retryable: bool = False,
        retry_after: float | None = None,
        code: str = "",
    ):
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.retryable = retryable
        self.retry_after = retry_after
        self.code = code


def retry_after_seconds(headers, now: datetime | None = None) -> float | None:
    """How long a 429 asks us to wait: Retry-After (seconds or an HTTP date), Mastodon's
    X-RateLimit-Reset (ISO 8601) or Bluesky's RateLimit-Reset (epoch seconds, or a delta)."""
    now = now or datetime.now(UTC)
    value = headers.get("Retry-After")
    if value:
        value = value.strip()
        if value.isdigit():
            return float(value)
        try:
            return max(0.0, (parsedate_to_datetime(value) - now).total_seconds())
        except (TypeError, ValueError):
            pass
    value = headers.get("X-RateLimit-Reset")
    if value:
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            return max(0.0, (moment - now).total_seconds())
        except ValueError:
            pass
    value = headers.get("RateLimit-Reset")
    if value:
        try:
            number = float(value.strip())
        except ValueError:
            return None
        # Bluesky sends an epoch time; the IETF draft header sends seconds to wait.
        return max(0.0, number - now.timestamp()) if number > 1_000_000_000 else number
    return None


def _looks_like_html(response: requests.Response) -> bool:
    content_type = response.headers.get("Content-Type", "").lower()
    start = response.content[:200].lstrip().lower()
    return "html" in content_type or start.startswith((b"<!doctype", b"<html"))


def platform_message(payload) -> str:
    """The human part of a platform's JSON error (Mastodon: error; Bluesky: error + message)."""
    if not isinstance(payload, dict):
        return ""
    parts = [str(payload[key]) for key in ("error", "message", "error_description")
             if payload.get(key)]
    return ": ".join(dict.fromkeys(parts))


def read_json(response: requests.Response, platform: str) -> dict:
    """The JSON body of a successful answer, or PublishError for anything else.

    5xx (including a proxy's HTML error page) and 429 are retryable; other 4xx are final and
    carry the platform's own message; a 2xx that is not JSON is final (it may have posted, so
    the operator retries by hand, and the adapter looks the post up before posting again).
    """
    code = response.status_code
    payload = None
    try:
        payload = response.json() if response.content else {}
    except ValueError:
        payload = None
    if 200 <= code < 300:
        if isinstance(payload, dict):
            return payload
        raise PublishError(
            f"{platform} answered {code} but not with JSON; check the account before retrying.",
            status_code=code,
        )
    error_name = str(payload.get("error", "")) if isinstance(payload, dict) else ""
    if code == 429:
        raise PublishError(
            f"{platform} is rate limiting us (429).", status_code=code, retryable=True,
            retry_after=retry_after_seconds(response.headers), code=error_name,
        )
    if code >= 500 or (payload is None and _looks_like_html(response)):
        message = f"{code} from the platform" if code >= 500 else f"{code} from {platform}"
        if payload is None:
            message += " (an error page instead of JSON, usually from a proxy in front of it)"
        elif platform_message(payload):
            message += f": {platform_message(payload)}"
        raise PublishError(message, status_code=code, retryable=code >= 500, code=error_name)
    detail = platform_message(payload) or response.reason or "no message"
    raise PublishError(
        f"{platform} refused the post ({code}): {detail}", status_code=code, code=error_name
    )


class Adapter:
    """One brand's account on one platform, reached over HTTP."""

    kind = ""
    label = ""

    def __init__(self, credential: PublishingCredential):
        self.credential = credential
        self.http = requests.Session()
        self.http.headers["User-Agent"] = USER_AGENT
        self.timeout = settings.PUBLISHING_TIMEOUT

    def configuration_problem(self) -> str | None:
        """None when the credential has what this adapter needs, else what is missing."""
        raise NotImplementedError

    def publish(self, creative: Creative, publication: Publication) -> PublishResult:
        raise NotImplementedError

    def request(self, method: str, url: str, **kwargs) -> requests.Response:
        """One HTTP request; timeouts and refused connections become retryable errors.
        Redirects are not followed: a POST turned into a GET of a login page is no success."""
        try:
            return self.http.request(method, url, timeout=self.timeout, allow_redirects=False,
                                     **kwargs)
        except requests.Timeout as exc:
            raise PublishError(
                f"{self.label} did not answer within {self.timeout:g} seconds.", retryable=True
            ) from exc
        except requests.ConnectionError as exc:
            raise PublishError(f"Could not connect to {self.label}.", retryable=True) from exc
        except requests.RequestException as exc:
            raise PublishError(f"The request to {self.label} failed: {type(exc).__name__}.") from exc


def creative_image(creative: Creative) -> tuple[str, bytes, str] | None:
    """(file name, bytes, MIME type) of the creative's image, or None when it has none."""
    if not creative.image:
        return None
    try:
        with creative.image.open("rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise PublishError(f"The post's image could not be read ({creative.image.name}).") from exc
    name = creative.image.name.rsplit("/", 1)[-1]
    mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return name, data, mime


def wait(seconds: float) -> None:
    time.sleep(max(0.0, seconds))


def dumps(payload) -> bytes:
    """Compact, stable JSON bytes: what is signed is exactly what is sent."""
    return json.dumps(payload, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()
