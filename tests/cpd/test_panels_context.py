"""Panel slots hand each renderer only the context keys it names."""

from __future__ import annotations

from django.test import RequestFactory
from django.utils.safestring import mark_safe

from cpd import panels


def test_a_renderer_gets_only_the_keys_it_names(monkeypatch):
    monkeypatch.setattr(panels, "_slots", {})
    seen: list[object] = []

    def old(request, cohort):
        seen.append(("old", cohort))
        return mark_safe("<p>old</p>")  # noqa: S308 - a constant

    def new(request, cohort, report=None):
        seen.append(("new", cohort, report))
        return mark_safe("<p>new</p>")  # noqa: S308 - a constant

    def everything(request, **context):
        seen.append(("all", sorted(context)))
        return ""

    for renderer in (old, new, everything):
        panels.panel_register("test-slot", renderer)
    request = RequestFactory().get("/")
    html = panels.panels_render("test-slot", request, cohort=1, report=2)
    assert html == "<p>old</p><p>new</p>"
    assert seen == [("old", 1), ("new", 1, 2), ("all", ["cohort", "report"])]
