"""Page panels: parts of a page that another app fills in.

``cpd`` is the base that every app stands on, so it cannot import them; and
``courses`` must not import ``forums``. A page that shows another app's part
names a slot (``{% panels "home" %}``); the app that owns the part registers a
renderer for that slot in its ``AppConfig.ready()``, the way ``mentoring``
registers its private-image rule. A renderer returns HTML, or "" to show nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

# A renderer takes the request and the slot's keyword context.
PanelRenderer = Callable[..., str]

# slot name -> renderers in registration order (app order in INSTALLED_APPS).
_slots: dict[str, list[PanelRenderer]] = {}

HOME = "home"  # the signed-in home page; context: none
COURSE_DETAIL = "course-detail"  # a course outline; context: course, cohorts
COHORT_REPORT = "cohort-report"  # a cohort's report; context: cohort
LEARNER_REPORT = "learner-report"  # one learner's report; context: cohort, learner


def panel_register(slot: str, renderer: PanelRenderer) -> None:
    """Add a renderer to a slot; registering the same one twice is a no-op."""
    renderers = _slots.setdefault(slot, [])
    if renderer not in renderers:
        renderers.append(renderer)


def panels_render(slot: str, request: HttpRequest, **context: Any) -> SafeString:
    """Every registered panel of the slot, rendered in order and joined."""
    parts = [renderer(request, **context) for renderer in _slots.get(slot, [])]
    return format_html_join("", "{}", ((part,) for part in parts if part))
