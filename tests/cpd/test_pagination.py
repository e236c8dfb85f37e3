"""Keyset pagination: pages never repeat or skip rows when others are inserted."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from forums.models import Thread
from forums.services.forums import forum_for_cohort

T0 = timezone.now().replace(microsecond=123456)


def _threads(forum, author, specs):
    return Thread.objects.bulk_create(
        Thread(
            forum=forum,
            author=author,
            title=f"{label}",
            is_pinned=pinned,
            last_post_at=T0 + timedelta(microseconds=offset),
        )
        for label, pinned, offset in specs
    )


def _walk(client, url, first_page_hook=None):
    seen, pages = [], 0
    while url:
        body = client.get(url).json()
        assert set(body) == {"next", "previous", "results"}
        assert body["previous"] is None  # forward-only links
        seen += [row["id"] for row in body["results"]]
        pages += 1
        if pages == 1 and first_page_hook:
            first_page_hook()
        url = body["next"]
    return seen, pages


def test_thread_pages_survive_inserts(api_client, world):
    forum = forum_for_cohort(world.cohort)
    # Many ties on (is_pinned, last_post_at): only the pk tells them apart.
    before = _threads(
        forum,
        world.mentor_of_cohort,
        [(f"old {i}", i % 7 == 0, (i // 4) * 10) for i in range(30)],
    )
    existing = {t.pk for t in before}

    def insert():
        # Rows before, on and after the first page's boundary, incl. exact ties.
        _threads(
            forum,
            world.learner,
            [(f"new {i}", i % 3 == 0, (i % 9) * 10 - 5 * (i % 2)) for i in range(20)],
        )

    api_client.force_authenticate(world.learner)
    url = reverse("api-thread-list", args=[forum.pk]) + "?page_size=7"
    seen, pages = _walk(api_client, url, first_page_hook=insert)

    assert pages >= 3
    assert len(seen) == len(set(seen)), "a thread was listed twice"
    assert existing - set(seen) == set(), "a thread that existed was skipped"


def test_bad_cursor_is_400(api_client, world):
    forum = forum_for_cohort(world.cohort)
    api_client.force_authenticate(world.learner)
    url = reverse("api-thread-list", args=[forum.pk])
    for cursor in ["not-base64!!", "bm90IGpzb24", "WzEsMl0", "WyJ4IiwieSIsInoiXQ"]:
        response = api_client.get(url, {"cursor": cursor})
        assert response.status_code == 400, cursor
        assert "cursor" in response.json() or "cursor" in str(response.json())


def test_page_size_is_capped_at_100(api_client, world):
    forum = forum_for_cohort(world.cohort)
    _threads(forum, world.mentor_of_cohort, [(f"t{i}", False, i) for i in range(105)])
    api_client.force_authenticate(world.learner)
    url = reverse("api-thread-list", args=[forum.pk])
    assert len(api_client.get(url, {"page_size": 500}).json()["results"]) == 100
    body = api_client.get(url).json()
    assert len(body["results"]) == 25
    assert body["next"]
