"""Fill the learning record from what the apps held before it existed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cpd import record


class Command(BaseCommand):
    help = (
        "Record statements for existing lessons, attempts, attendance, posts, room "
        "and mentor messages and check-ins. Running it again adds nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rollup-days",
            type=int,
            default=90,
            help="then roll up this many past days into daily aggregates",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        offered = record.backfill()
        for name, n in offered.items():
            self.stdout.write(f"{name}: {n} rows offered")
        rows = record.rollup(days=options["rollup_days"])
        self.stdout.write(f"rolled up {options['rollup_days']} days: {rows} rows")
