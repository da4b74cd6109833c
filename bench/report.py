"""Turns a bench result into the table in docs/PERFORMANCE.md, with each target met or not."""

from __future__ import annotations

from pathlib import Path

MARKER = "<!-- bench:table -->"


def _check(ok: bool) -> str:
    return "met" if ok else "**missed**"


def page_rows(results: dict) -> list[str]:
    small = results.get("queries_small", {})
    rows = []
    for path, figures in results["pages"].items():
        queries = results["queries"].get(path, {}).get("queries")
        same = small.get(path, {}).get("queries") == queries if small else None
        if figures["list_page"]:
            target = figures["vs_minimal"] >= 0.5 and figures["vs_admin"] >= 5
            target_text = "≥ ½ minimal and ≥ 5× admin"
        else:
            target = figures["vs_minimal"] >= 1 / 3
            target_text = "≥ ⅓ minimal"
        query_ok = queries is not None and queries <= 15 and same is not False
        if figures.get("single_request_ms"):
            latencies = f"one request alone: {figures['single_request_ms']:.0f} | —"
        elif figures.get("requests") == 0:
            latencies = f"none in {results['seconds']} s | —"
        else:
            latencies = f"{figures['p50_ms']:.1f} | {figures['p99_ms']:.1f}"
        first = figures.get("first_request_ms")
        rows.append(
            f"| `{path}` | {figures['rps']:.1f} | {latencies} "
            f"| {f'{first:.0f}' if first is not None else '—'} "
            f"| {figures['vs_minimal']:.2f} | {figures['vs_admin']:.1f} | {figures['vs_bare']:.3f} "
            f"| {queries} ({'same' if same else 'differs' if same is False else 'n/a'} at 1/10) "
            f"| {target_text}: {_check(target)}; queries: {_check(query_ok)} |"
        )
    return rows


def table(results: dict) -> str:
    refs = results["references"]
    lines = [
        f"Run of {results['date']} at scale {results['scale']} "
        f"(wrk, {results['connections']} connections, {results['seconds']} s per page, gunicorn "
        "with DEBUG off on 127.0.0.1, PostgreSQL on the same 2-core machine).",
        "",
        "| reference | req/s | p50 ms | p99 ms |",
        "|---|---|---|---|",
    ]
    for name, label in (("bare", "bare Django view"), ("minimal", "minimal 50-lead page"),
                        ("admin", "admin changelist of leads")):
        figures = refs[name]
        lines.append(f"| {label} | {figures['rps']:.0f} | {figures['p50_ms']:.1f} | {figures['p99_ms']:.1f} |")
    lines += [
        "",
        "| page | req/s | p50 ms | p99 ms | first request ms | × minimal | × admin | × bare | queries "
        "| targets |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *page_rows(results),
        "",
    ]
    if "import" in results:
        imp = results["import"]
        lines.append(
            f"- Import of {imp['rows']:,} leads: {imp['importer_rows_per_s']:,.0f} rows/s against "
            f"`psql \\copy` {imp['copy_rows_per_s']:,.0f} rows/s — ratio {imp['ratio']:.2f} "
            f"(target ≥ 0.33: {_check(imp['ratio'] >= 1 / 3)})."
        )
        if "floor_rows_per_s" in imp:
            lines.append(
                f"  The floor for any importer into `leads_lead` — psql COPYing the file into a "
                f"temporary table and one `INSERT … SELECT` with no validation, rolled back — "
                f"{imp['floor_rows_per_s']:,.0f} rows/s, ratio {imp['floor_ratio']:.2f} to `\\copy`: "
                f"the table's indexes alone keep any importer below the target; the importer "
                f"reaches {imp['importer_rows_per_s'] / imp['floor_rows_per_s']:.2f} of that floor."
            )
    if "export" in results:
        exp = results["export"]
        lines.append(
            f"- CSV export of {exp['rows']:,} leads over HTTP: {exp['export_rows_per_s']:,.0f} rows/s "
            f"against `psql \\copy TO` {exp['copy_rows_per_s']:,.0f} rows/s — ratio {exp['ratio']:.2f} "
            f"(target ≥ 0.5: {_check(exp['ratio'] >= 0.5)}); worker peak memory growth "
            f"{exp['peak_memory_growth_mb']:.1f} MB (target < 50: {_check(exp['peak_memory_growth_mb'] < 50)})."
        )
    if "rescore_seconds" in results:
        seconds = results["rescore_seconds"]
        lines.append(f"- Rescoring every lead: {seconds:.2f} s (target < 2 s: {_check(seconds < 2)}).")
    return "\n".join(lines)


def write_performance_md(results: dict, path: Path) -> None:
    text = path.read_text() if path.exists() else f"# Performance\n\n{MARKER}\n{MARKER}\n"
    if text.count(MARKER) < 2:
        text += f"\n{MARKER}\n{MARKER}\n"
    head, _, rest = text.partition(MARKER)
    _, _, tail = rest.partition(MARKER)
    path.write_text(f"{head}{MARKER}\n{table(results)}\n{MARKER}{tail}")
