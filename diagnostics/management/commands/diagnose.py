"""`manage.py diagnose`: every check as a table (or JSON), with an exit status for scripts.

Exit status: 0 every check passes, 1 at least one warns (none fails), 2 at least one fails.
A wrong --check name exits 3 with one line on stderr. Needs no database to start: it is most
useful when the database is down.
"""

from __future__ import annotations

import json
import logging
import shutil
import sys
import textwrap

from django.core.management.base import BaseCommand, CommandError

from diagnostics.checks import SEVERITY, CheckResult, check_names, run_all, worst
from diagnostics.configuration import configuration_in_effect

EXIT_USAGE = 3


class Command(BaseCommand):
    help = (
        "Runs the diagnostics checks. Exit status 0: all ok; 1: something warns; "
        "2: something fails."
    )
    # Starting must not depend on the database, nor on Django's checks passing: they are
    # among the things this command reports.
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print JSON for machines.")
        parser.add_argument(
            "--check", action="append", dest="checks", metavar="NAME",
            help="Run only this check (repeatable). Names: " + ", ".join(check_names()) + ".",
        )

    def handle(self, *args, **options):
        names = options["checks"] or None
        unknown = [name for name in names or [] if name not in check_names()]
        if unknown:
            raise CommandError(
                f"Unknown check {unknown[0]!r}; choose from: {', '.join(check_names())}.",
                returncode=EXIT_USAGE,
            )
        check_logger = logging.getLogger("aicmo.diagnostics")
        previous_level = check_logger.level
        if options["verbosity"] < 2:
            # The report is the output; the per-check log lines would only repeat it on stderr.
            check_logger.setLevel(logging.ERROR)
        try:
            results = run_all(names)
        finally:
            check_logger.setLevel(previous_level)
        overall = worst(results)
        if options["json"]:
            self.stdout.write(json.dumps(self._as_json(results, overall, names), indent=2))
        else:
            self.stdout.write(self._as_table(results, overall))
        code = SEVERITY[overall]
        if code:
            sys.exit(code)

    @staticmethod
    def _as_json(results: list[CheckResult], overall: str, names) -> dict:
        body = {
            "status": overall,
            "exit_code": SEVERITY[overall],
            "checks": [result.as_dict() for result in results],
        }
        if not names:
            body["configuration"] = {
                row.name: row.value for row in configuration_in_effect()
            }
        return body

    def _as_table(self, results: list[CheckResult], overall: str) -> str:
        title_width = max(len(result.title) for result in results)
        indent = " " * (title_width + 10)
        # textwrap's width counts the indent: keep at least 50 columns of text.
        width = max(min(shutil.get_terminal_size((110, 24)).columns, 120), len(indent) + 50)
        lines = []
        style = {"ok": self.style.SUCCESS, "warn": self.style.WARNING, "fail": self.style.ERROR}
        for result in results:
            label = style[result.status](f"{result.status.upper():<4}")
            summary = textwrap.wrap(result.summary, width - len(indent)) or [""]
            lines.append(f"  {label}  {result.title:<{title_width}}  {summary[0]}")
            lines += [indent + line for line in summary[1:]]
            for detail in result.details:
                lines += textwrap.wrap(detail, width,
                                       initial_indent=indent + "· ",
                                       subsequent_indent=indent + "  ")
            if result.remediation:
                lines += textwrap.wrap(result.remediation, width,
                                       initial_indent=indent + "Fix: ",
                                       subsequent_indent=indent + "     ")
        counts = {status: sum(r.status == status for r in results) for status in SEVERITY}
        lines.append("")
        lines.append(
            f"{counts['ok']} ok, {counts['warn']} warning(s), {counts['fail']} failing: "
            f"exit status {SEVERITY[overall]}."
        )
        return "\n".join(lines)
