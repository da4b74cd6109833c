from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from aicmo_site import demo


class Command(BaseCommand):
    help = "Creates demo users (one per role) and demo data for every section. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when the demo users exist."
        )
        parser.add_argument(
            "--no-remember", action="store_true",
            help="Do not keep the generated passwords in var/demo-logins.txt.",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "seed_demo refuses to run with DEBUG off (it creates users with known roles); "
                "pass --force if you really mean it."
            )
        if options["if_empty"] and demo.is_seeded():
            self.stdout.write("Demo data already present; nothing to do.")
            return
        created = demo.seed(lambda line: self.stdout.write(line))
        if not options["no_remember"]:
            demo.remember_logins(created)
        if created:
            self.stdout.write("Demo logins (shown once):")
            for username, role, password in created:
                self.stdout.write(f"  {username:10} {password:16} {role}")
        self.stdout.write(self.style.SUCCESS("Demo data is in place."))
