"""Fill the learning record from what the apps held before it existed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cpd import record


class Command(BaseCommand):
    help = (
        "Record statements for existing lessons, attempts, attendance, posts, room "
        "and mentor messages and check-ins. Running it again adds nothing."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        offered = record.backfill()
        for name, n in offered.items():
            self.stdout.write(f"{name}: {n} rows offered")
        # every past day's statements not counted yet, the backfilled included
        # with no time bound, and after a beat run's batch under way if any
        rows = record.rollup(wait=True)
        self.stdout.write(f"rolled up: {rows} daily rows")
