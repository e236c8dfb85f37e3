"""Query budgets: forum list, thread list, thread page: same cost at 1x and 10x."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cpd import services as cpd_services
from cpd.models import Role
from forums import selectors
from forums.models import HelpfulMark, ReadState, Tag
from forums.services import posting
from forums.services.forums import forum_create, forum_for_cohort
from tests.conftest import client_as
from tests.factories.cpd import UserFactory
from tests.factories.forums import PostFactory, ThreadFactory


@pytest.fixture(autouse=True)
def _no_post_list_cache(settings):
    """Budgets here are the worst case: every view renders the posts afresh.

    (With the cache a repeat view costs two queries fewer; the hit path has
    its own ceiling in test_thread_cache.py.)
    """
    settings.FORUMS_THREAD_CACHE_SECONDS = 0


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


@override_settings(RATE_LIMITS={"report": (1000, 600)})
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


# --- Ceilings: the thread page, the forum list and the thread list --------------

# The layout's notification bell (one COUNT on a partial index) included; the
# session is read from the cache. Uncached post list: a hit is 2 fewer.
THREAD_PAGE_CEILING = 10


def _thread_url(thread) -> str:
    return reverse("forums-thread", args=[thread.pk]) + "?page=1"


def _posts(thread, n: int) -> None:
    people = UserFactory.create_batch(3)
    for i in range(n):
        post = PostFactory(thread=thread, author=people[i % 3])
        HelpfulMark.objects.create(post=post, user=people[(i + 1) % 3])


def test_thread_page_is_at_most_ten_queries_and_constant_from_1_to_20_posts(
    client, world, django_assert_num_queries
):
    # given a thread of one post, already read once by a signed-in learner
    forum = forum_for_cohort(world.cohort)
    thread = ThreadFactory(forum=forum, author=world.mentor_of_cohort)
    PostFactory(thread=thread, author=world.mentor_of_cohort)
    client_as(client, world.learner)
    client.get(_thread_url(thread))
    one = _count(client, _thread_url(thread))
    assert one <= THREAD_PAGE_CEILING
    # when it grows to 20 posts (a full page of 12 rendered), marks included
    _posts(thread, 19)
    # then the page costs exactly the same
    with django_assert_num_queries(one):
        assert client.get(_thread_url(thread)).status_code == 200


def test_thread_page_reread_writes_nothing_and_runs_no_count_or_follow_query(
    client, world, threads
):
    # given a learner who has read the thread
    client_as(client, world.learner)
    client.get(_thread_url(threads.thread))
    # when they open it again with nothing new
    with CaptureQueriesContext(connection) as ctx:
        client.get(_thread_url(threads.thread))
    sqls = [q["sql"] for q in ctx.captured_queries]
    # then the pager count and follow flag come with the thread, and no write runs
    assert not [s for s in sqls if s.startswith(("UPDATE", "INSERT", "SAVEPOINT"))]
    assert not [s for s in sqls if "COUNT(*)" in s and "forums_post" in s]
    assert not [s for s in sqls if s.startswith("SELECT") and "forums_follow" in s[:60]]


def test_thread_page_with_new_posts_marks_read_at_a_cost_constant_in_posts(
    client, world, django_assert_num_queries
):
    # given a thread the learner read, then someone replied (so it is unread)
    forum = forum_for_cohort(world.cohort)
    thread, _ = posting.thread_create(
        actor=world.mentor_of_cohort,
        forum=forum,
        title="Shoulder dystocia drill",
        body="Who ran the drill this month?",
        no_identifiers_confirmed=True,
        idempotency_key="q1",
    )
    client_as(client, world.learner)
    client.get(_thread_url(thread))

    def reply(key: str) -> None:
        posting.post_create(
            actor=world.mentor_of_cohort,
            thread=thread,
            body="We did, on Tuesday.",
            no_identifiers_confirmed=True,
            idempotency_key=key,
        )

    reply("q2")
    few = _count(client, _thread_url(thread))
    # the read state write is one upsert
    assert few <= THREAD_PAGE_CEILING
    # when 19 more posts arrive and one more reply makes it unread again
    _posts(thread, 19)
    reply("q3")
    # then the unread view costs the same
    with django_assert_num_queries(few):
        client.get(_thread_url(thread))


@pytest.mark.parametrize("role", ["learner", "org_admin"])
def test_forum_list_costs_the_same_at_1_and_10_forums_with_threads(
    client, world, role, django_assert_num_queries
):
    # given one forum with one thread
    forum = forum_for_cohort(world.cohort)
    PostFactory(thread=ThreadFactory(forum=forum))
    client_as(client, getattr(world, role))
    url = reverse("forums-home")
    client.get(url)  # the first visit may create default forums
    one = _count(client, url)
    # when there are 10 forums with 10 threads each, some read
    for i in range(9):
        extra = forum_create(cohort=world.cohort, title=f"Extra {i}")
        for _ in range(10):
            PostFactory(thread=ThreadFactory(forum=extra))
    for _ in range(9):
        PostFactory(thread=ThreadFactory(forum=forum))
    # then the list costs the same
    with django_assert_num_queries(one):
        assert client.get(url).status_code == 200


def test_thread_list_costs_the_same_at_1_and_10_threads(
    client, world, django_assert_num_queries
):
    forum = forum_for_cohort(world.cohort)
    tag, _ = Tag.objects.get_or_create(name="case")
    PostFactory(thread=ThreadFactory(forum=forum))
    client_as(client, world.learner)
    url = reverse("forums-forum", args=[forum.pk])
    one = _count(client, url)
    for _ in range(9):
        t = ThreadFactory(forum=forum)
        t.tags.add(tag)
        PostFactory(thread=t)
    with django_assert_num_queries(one):
        assert client.get(url).status_code == 200


def test_forum_list_counts_per_forum_without_grouping_the_outer_query(world):
    # given two forums: live, deleted and read threads in the first
    forum = forum_for_cohort(world.cohort)
    extra = forum_create(cohort=world.cohort, title="Case library")
    live = ThreadFactory.create_batch(3, forum=forum)
    ThreadFactory(forum=forum, deleted_at=timezone.now())
    ThreadFactory(forum=extra)
    ReadState.objects.create(
        thread=live[0], user=world.learner, last_read_at=timezone.now()
    )
    ReadState.objects.create(  # read before its last post: still unread
        thread=live[1],
        user=world.learner,
        last_read_at=live[1].last_post_at - timedelta(minutes=1),
    )
    # when the learner lists forums
    qs = selectors.forum_list_for_user(world.learner)
    # then counts are correlated subqueries: no GROUP BY on the outer query
    assert qs.query.group_by is None
    counts = {f.pk: (f.thread_count, f.unread_count) for f in qs}
    assert counts == {forum.pk: (3, 2), extra.pk: (1, 1)}
