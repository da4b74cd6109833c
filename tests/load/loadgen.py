"""A bounded load generator for AICMO served by gunicorn on 127.0.0.1.

Virtual users are threads, each with its own `requests` session (its own signed-in cookie).
They read section pages and, for approvers and operators, approve posts and record manual posts
from shared work queues, at a fixed concurrency. A run stops by itself when its time or its
request budget is spent, whichever comes first, and never talks to anything but 127.0.0.1.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import requests

BASE_DIR = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Profile:
    """How hard and how long: every bound of a run."""

    seconds: float
    concurrency: int
    max_requests: int
    items: int  # posts to approve, and as many approved posts to record by hand
    web_workers: int
    web_threads: int

    @classmethod
    def from_env(cls, name: str) -> Profile:
        base = PROFILES[name]
        return cls(
            seconds=float(os.environ.get("LOAD_SECONDS", base.seconds)),
            concurrency=int(os.environ.get("LOAD_CONCURRENCY", base.concurrency)),
            max_requests=int(os.environ.get("LOAD_MAX_REQUESTS", base.max_requests)),
            items=int(os.environ.get("LOAD_ITEMS", base.items)),
            web_workers=int(os.environ.get("LOAD_WEB_WORKERS", base.web_workers)),
            web_threads=int(os.environ.get("LOAD_WEB_THREADS", base.web_threads)),
        )


PROFILES = {
    # Part of `make test`: about ten seconds of traffic.
    "short": Profile(seconds=10, concurrency=6, max_requests=3000, items=120,
                     web_workers=2, web_threads=2),
    # `make loadtest`: a minute at twice the concurrency, gunicorn as `make serve` starts it.
    "long": Profile(seconds=60, concurrency=12, max_requests=60000, items=800,
                    web_workers=0, web_threads=2),
}


# --- the server -------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class GunicornServer:
    """The project under gunicorn with DEBUG off and gunicorn.conf.py, on a free loopback port.

    Its log goes to a file (a pipe nobody reads would fill up and stall the server under load).
    `workers=0` keeps gunicorn.conf.py's own count (2 × cores + 1)."""

    def __init__(self, *, env: dict[str, str], log_path: Path, workers: int = 0, threads: int = 2):
        self.port = _free_port()
        self.log_path = log_path
        self.env = {
            **os.environ,
            "DEBUG": "false",
            "SECRET_KEY": os.environ.get("SECRET_KEY", "test-secret-key-not-for-production"),
            "STATIC_MANIFEST": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            # Plain http on loopback, as `make serve` does: Secure cookies would never return.
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "TASKS_BACKEND": "immediate",
            "GUNICORN_THREADS": str(threads),
            **env,
        }
        self.env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        if workers:
            self.env["WEB_CONCURRENCY"] = str(workers)
        self.process: subprocess.Popen | None = None
        self._log = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> GunicornServer:
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "gunicorn", "-c", str(BASE_DIR / "gunicorn.conf.py"),
             "--bind", f"127.0.0.1:{self.port}", "aicmo_site.wsgi:application"],
            cwd=BASE_DIR, env=self.env, stdout=self._log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited at start:\n{self.log()}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.2)
        self.__exit__()
        raise RuntimeError(f"gunicorn did not answer /healthz within 30 s:\n{self.log()}")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log:
            self._log.close()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def problems(self) -> list[str]:
        """Log lines that say something went wrong inside the server."""
        return [
            line for line in self.log().splitlines()
            if " ERROR " in line or " CRITICAL " in line or "Traceback" in line
            or "WORKER TIMEOUT" in line
        ]


# --- the traffic ------------------------------------------------------------------------------


@dataclass
class User:
    role: str  # "approver", "operator" or "viewer"
    session_key: str


@dataclass
class Write:
    """One approve or one manual post, as sent."""

    kind: str  # "approve" or "post"
    creative_pk: int
    value: str  # the version approved, or the URL recorded
    status: int


@dataclass
class Result:
    seconds: float = 0.0
    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    writes: list[Write] = field(default_factory=list)
    by_path: dict[str, list[float]] = field(default_factory=dict)
    resent: int = 0  # requests sent again after their kept-alive connection was closed

    @property
    def requests(self) -> int:
        return sum(len(values) for values in self.latencies.values())

    def summary(self) -> str:
        lines = [f"{self.requests} requests in {self.seconds:.1f} s: "
                 f"{self.requests / max(self.seconds, 0.001):.1f} requests/s; "
                 f"statuses {dict(sorted(self.statuses.items()))}; {len(self.errors)} errors; "
                 f"{self.resent} resent on a new connection"]
        for kind, values in sorted({"all": self._all(), **self.latencies}.items()):
            if values:
                lines.append(f"  {kind:<8} n={len(values):<6} p50={_pct(values, 50):7.1f} ms  "
                             f"p99={_pct(values, 99):7.1f} ms  max={max(values):7.1f} ms")
        slowest = sorted(self.by_path.items(), key=lambda item: -statistics.median(item[1]))
        lines.append("  slowest pages (p50): " + ", ".join(
            f"{path} {statistics.median(values):.0f} ms" for path, values in slowest[:5]))
        return "\n".join(lines)

    def _all(self) -> list[float]:
        return [value for values in self.latencies.values() for value in values]


def _pct(values: list[float], pct: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


class WorkQueue:
    """Posts waiting for one kind of write, shared by every user who does that write. Every
    fourth item is handed out twice in a row, as a double submit from two browsers would be."""

    def __init__(self, items: list[tuple[int, str]]):
        self._items: deque[tuple[int, str]] = deque()
        for number, item in enumerate(items):
            self._items.append(item)
            if number % 4 == 0:
                self._items.append(item)
        self._lock = threading.Lock()

    def take(self) -> tuple[int, str] | None:
        with self._lock:
            return self._items.popleft() if self._items else None


class LoadRun:
    def __init__(self, *, base_url: str, users: list[User], pages: dict[str, list[str]],
                 approvals: WorkQueue, posts: WorkQueue, profile: Profile,
                 session_cookie: str = "sessionid", seed: int = 12):
        host = urlsplit(base_url).hostname
        if host != "127.0.0.1":  # the load never leaves this machine
            raise ValueError(f"load runs only against 127.0.0.1, not {host}")
        self.base_url = base_url
        self.users = users
        self.pages = pages
        self.approvals = approvals
        self.posts = posts
        self.profile = profile
        self.session_cookie = session_cookie
        self.seed = seed
        self.result = Result()
        self._lock = threading.Lock()
        self._budget = profile.max_requests

    def run(self) -> Result:
        started = time.monotonic()
        self._deadline = started + self.profile.seconds
        threads = [
            threading.Thread(target=self._user, args=(user, self.seed + number), daemon=True)
            for number, user in enumerate(self.users[: self.profile.concurrency])
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(self.profile.seconds + 120)
        if any(thread.is_alive() for thread in threads):
            self.result.errors.append("a virtual user did not stop within 120 s of the deadline")
        self.result.seconds = time.monotonic() - started
        return self.result

    # Each virtual user: read pages, and take writes from the shared queues now and then.

    def _spend(self) -> bool:
        with self._lock:
            if self._budget <= 0 or time.monotonic() >= self._deadline:
                return False
            self._budget -= 1
            return True

    def _user(self, user: User, seed: int) -> None:
        rng = random.Random(seed)
        with requests.Session() as session:
            session.cookies.set(self.session_cookie, user.session_key, domain="127.0.0.1")
            session.headers["User-Agent"] = f"aicmo-load/{user.role}"
            queue = {"approver": self.approvals, "operator": self.posts}.get(user.role)
            first = True  # every writer starts with a write: the first two race for one post
            while self._spend():
                wants = first or rng.random() < 0.4
                first = False
                item = queue.take() if queue is not None and wants else None
                if item is None:
                    self._read(session, rng.choice(self.pages[user.role]))
                elif user.role == "approver":
                    self._approve(session, rng, *item)
                else:
                    self._post(session, rng, *item)

    def _request(self, kind: str, session: requests.Session, method: str, path: str,
                 expected: set[int], **kwargs) -> requests.Response | None:
        started = time.perf_counter()
        for attempt in (1, 2):
            try:
                response = session.request(method, self.base_url + path, timeout=30,
                                           allow_redirects=False, **kwargs)
                break
            except requests.ConnectionError as exc:
                # A kept-alive connection closed by a recycled worker (max_requests) just as
                # it was reused: browsers send again on a new connection, and so do we, once.
                if attempt == 1 and not isinstance(exc, requests.ConnectTimeout):
                    with self._lock:
                        self.result.resent += 1
                    continue
                error = exc
            except requests.RequestException as exc:
                error = exc
            with self._lock:
                self.result.errors.append(f"{method} {path}: {type(error).__name__}: {error}")
            return None
        elapsed = (time.perf_counter() - started) * 1000
        location = response.headers.get("Location", "")
        with self._lock:
            self.result.latencies.setdefault(kind, []).append(elapsed)
            self.result.statuses[response.status_code] += 1
            if response.status_code not in expected:
                self.result.errors.append(
                    f"{method} {path}: {response.status_code} (expected {sorted(expected)})")
            elif "/accounts/login/" in location:
                self.result.errors.append(f"{method} {path}: sent to sign in ({location})")
        return response

    def _read(self, session: requests.Session, path: str) -> None:
        started = time.perf_counter()
        if self._request("read", session, "GET", path, {200}) is not None:
            with self._lock:
                self.result.by_path.setdefault(path, []).append(
                    (time.perf_counter() - started) * 1000)

    def _csrf(self, session: requests.Session) -> str:
        token = session.cookies.get("csrftoken", domain="127.0.0.1")
        if not token:  # any page of the console sets it (the sign-out form carries a token)
            self._read(session, "/")
            token = session.cookies.get("csrftoken", domain="127.0.0.1") or ""
        return token

    def _write(self, kind: str, session: requests.Session, rng: random.Random, path: str,
               data: dict[str, str], pk: int, value: str) -> None:
        token = self._csrf(session)
        htmx = rng.random() < 0.5  # half from the htmx page, half as plain form posts
        headers = {"X-CSRFToken": token, "HX-Request": "true"} if htmx else {}
        response = self._request(kind, session, "POST", path, {200} if htmx else {302},
                                 data={**data, "csrfmiddlewaretoken": token}, headers=headers)
        with self._lock:
            self.result.writes.append(
                Write(kind, pk, value, response.status_code if response is not None else 0))

    def _approve(self, session: requests.Session, rng: random.Random, pk: int,
                 version: str) -> None:
        self._write("approve", session, rng, f"/campaigns/queue/{pk}/approve/",
                    {"version": version, "next": "/campaigns/queue/"}, pk, version)

    def _post(self, session: requests.Session, rng: random.Random, pk: int,
              platform: str) -> None:
        url = (f"https://www.linkedin.com/posts/load-{pk}-{rng.randrange(10**9)}"
               if platform == "linkedin" else f"https://x.com/load/status/{pk}{rng.randrange(10**9)}")
        self._write("post", session, rng, f"/execution/{platform}/{pk}/posted/",
                    {"url": url}, pk, url)
