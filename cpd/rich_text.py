"""Markdown to safe HTML, rendered once on save and stored beside the source.

Every app that stores user-written text (lessons, posts, room messages, mentor
conversations) renders it here, so there is one allow-list to review.
"""

from __future__ import annotations

import re

import markdown as md
import nh3

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h2", "h3", "h4",
    "hr", "i", "img", "li", "ol", "p", "pre", "strong", "sub", "sup", "table",
    "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height", "loading"},
    "td": {"align"},
    "th": {"align"},
    "abbr": {"title"},
}
# No javascript:, data:, vbscript: or any other scheme that can run code.
URL_SCHEMES = {"http", "https", "mailto", "tel"}

MENTION_RE = re.compile(r"(?<![\w@])@([\w.\-]{2,40})", re.UNICODE)


def render_markdown(text: str) -> str:
    """Sanitised HTML for Markdown ``text``; raw HTML in the source is dropped."""
    html = md.markdown(
        text or "",
        extensions=["extra", "sane_lists", "nl2br"],
        output_format="html",
    )
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow ugc",
        # Pictures load only when scrolled to: data is dear on 2G.
        set_tag_attribute_values={"img": {"loading": "lazy"}},
        strip_comments=True,
    )


def plain_text(html: str) -> str:
    """Text content of sanitised HTML (for search indexes and SMS digests)."""
    return " ".join(nh3.clean(html, tags=set()).split())


def mentioned_handles(text: str) -> list[str]:
    """``@handle`` words in ``text``, in order, without duplicates."""
    seen: dict[str, None] = {}
    for handle in MENTION_RE.findall(text or ""):
        seen.setdefault(handle.lower().rstrip(".-"), None)
    return list(seen)
