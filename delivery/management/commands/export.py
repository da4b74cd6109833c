from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from delivery import exports


class Command(BaseCommand):
    help = (
        "Exports leads, campaigns, creatives, publications or metrics as CSV, XLSX or JSON. "
        "Filters are the list pages' own: --filter status=NEW --filter campaign=3."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(exports.EXPORTS))
        parser.add_argument("--format", choices=exports.FORMATS, default="csv")
        parser.add_argument("--output", help="File to write; standard output when omitted.")
        parser.add_argument(
            "--filter", action="append", default=[], metavar="NAME=VALUE",
            help="A filter, e.g. status=QUALIFIED, campaign=3, date_from=2026-01-01.",
        )

    def handle(self, *args, kind, format, output, filter, **options):
        export_kind = exports.EXPORTS[kind]
        pairs = []
        for item in filter:
            name, sep, value = item.partition("=")
            if not sep or name not in export_kind.filters:
                raise CommandError(
                    f"Unknown filter {item!r} for {kind}; use one of: {', '.join(export_kind.filters)}."
                )
            pairs.append((name, value))
        try:
            params = exports.clean_params(export_kind, pairs)
        except exports.BadFilter as exc:
            raise CommandError(str(exc)) from exc
        if format == "xlsx":
            if not output:
                raise CommandError("XLSX is binary: give --output FILE.")
            exports.write_xlsx(export_kind, params, output)
            return
        chunks = exports.csv_chunks if format == "csv" else exports.json_chunks
        if output:
            with open(output, "w", encoding="utf-8", newline="") as handle:
                for chunk in chunks(export_kind, params):
                    handle.write(chunk)
        else:
            for chunk in chunks(export_kind, params):
                sys.stdout.write(chunk)
