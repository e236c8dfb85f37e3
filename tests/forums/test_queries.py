"""Query budgets: forum list, thread list, thread page: same cost at 1x and 10x."""

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cpd import services as cpd_services
from cpd.models import Role
from forums.models import HelpfulMark, Tag
from forums.services.forums import forum_for_cohort
from tests.conftest import client_as
from tests.factories.cpd import UserFactory
from tests.factories.forums import PostFactory, ThreadFactory


def _grow(world, forum, thread, *, threads: int, posts: int) -> None:
    tag, _ = Tag.objects.get_or_create(name="case")
    people = UserFactory.create_batch(3)
    for person in people:
        cpd_services.membership_add(cohort=world.cohort, user=person, role=Role.LEARNER)
    for n in range(threads):
        t = ThreadFactory(forum=forum, author=people[n % 3])
        t.tags.add(tag)
        PostFactory(thread=t, author=people[n % 3])
    for n in range(posts):
        post = PostFactory(thread=thread, author=people[n % 3])
        HelpfulMark.objects.create(post=post, user=people[(n + 1) % 3])


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "target",
    [
        "forums-home",
        "forum",
        "thread",
        "search",
        "api-forums",
        "api-threads",
        "api-posts",
        "api-search",
    ],
)
def test_pages_cost_the_same_as_threads_and_posts_grow_tenfold(
    client, world, threads, target
):
    forum = forum_for_cohort(world.cohort)
    thread = threads.thread
    urls = {
        "forums-home": reverse("forums-home"),
        "forum": reverse("forums-forum", args=[forum.pk]),
        # page 1: a full page of posts at 10x, so rows rendered grow too
        "thread": reverse("forums-thread", args=[thread.pk]) + "?page=1",
        "search": reverse("forums-search") + "?q=oxytocin",
        "api-search": reverse("api-forum-search") + "?q=oxytocin",
        "api-forums": reverse("api-forum-list"),
        "api-threads": reverse("api-thread-list", args=[forum.pk]),
        "api-posts": reverse("api-post-list", args=[thread.pk]),
    }
    # given 1x data
    _grow(world, forum, thread, threads=3, posts=3)
    client_as(client, world.learner)
    client.get(urls[target])  # first visit may create read state
    small = _count(client, urls[target])
    # when threads and posts grow tenfold
    _grow(world, forum, thread, threads=30, posts=30)
    # then the number of queries does not change
    assert _count(client, urls[target]) == small


@override_settings(FORUMS_RATE_LIMITS={"report": (1000, 600)})
@pytest.mark.parametrize("url_name", ["forums-moderation", "api-forum-reports"])
def test_moderation_queue_costs_the_same_as_reports_grow(
    client, world, threads, url_name
):
    from forums.services import moderation

    forum = forum_for_cohort(world.cohort)

    def report_some(n: int) -> None:
        for _ in range(n):
            post = PostFactory(thread=ThreadFactory(forum=forum))
            moderation.report_create(actor=world.learner, post=post, reason="check")

    report_some(2)
    client_as(client, world.mentor_of_cohort)
    url = reverse(url_name)
    small = _count(client, url)
    report_some(20)
    assert _count(client, url) == small
