"""`make serve`: AICMO as in production, on this machine, until Ctrl-C.

DEBUG off; a SECRET_KEY from the environment or .env, or else one generated once into
var/secret_key; migrations applied; static files collected (hashed names, gzip and brotli) and
served by WhiteNoise; gunicorn with workers derived from the CPUs (gunicorn.conf.py); the
background worker(s) beside it when jobs go through the database. Ctrl-C (SIGINT) or SIGTERM
stops every process it started, gracefully, then exits 0. If one of them dies on its own, the
others are stopped too and it exits 1.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

# How long a process gets to finish its request or job after SIGTERM before it is killed.
GRACE_SECONDS = float(os.environ.get("SERVE_GRACE_SECONDS", "25"))


def say(message: str) -> None:
    print(f"[serve] {message}", flush=True)


def load_dotenv() -> None:
    """Read .env into this process (the environment wins), so every child sees the same."""
    dotenv = BASE_DIR / ".env"
    if dotenv.is_file():
        import environ

        environ.Env.read_env(dotenv, overwrite=False)


def ensure_secret_key(environ: dict[str, str], key_file: Path) -> str:
    """Set SECRET_KEY in `environ` when missing, from `key_file` (created once, mode 600).
    Returns where the key came from."""
    if environ.get("SECRET_KEY", "").strip():
        return "the environment (or .env)"
    if key_file.is_file() and key_file.read_text().strip():
        environ["SECRET_KEY"] = key_file.read_text().strip()
        return f"{key_file} (generated earlier)"
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    with os.fdopen(os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as out:
        out.write(key + "\n")
    environ["SECRET_KEY"] = key
    return f"{key_file} (generated now: keep it; sessions end if it changes)"


def tasks_backend() -> str:
    import environ

    from aicmo_site import config

    env = environ.Env()
    return config.tasks_backend(env, config.database_url(env, BASE_DIR)[0])


def manage(*args: str) -> None:
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, check=False
    )
    if result.returncode != 0:
        say(f"`manage.py {' '.join(args)}` failed (exit {result.returncode}); not starting.")
        sys.exit(1)


def wait_for_port(host: str, port: int, process: subprocess.Popen, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
            return True
        time.sleep(0.1)
    return False


class Supervisor:
    def __init__(self) -> None:
        self.children: list[tuple[str, subprocess.Popen]] = []
        self.stopping = False

    def start(self, name: str, command: list[str]) -> subprocess.Popen:
        # A session of its own: the terminal's Ctrl-C reaches only this supervisor, which
        # then sends each child exactly one SIGTERM (a second signal would make a worker
        # abandon the job it is running).
        process = subprocess.Popen(command, cwd=BASE_DIR, start_new_session=True)  # noqa: S603
        self.children.append((name, process))
        return process

    def request_stop(self, signum: int, _frame) -> None:
        if not self.stopping:
            say(f"{signal.Signals(signum).name} received: stopping everything gracefully.")
        self.stopping = True

    def watch(self) -> int:
        while not self.stopping:
            for name, process in self.children:
                if process.poll() is not None:
                    say(f"{name} exited on its own (code {process.returncode}); stopping the rest.")
                    self.stop_all()
                    return 1
            time.sleep(0.2)
        self.stop_all()
        return 0

    def stop_all(self) -> None:
        for _, process in self.children:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + GRACE_SECONDS
        for name, process in self.children:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                say(f"{name} did not stop within {GRACE_SECONDS:.0f}s: killing it.")
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        say("All processes stopped.")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument(
        "--web-workers", type=int, default=None,
        help="gunicorn worker processes (default: WEB_CONCURRENCY, else 2 x cores + 1, capped)",
    )
    parser.add_argument(
        "--task-workers", type=int, default=int(os.environ.get("TASK_WORKERS", "1")),
        help="background worker processes when TASKS_BACKEND is database (default: 1)",
    )
    parser.add_argument(
        "--worker-interval", type=float, default=float(os.environ.get("WORKER_INTERVAL", "1")),
        help="seconds an idle worker waits before looking for jobs again (default: 1)",
    )
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    load_dotenv()
    os.environ["DEBUG"] = "false"
    os.environ["STATIC_MANIFEST"] = "true"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aicmo_site.settings")
    source = ensure_secret_key(os.environ, BASE_DIR / "var" / "secret_key")
    say(f"DEBUG off; SECRET_KEY from {source}.")
    if args.host in ("127.0.0.1", "localhost", "::1"):
        # Plain http on this machine: cookies marked Secure would never come back.
        for name in ("SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
            if name not in os.environ:
                os.environ[name] = "false"
        say("Serving plain http on loopback: secure cookies off (set them on behind TLS).")

    say("Applying migrations.")
    manage("migrate", "--no-input", "-v", "0")
    say("Collecting static files (hashed names, gzip and brotli).")
    manage("collectstatic", "--no-input", "-v", "0")

    supervisor = Supervisor()
    signal.signal(signal.SIGINT, supervisor.request_stop)
    signal.signal(signal.SIGTERM, supervisor.request_stop)

    gunicorn = [
        sys.executable, "-m", "gunicorn", "-c", str(BASE_DIR / "gunicorn.conf.py"),
        "--bind", f"{args.host}:{args.port}", "aicmo_site.wsgi:application",
    ]
    if args.web_workers:
        gunicorn += ["--workers", str(args.web_workers)]
    web = supervisor.start("gunicorn", gunicorn)

    backend = tasks_backend()
    if backend == "database":
        for number in range(1, args.task_workers + 1):
            supervisor.start(
                f"worker {number}",
                [sys.executable, "manage.py", "db_worker", "--interval",
                 str(args.worker_interval), "--worker-id",
                 f"{socket.gethostname()[:40]}-{os.getpid()}-{number}"],
            )
        say(f"{args.task_workers} background worker(s) claim jobs from the database.")
    else:
        say("TASKS_BACKEND is immediate: jobs run inside the web process; no worker started.")

    if wait_for_port(args.host, args.port, web, timeout=120):
        say(f"AICMO on http://{args.host}:{args.port}/ — Ctrl-C stops it.")
    elif web.poll() is None:
        say(f"gunicorn is not answering on {args.host}:{args.port} yet; still watching.")
    return supervisor.watch()


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:  # Ctrl-C while migrating or collecting: nothing was started yet
        say("Interrupted before the server started.")
        sys.exit(130)
