"""Publish owed tasks that are due (what the beat sweep does every minute)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cpd import outbox


class Command(BaseCommand):
    help = (
        "Publish the outbox's due tasks (delayed reminders, tasks whose publish "
        "failed). Beat runs this every minute; run it by hand in the embedded mode."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{outbox.sweep()} tasks published")
