"""A real local HTTP server standing in for the generation backend, and PostgreSQL helpers."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection

from aicmo_site.config import database_config


class FakeBackend:
    """Answers GET /health according to `mode`: ok, error, garbage, degraded or slow."""

    def __init__(self):
        self.mode = "ok"
        self.delay = 0.0
        self.requests: list[str] = []
        backend = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                backend.requests.append(self.path)
                if backend.mode == "slow":
                    time.sleep(backend.delay)
                if backend.mode == "error":
                    self._send(500, b"Internal Server Error", "text/plain")
                elif backend.mode == "garbage":
                    self._send(200, b"<html><body>Welcome to nginx!</body></html>", "text/html")
                elif backend.mode == "degraded":
                    self._send(200, json.dumps({"status": "degraded"}).encode())
                else:
                    self._send(200, json.dumps({"status": "ok"}).encode())

            def _send(self, code: int, body: bytes, content_type: str = "application/json"):
                try:
                    self.send_response(code)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the client gave up (a timeout test)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def health_requests(self) -> int:
        return sum(path == "/health" for path in self.requests)


@pytest.fixture
def fake_backend():
    backend = FakeBackend()
    thread = threading.Thread(target=backend.server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield backend
    backend.server.shutdown()
    backend.server.server_close()


@pytest.fixture
def http_engine(settings, fake_backend):
    """The http engine pointed at the fake backend."""
    settings.GENERATION_ENGINE = "http"
    settings.AICMO_BACKEND_URL = fake_backend.url
    settings.AICMO_BACKEND_TIMEOUT = 2.0
    return fake_backend


needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs the local PostgreSQL server"
)


def postgres_dict(*, user: str | None = None, name: str | None = None, port: int | None = None,
                  query: str = "") -> dict:
    """A DATABASES entry for the local PostgreSQL server, with parts replaced."""
    db = connection.settings_dict
    user = user or db["USER"] or "postgres"
    host = db["HOST"] or "127.0.0.1"
    port = port or int(db["PORT"] or 5432)
    name = name or db["NAME"]
    return database_config(f"postgres://{user}@{host}:{port}/{name}{query}")
