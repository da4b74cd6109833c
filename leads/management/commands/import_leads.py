"""`manage.py import_leads FILE [--dry-run]`: the Intake CSV import, from the command line.

The column mapping is guessed from the header, as on the upload page. Prints the counts;
exits 1 when rows were rejected (they are listed) and 2 when the file cannot be imported.
"""

from __future__ import annotations

from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from leads import importing, services
from leads.importing import ImportFileError
from leads.models import ImportStatus


class Command(BaseCommand):
    help = "Import leads from a CSV file (UTF-8 or Windows-1252; comma, semicolon or tab)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the CSV file.")
        parser.add_argument("--dry-run", action="store_true",
                            help="Read and check the file and print the counts; write nothing.")
        parser.add_argument("--source", default="csv_import",
                            help="Source recorded on new leads (default: csv_import).")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}", returncode=2)
        try:
            raw = path.read_bytes()
            parsed = importing.parse(raw, limit=None if options["dry_run"] else 0)
            mapping = importing.guess_mapping(parsed.headers)
            if "email" not in mapping.values():
                raise ImportFileError(
                    "No column header looks like an email address (name it “Email”); "
                    f"the headers are: {', '.join(parsed.headers)}."
                )
            if options["dry_run"]:
                validated = importing.validate(parsed, mapping)
                updated = services.leads_existing_count([lead.email for lead in validated.leads])
                counts = {
                    "rows": validated.total, "created": len(validated.leads) - updated,
                    "updated": updated, "merged": validated.merged,
                    "rejected": len(validated.rejected),
                }
                rejected = [row.as_dict() for row in validated.rejected]
            else:
                importing.check_mapping(mapping, len(parsed.headers))
                with path.open("rb") as handle:
                    job = services.import_job_create(
                        upload=File(handle, name=path.name), actor=None,
                        source=options["source"], count_rows=False,
                    )
                job = services.import_job_start(job=job, mapping=mapping)
                if job.status != ImportStatus.DONE:
                    # A queued job (a real worker backend) is reported as such; a failure stops.
                    if job.status == ImportStatus.FAILED:
                        raise CommandError(job.error, returncode=2)
                    self.stdout.write(f"Import #{job.pk} is {job.get_status_display().lower()}.")
                    return
                counts = {
                    "rows": job.total_rows, "created": job.created_count,
                    "updated": job.updated_count, "merged": job.merged_count,
                    "rejected": job.rejected_count,
                }
                rejected = job.rejected_rows
        except ImportFileError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        prefix = "Dry run (nothing written): " if options["dry_run"] else ""
        self.stdout.write(prefix + ", ".join(f"{key} {value}" for key, value in counts.items()))
        for item in rejected:
            self.stdout.write(f"  row {item['row']}: {item['reason']}")
        if rejected:
            count = len(rejected)
            noun = "row was" if count == 1 else "rows were"
            raise CommandError(f"{count} {noun} rejected (listed above).", returncode=1)
