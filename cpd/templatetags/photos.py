"""``{% photo %}`` and ``{% rich_html %}``: the one place pictures are put on a page.

With data saver on (``cpd.context_processors.data_saver``: the ``Save-Data: on``
header or the user's setting) a picture is a plain link to its small rendition
instead of an ``<img>``: nothing loads until a tap. Without JS the link opens the
picture; with JS (static/js/app.js, ``data-photo``) the tap puts it in the page.
"""

from __future__ import annotations

import html
import re

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

IMG_RE = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
ATTR_RE = re.compile(r'\b(src|alt)="([^"]*)"', re.IGNORECASE)


def _saver(context: template.Context) -> bool:
    return bool(context.get("data_saver"))


@register.simple_tag(takes_context=True)
def photo(
    context: template.Context,
    image_id: int,
    alt: str,
    width: int | None = None,
    height: int | None = None,
) -> SafeString:
    """An uploaded image: ``<img>`` of the small size linking to the full one."""
    return render_to_string(
        "partials/photo.html",
        {
            "saver": _saver(context),
            "small": reverse("image-file", args=[image_id, "small"]),
            "full": reverse("image-file", args=[image_id, "full"]),
            "alt": alt,
            "width": width,
            "height": height,
        },
    )


def _placeholder(tag: str) -> str:
    attrs = {k.lower(): v for k, v in ATTR_RE.findall(tag)}
    src = attrs.get("src", "")
    if not src:
        return ""
    return render_to_string(
        "partials/photo.html",
        {
            "saver": True,
            "small": html.unescape(src),
            "full": html.unescape(src),
            "alt": html.unescape(attrs.get("alt", "")),
        },
    ).strip()


@register.simple_tag(takes_context=True)
def rich_html(context: template.Context, body_html: str) -> SafeString:
    """Stored, sanitised HTML (cpd.rich_text); with data saver, its images wait."""
    if not _saver(context) or "<img" not in body_html:
        return mark_safe(body_html)  # noqa: S308 (sanitised by cpd.rich_text on save)
    return mark_safe(IMG_RE.sub(lambda m: _placeholder(m.group(0)), body_html))  # noqa: S308
