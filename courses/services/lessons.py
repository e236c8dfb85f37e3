"""Lesson content helpers."""

from __future__ import annotations

from django.urls import reverse

from cpd.models import Image


def lesson_body_with_image(*, body: str, image: Image, alt: str) -> str:
    """The Markdown body with the picture appended: small, linking to full size.

    Course pictures have no cohort, so every signed-in learner may open them.
    """
    alt = " ".join(alt.replace("[", "(").replace("]", ")").split())
    small = reverse("image-file", args=[image.pk, "small"])
    full = reverse("image-file", args=[image.pk, "full"])
    return f"{body.rstrip()}\n\n[![{alt}]({small})]({full})\n"
