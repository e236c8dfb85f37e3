"""Write a course as one Markdown file: ``manage.py export_course SLUG [-o FILE]``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from courses import markdown_io, selectors
from courses.models import Course


class Command(BaseCommand):
    help = "Export a course (modules, lessons, quizzes) as one Markdown file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument(
            "-o", "--output", help="File to write (default: standard output)."
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            help="Write the course in this language: its translation where there "
            "is one, the original elsewhere (a template for translators).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        course = Course.objects.filter(slug=options["slug"]).first()
        if course is None:
            raise CommandError(f"No course with the slug {options['slug']!r}.")
        text = selectors.course_markdown(course, options["language"])
        for problem in markdown_io.problems(text):
            self.stderr.write(f"warning: would not import as it is: {problem}")
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
            self.stdout.write(f"Wrote {options['output']}")
        else:
            self.stdout.write(text, ending="")
