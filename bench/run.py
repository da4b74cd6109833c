"""`make bench`: page latency and query counts at scale, import/export throughput, rescoring.

Runs against PostgreSQL at BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/aicmo_bench),
serves the project with gunicorn (DEBUG off) on 127.0.0.1, loads it with wrk, and writes
bench/results/<date>.json and the table in docs/PERFORMANCE.md. Not part of `make test`.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # `python bench/run.py` imports bench.report

from bench import BENCH_IMPORT_SOURCE  # noqa: E402

PY = sys.executable
DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/aicmo_bench")
ENV = {
    **os.environ,
    "DATABASE_URL": DB_URL,
    "DJANGO_SETTINGS_MODULE": "bench.settings",
    "DEBUG": "false",
    "SECRET_KEY": "bench-secret-key-not-for-production",
    "STATIC_MANIFEST": "true",
    "CONN_MAX_AGE": "60",
    "LOG_LEVEL": "WARNING",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    # The importer runs its job in the command itself (no worker in the bench).
    "TASKS_BACKEND": "immediate",
}
SECTION_PAGES = [
    "/", "/intake/", "/strategy/", "/creatives/", "/execution/", "/monitoring/", "/leadgen/",
    "/campaigns/", "/autonomy/", "/delivery/", "/learn/", "/system/",
]
# The Lead Gen list is ranked by score (leads.selectors.lead_list_for); its filter form's
# parameters are q, status, min_score, max_score, source, owner, campaign and page.
LEADGEN_BY_SCORE = "/leadgen/?min_score=50&page=20"
LEAD_SEARCH = "/leadgen/?q=Company+42"
EXTRA_PAGES = ["/campaigns/queue/", LEADGEN_BY_SCORE, LEAD_SEARCH]
LIST_PAGES = {"/creatives/", "/leadgen/", "/campaigns/", *EXTRA_PAGES}
REFERENCES = {"bare": "/bench/bare/", "minimal": "/bench/minimal-leads/",
              "admin": "/admin/leads/lead/"}


def ensure_database() -> None:
    """Creates the bench database when it is missing (the server must be running)."""
    import psycopg2
    from psycopg2 import sql

    parts = urlsplit(DB_URL)
    name = parts.path.lstrip("/")
    try:
        server = psycopg2.connect(dbname="postgres", user=parts.username or "postgres",
                                  password=parts.password, host=parts.hostname or "127.0.0.1",
                                  port=parts.port or 5432, connect_timeout=3)
    except psycopg2.OperationalError as exc:
        raise SystemExit(f"PostgreSQL is not reachable at {parts.hostname}:{parts.port or 5432}: "
                         f"{str(exc).strip().splitlines()[0]}") from exc
    server.autocommit = True
    with server.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"Created database {name}")
    server.close()


def manage(*args: str, capture: bool = False) -> str:
    result = subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=ENV, check=True,
                            capture_output=capture, text=True)
    return result.stdout if capture else ""


def django_shell(code: str) -> str:
    return manage("shell", "-c", code, capture=True).strip().splitlines()[-1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(port: int, workers: int) -> subprocess.Popen:
    process = subprocess.Popen(
        # Without keep-alive, as gunicorn usually runs behind a proxy (nginx speaks HTTP/1.0 to
        # its upstream unless told otherwise): with it, each of wrk's 8 connections stays with
        # the worker that accepted it, and a worker holding five of them pegs one core while
        # another idles, so the same page measured up to 2x apart from one run to the next.
        [PY, "-m", "gunicorn", "aicmo_site.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--keep-alive", "0",
         "--log-level", "warning"],  # gunicorn.conf.py: no access log
        cwd=ROOT, env=ENV, start_new_session=True,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/bare/", timeout=1)  # noqa: S310
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("gunicorn did not start")


def wrk(url: str, cookie: str, seconds: int, connections: int) -> dict:
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "--latency", "-H", f"Cookie: {cookie}", url],
        capture_output=True, text=True, check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)

    def latency(percent: str) -> float:
        match = re.search(rf"\s{percent}%\s+([\d.]+)(us|ms|s)", output)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    requests = int(re.search(r"(\d+) requests in", output).group(1))
    return {"rps": rps, "p50_ms": latency("50"), "p99_ms": latency("99"), "requests": requests,
            "non_2xx": int(errors.group(1)) if errors else 0}


SLOW_SECONDS = 2.0
# Before each measured run: long enough for every worker to have served the page, so the
# figures are the steady state of pages read far more often than their data changes (the
# first request, with cold caches, is reported beside them).
WARM_UP_SECONDS = 3


def ratio(rps: float, reference: float) -> float:
    """rps / reference; a reference that completed nothing in the time counts as 0.1 req/s."""
    return rps / max(reference, 0.1)


def timed_get(url: str, cookie: str) -> float:
    """Seconds one request takes, alone, with the session cookie."""
    request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=300) as response:  # noqa: S310
        response.read()
    return time.perf_counter() - started


def stop(server: subprocess.Popen) -> None:
    """Stops gunicorn at once, requests still running included (its own process group)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGKILL)
    server.wait(timeout=30)


QUERY_COUNT_CODE = """
import json
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.db import connection
from django.contrib.auth.models import User
client = Client()
client.force_login(User.objects.get(username="bench-operator"))
result = {}
for path in PATHS:
    client.get(path)  # warm caches the way a running server has them
    with CaptureQueriesContext(connection) as queries:
        status = client.get(path).status_code
    result[path] = {"queries": len(queries), "status": status}
print(json.dumps(result))
"""


RESCORE_CODE = """
import time
from django.contrib.auth.models import User
from leads.models import ScoringRule
from leads.scoring import leads_rescore
owner = User.objects.get(username="bench-operator")
ScoringRule.objects.filter(created_by=owner).delete()
for field, condition, value, points in [("title", "contains", "marketing", 20),
        ("company_size", "gte", "100", 15), ("source", "equals", "referral", 10),
        ("inactive_days", "gte", "30", -5), ("status", "equals", "QUALIFIED", 25)]:
    ScoringRule.objects.create(field=field, condition=condition, value=value, points=points,
                               created_by=owner)
leads_rescore()
# The rule change: a rule's points move, and every lead is scored again.
ScoringRule.objects.filter(created_by=owner, field="title").update(points=30)
started = time.perf_counter()
changed = leads_rescore()
print(time.perf_counter() - started)
"""


def query_counts(paths: list[str]) -> dict:
    return json.loads(django_shell(f"PATHS = {paths!r}\n" + QUERY_COUNT_CODE))


def session_cookie() -> str:
    """A session of an Operator, as the issue measures pages: not a superuser (whose permission
    checks never reach the database), but staff, so the admin changelist reference opens."""
    code = (
        "from django.contrib.auth.models import User, Group\n"
        "from django.contrib.auth import SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY\n"
        "from django.contrib.sessions.backends.db import SessionStore\n"
        "user, _ = User.objects.get_or_create(username='bench-operator')\n"
        "user.is_staff = True; user.is_superuser = False; user.save()\n"
        "user.groups.add(Group.objects.get(name='Operator'))\n"
        "s = SessionStore(); s[SESSION_KEY] = str(user.pk)\n"
        "s[BACKEND_SESSION_KEY] = 'django.contrib.auth.backends.ModelBackend'\n"
        "s[HASH_SESSION_KEY] = user.get_session_auth_hash(); s.create(); print(s.session_key)"
    )
    return f"sessionid={django_shell(code)}"


def psql(sql: str, stdin=None) -> float:
    started = time.perf_counter()
    subprocess.run(["psql", DB_URL.replace("postgres://", "postgresql://"), "-q", "-c", sql],
                   check=True, stdin=stdin, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def psql_script(script: str) -> float:
    started = time.perf_counter()
    subprocess.run(["psql", DB_URL.replace("postgres://", "postgresql://"), "-q", "-v", "ON_ERROR_STOP=1",
                    "-f", "-"], input=script, text=True, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


# The floor for any importer into leads_lead: the file's rows COPYed by psql into a temporary
# table and written by one INSERT … SELECT, with no validation at all, then rolled back. The gap
# between this and `\copy` into a bare table is what leads_lead's indexes cost.
FLOOR_SCRIPT = """
BEGIN;
CREATE TEMPORARY TABLE bench_copy (email text, name text, company text, title text, status text);
\\copy bench_copy FROM '{path}' WITH (FORMAT csv, HEADER true)
INSERT INTO leads_lead (email, name, phone, company, company_size, title, website, source, status,
    score, consent, notes, utm_source, utm_campaign, utm_content, created_at, updated_at)
SELECT lower(email), name, '', company, NULL, title, '', 'bench', upper(status), 0, false, '', '',
    '', '', now(), now()
FROM bench_copy;
ROLLBACK;
"""

IMPORT_CODE = """
import time
from django.core.management import call_command
started = time.perf_counter()
call_command("import_leads", {path!r}, "--source", {source!r})
print(time.perf_counter() - started)
"""


def measure_import(rows: int) -> dict:
    folder = Path(tempfile.mkdtemp())
    path = folder / "leads.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Email", "Name", "Company", "Title", "Status"])
        for i in range(rows):
            writer.writerow([f"bench-import-{i}@bench.example", f"Imported {i}", f"Co {i % 900}",
                             "Head of Sales" if i % 3 else "Owner", "replied" if i % 5 == 0 else "new"])
    psql("DROP TABLE IF EXISTS bench_copy; CREATE TABLE bench_copy (email text, name text, company text, title text, status text)")
    copy_seconds = psql(f"\\copy bench_copy FROM '{path}' WITH (FORMAT csv, HEADER true)")
    psql("DROP TABLE bench_copy")
    floor_seconds = psql_script(FLOOR_SCRIPT.format(path=path))
    django_shell("from bench.generator import clear_leads; print(clear_leads('bench-import-'))")
    # Timed inside one Python process, so the interpreter's and Django's start-up (a second or
    # two, not the importer's work) stay out of the importer's figure, as psql's do from \copy.
    output = manage("shell", "-c", IMPORT_CODE.format(path=str(path), source=BENCH_IMPORT_SOURCE), capture=True).strip().splitlines()
    import_seconds = float(output[-1])
    shutil.rmtree(folder)
    return {"rows": rows, "importer_rows_per_s": rows / import_seconds,
            "copy_rows_per_s": rows / copy_seconds,
            "ratio": copy_seconds / import_seconds,
            "floor_rows_per_s": rows / floor_seconds, "floor_ratio": copy_seconds / floor_seconds,
            "importer_output": " ".join(output[:-1])[-300:]}


def measure_export(port: int, cookie: str, worker_pid: int) -> dict:
    count = int(django_shell("from leads.models import Lead; print(Lead.objects.count())"))
    started = time.perf_counter()
    psql("\\copy (SELECT * FROM leads_lead ORDER BY score DESC, created_at DESC, id) TO '/dev/null' WITH (FORMAT csv)")
    copy_seconds = time.perf_counter() - started
    before = rss_kb(worker_pid)
    request = urllib.request.Request(f"http://127.0.0.1:{port}/delivery/export/leads.csv",
                                     headers={"Cookie": cookie})
    started = time.perf_counter()
    size = 0
    with urllib.request.urlopen(request, timeout=600) as response:  # noqa: S310
        while chunk := response.read(1 << 20):
            size += len(chunk)
    export_seconds = time.perf_counter() - started
    peak = hwm_kb(worker_pid)
    return {"rows": count, "export_rows_per_s": count / export_seconds,
            "copy_rows_per_s": count / copy_seconds, "ratio": copy_seconds / export_seconds,
            "bytes": size, "peak_memory_growth_mb": (peak - before) / 1024}


def rss_kb(pid: int) -> int:
    return int(re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text()).group(1))


def hwm_kb(pid: int) -> int:
    return int(re.search(r"VmHWM:\s+(\d+)", Path(f"/proc/{pid}/status").read_text()).group(1))


def worker_pids(master: subprocess.Popen) -> list[int]:
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    return [int(pid) for pid in children]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--no-seed", action="store_true")
    parser.add_argument("--export-leads", type=int, default=1_000_000,
                        help="leads in the export measurement (0 skips it)")
    parser.add_argument("--pages", nargs="*", help="measure only these pages (while iterating)")
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--skip-rescore", action="store_true")
    args = parser.parse_args()

    ensure_database()
    manage("migrate", "--no-input", "-v", "0")
    manage("collectstatic", "--no-input", "-v", "0")
    pages = args.pages if args.pages is not None else SECTION_PAGES + EXTRA_PAGES
    results: dict = {"date": date.today().isoformat(), "scale": args.scale,
                     "connections": args.connections, "seconds": args.seconds, "pages": {}}
    if not args.no_seed:
        # The same pages at a tenth of the scale: a query count that grows with data is an N+1.
        print(manage("seed_bench", "--scale", str(args.scale / 10), capture=True).strip().splitlines()[-1])
        session_cookie()
        results["queries_small"] = query_counts(pages)
        print(manage("seed_bench", "--scale", str(args.scale), capture=True).strip().splitlines()[-1])
    cookie = session_cookie()
    results["queries"] = query_counts(pages + list(REFERENCES.values()))
    port = free_port()
    server = start_gunicorn(port, workers=2 * (os.cpu_count() or 1))
    try:
        for name, path in REFERENCES.items():
            wrk(f"http://127.0.0.1:{port}{path}", cookie, WARM_UP_SECONDS, args.connections)
            results.setdefault("references", {})[name] = wrk(
                f"http://127.0.0.1:{port}{path}", cookie, args.seconds, args.connections)
        for path in pages:
            single = timed_get(f"http://127.0.0.1:{port}{path}", cookie)
            if single > SLOW_SECONDS:
                # Under load such a page would only pile requests up: one request tells enough.
                figures = {"rps": 0.0, "p50_ms": single * 1000, "p99_ms": single * 1000,
                           "requests": 0, "single_request_ms": single * 1000, "non_2xx": 0}
            else:
                wrk(f"http://127.0.0.1:{port}{path}", cookie, WARM_UP_SECONDS, args.connections)
                figures = wrk(f"http://127.0.0.1:{port}{path}", cookie, args.seconds, args.connections)
            figures["first_request_ms"] = single * 1000
            refs = results["references"]
            figures["vs_bare"] = ratio(figures["rps"], refs["bare"]["rps"])
            figures["vs_minimal"] = ratio(figures["rps"], refs["minimal"]["rps"])
            figures["vs_admin"] = ratio(figures["rps"], refs["admin"]["rps"])
            figures["list_page"] = path in LIST_PAGES
            results["pages"][path] = figures
            print(f"{path:32} {figures['rps']:8.1f} req/s  p50 {figures['p50_ms']:.1f} ms  "
                  f"p99 {figures['p99_ms']:.1f} ms  ({figures['requests']} requests)", flush=True)
            if figures["requests"] == 0 or figures["p99_ms"] > 1000:
                # Requests still running when wrk stops would slow the next page down: start
                # the next page on a fresh server.
                stop(server)
                server = start_gunicorn(port, workers=2 * (os.cpu_count() or 1))
    finally:
        stop(server)
    if not args.skip_import:
        results["import"] = measure_import(int(100_000 * args.scale))
        print(f"import: ratio {results['import']['ratio']:.2f}: {results['import']['importer_output']}")
    if not args.skip_rescore:
        results["rescore_seconds"] = float(django_shell(RESCORE_CODE))
        print(f"rescoring: {results['rescore_seconds']:.2f} s")
    if args.export_leads:
        extra = args.export_leads - int(django_shell("from leads.models import Lead; print(Lead.objects.count())"))
        if extra > 0:
            django_shell(f"from bench.generator import top_up_leads; print(top_up_leads({extra}))")
        server = start_gunicorn(port, workers=1)
        try:
            results["export"] = measure_export(port, cookie, worker_pids(server)[0])
            exp = results["export"]
            print(f"export: {exp['export_rows_per_s']:,.0f} rows/s, ratio {exp['ratio']:.2f}, "
                  f"peak memory growth {exp['peak_memory_growth_mb']:.1f} MB")
        finally:
            stop(server)
    out = ROOT / "bench" / "results" / f"{results['date']}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    from bench.report import write_performance_md

    write_performance_md(results, ROOT / "docs" / "PERFORMANCE.md")
    print(f"Wrote {out.relative_to(ROOT)} and docs/PERFORMANCE.md")


if __name__ == "__main__":
    main()
