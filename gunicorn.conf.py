"""gunicorn settings for AICMO (read automatically when gunicorn starts in this folder).

Every value can be changed through the environment; command-line flags win over this file.
"""

from __future__ import annotations

import gc
import os


def web_workers(cpu_count: int | None, cap: int) -> int:
    """2 × cores + 1, the usual rule for a synchronous web app, capped so a big machine does
    not open more database connections than PostgreSQL allows."""
    return max(1, min(2 * (cpu_count or 1) + 1, cap))


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(
    os.environ.get("WEB_CONCURRENCY")
    or web_workers(os.cpu_count(), int(os.environ.get("WEB_CONCURRENCY_MAX", "8")))
)
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
keepalive = 5
# Recycle workers now and then so a slow leak cannot grow for ever. Not too often: a new worker
# costs ~0.9 s of CPU (imports, first templates, connections), which every 1,000 requests of
# ~5 ms was a sixth of the server's time under load; every 10,000 it is about 2 %.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "10000"))
max_requests_jitter = max_requests // 10
# The load balancer's address, so X-Forwarded-Proto/For from it are trusted.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# AICMO's RequestIdMiddleware writes one line per request; gunicorn's access log would repeat it.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Heartbeat files in memory, not on a slow or full disk (Docker's /tmp may be overlayfs).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
proc_name = "aicmo-web"
# The control socket (`gunicornc`) lives at one fixed path per user: several gunicorns on one
# machine would fight over it. Turn it on with GUNICORN_CONTROL_SOCKET=1 where one runs alone.
control_socket_disable = os.environ.get("GUNICORN_CONTROL_SOCKET", "0") != "1"


def post_worker_init(worker) -> None:
    """The worker has loaded the project: what survives one collection now (modules, models, URL
    patterns, settings: about 70,000 objects, alive as long as the worker) is set aside from the
    garbage collector. A full collection walked them all, pausing the worker ~30 ms every few
    thousand requests; it now walks only what requests left behind (under 1 ms)."""
    gc.collect()
    gc.freeze()
