"""Nothing that can run code reaches a forum page, whatever the Markdown says."""

import pytest
from django.urls import reverse

from forums.services import posting
from forums.services.forums import forum_for_cohort
from tests.conftest import client_as

ATTACKS = [
    "<script>alert('x')</script>",
    '<img src="x" onerror="alert(1)">',
    '<a href="#" onclick="steal()">tap</a>',
    "[tap me](javascript:alert(1))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![pixel](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)",
    '<iframe src="https://evil.example"></iframe>',
    "<svg onload=alert(1)>",
]
FORBIDDEN = [
    "<script",
    "onerror",
    "onclick",
    "onload",
    "javascript:",
    "data:",
    "<iframe",
    "<svg",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_dangerous_markdown_never_reaches_the_thread_page(client, world, attack):
    thread, _ = posting.thread_create(
        actor=world.learner,
        forum=forum_for_cohort(world.cohort),
        title="Attack",
        body=f"Hello\n\n{attack}\n\nbye",
        idempotency_key="a",
    )
    post = thread.posts.get()
    for bad in FORBIDDEN:
        assert bad not in post.body_html.lower()
    client_as(client, world.mentor_of_cohort)
    html = client.get(reverse("forums-thread", args=[thread.pk])).content.decode()
    body = html[html.index('class="post-body"') :]
    body = body[: body.index("</div>")]
    for bad in FORBIDDEN:
        assert bad not in body.lower()


def test_search_snippets_escape_the_text(client, world):
    posting.thread_create(
        actor=world.learner,
        forum=forum_for_cohort(world.cohort),
        title="Snippet",
        body="oxytocin <script>alert(1)</script> dose",
        idempotency_key="s",
    )
    client_as(client, world.learner)
    html = client.get(reverse("forums-search"), {"q": "oxytocin"}).content.decode()
    assert "<script>alert(1)" not in html
    assert "<mark>" in html.lower()
