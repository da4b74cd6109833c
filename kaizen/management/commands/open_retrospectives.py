"""Opens a retrospective for every completed campaign that has none yet."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from kaizen.services import retrospectives_open_for_completed


class Command(BaseCommand):
    help = "Open a retrospective for each completed campaign that has none yet."

    def handle(self, *args, **options) -> None:
        opened = retrospectives_open_for_completed()
        for retrospective in opened:
            self.stdout.write(f"Opened the retrospective of {retrospective.campaign}.")
        self.stdout.write(f"{len(opened)} retrospective(s) opened.")
