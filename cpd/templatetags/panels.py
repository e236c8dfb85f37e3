"""``{% panels "slot" key=value %}``: the panels other apps registered for a slot."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from cpd.panels import panels_render

register = template.Library()


@register.simple_tag(takes_context=True)
def panels(context: template.Context, slot: str, **kwargs: Any) -> SafeString:
    return panels_render(slot, context["request"], **kwargs)
