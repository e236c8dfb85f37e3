"""Markdown is rendered once and sanitised: nothing that runs reaches the page."""

import pytest

from cpd.rich_text import mentioned_handles, plain_text, render_markdown


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        "[click](javascript:alert(1))",
        "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        '<a href="vbscript:msgbox(1)">x</a>',
        "![x](data:image/svg+xml;base64,PHN2Zz4=)",
        '<iframe src="https://evil.example"></iframe>',
        '<p style="background:url(javascript:alert(1))">x</p>',
    ],
)
def test_nothing_executable_survives(source):
    html = render_markdown(source).lower()
    for bad in (
        "<script",
        "onerror",
        "javascript:",
        "data:",
        "vbscript:",
        "<iframe",
        "style=",
    ):
        assert bad not in html


def test_markdown_formatting_is_kept():
    html = render_markdown(
        "**PPH** is *common*.\n\n- uterotonics\n- [WHO](https://who.int)"
    )
    assert "<strong>PPH</strong>" in html
    assert "<li>uterotonics</li>" in html
    assert 'href="https://who.int"' in html
    assert 'rel="noopener noreferrer nofollow ugc"' in html


def test_plain_text_strips_tags():
    assert plain_text(render_markdown("**Oxytocin** 10 IU")) == "Oxytocin 10 IU"


def test_mentions_are_found_once_in_order():
    assert mentioned_handles("@amina please see, cc @Peter and @amina") == [
        "amina",
        "peter",
    ]
    assert mentioned_handles("mail me at nurse@example.org") == []
