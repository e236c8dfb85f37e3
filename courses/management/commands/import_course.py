"""Create a course (or a translation) from Markdown: ``import_course FILE``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from courses import markdown_io
from courses.services.exchange import course_import


class Command(BaseCommand):
    help = "Import a course written as Markdown (all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The course's .md file.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Replace the course with the same slug if no learner used it yet.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        try:
            course = course_import(text=text, replace=options["replace"])
        except ValidationError as exc:
            problems = "\n".join(f"  {m}" for m in exc.messages)
            raise CommandError(f"{path} was not imported:\n{problems}") from exc
        language = markdown_io.parse(text).language
        if language != course.language:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Imported the {language} translation of “{course.title}” "
                    f"({course.slug})."
                )
            )
            return
        lessons = sum(m.lessons.count() for m in course.modules.all())
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported “{course.title}” ({course.slug}): "
                f"{course.modules.count()} modules, {lessons} lessons, "
                f"{course.quizzes.count()} quizzes."
            )
        )
