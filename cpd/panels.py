"""Page panels: parts of a page that another app fills in.

``cpd`` is the base that every app stands on, so it cannot import them; and
``courses`` must not import ``forums``. A page that shows another app's part
names a slot (``{% panels "home" %}``); the app that owns the part registers a
renderer for that slot in its ``AppConfig.ready()``, the way ``mentoring``
registers its private-image rule. A renderer returns HTML, or "" to show nothing.

A renderer is given only the context keys it names (or all, with ``**kwargs``),
so a slot can offer more context without breaking the renderers before it.
"""

from __future__ import annotations

import inspect
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
# a cohort's report; context: cohort, report (the page's cpd.reports.CohortReport,
# so a panel can reuse its per-learner rows instead of querying them again)
COHORT_REPORT = "cohort-report"
LEARNER_REPORT = "learner-report"  # one learner's report; context: cohort, learner


def panel_register(slot: str, renderer: PanelRenderer) -> None:
    """Add a renderer to a slot; registering the same one twice is a no-op."""
    renderers = _slots.setdefault(slot, [])
    if renderer not in renderers:
        renderers.append(renderer)


def panels_render(slot: str, request: HttpRequest, **context: Any) -> SafeString:
    """Every registered panel of the slot, rendered in order and joined."""
    parts = [
        renderer(request, **_accepted(renderer, context))
        for renderer in _slots.get(slot, [])
    ]
    return format_html_join("", "{}", ((part,) for part in parts if part))


def _accepted(renderer: PanelRenderer, context: dict[str, Any]) -> dict[str, Any]:
    """The part of the slot's context that the renderer's signature names."""
    params = inspect.signature(renderer).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return context
    return {key: value for key, value in context.items() if key in params}
