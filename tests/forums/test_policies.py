"""Every forum rule for every role of the matrix."""

import pytest
from django.utils import timezone

from forums import policies
from forums.models import Forum, Post, Thread

ROLES = [
    "learner",
    "other_learner",
    "mentor_of_cohort",
    "other_mentor",
    "org_admin",
    "other_org_admin",
    "outsider",
    "anonymous",
]
READERS = {"learner", "mentor_of_cohort", "org_admin"}
MODERATORS = {"mentor_of_cohort", "org_admin"}


def _visible(qs_model, q, pk) -> bool:
    return qs_model.objects.filter(q, pk=pk).exists()


@pytest.mark.parametrize("role", ROLES)
def test_only_the_cohorts_people_read_its_threads(world, threads, role):
    user = world.user(role)
    assert _visible(Thread, policies.threads_visible_to(user), threads.thread.pk) == (
        role in READERS
    )
    forum = threads.thread.forum
    assert _visible(Forum, policies.forums_visible_to(user), forum.pk) == (
        role in READERS
    )
    assert policies.can_view_forum(user, forum) == (role in READERS)


@pytest.mark.parametrize("role", ROLES)
def test_only_the_cohorts_people_post_and_reply(world, threads, role):
    user = world.user(role)
    assert policies.can_post_in_forum(user, threads.thread.forum) == (role in READERS)
    assert policies.can_reply(user, threads.thread) == (role in READERS)


@pytest.mark.parametrize("role", ROLES)
def test_authors_edit_their_own_posts_only(world, threads, role):
    user = world.user(role)
    own = {"learner": threads.learner_reply, "mentor_of_cohort": threads.opening}
    if role in own:
        assert policies.can_edit_post(user, own[role])
    # nobody, moderators included, edits someone else's post
    other = threads.opening if role == "learner" else threads.learner_reply
    assert not policies.can_edit_post(user, other)


@pytest.mark.parametrize("role", ROLES)
def test_mentors_and_admins_of_the_cohort_moderate(world, threads, role):
    user = world.user(role)
    assert policies.can_moderate_forum(user, threads.thread.forum) == (
        role in MODERATORS
    )


@pytest.mark.parametrize("role", ROLES)
def test_members_report_posts_of_others(world, threads, role):
    user = world.user(role)
    expected = role in READERS and role != "learner"
    assert policies.can_report_post(user, threads.learner_reply) == expected
    assert policies.can_report_post(user, threads.opening) == (
        role in READERS and role != "mentor_of_cohort"
    )


@pytest.mark.parametrize("role", ROLES)
def test_hidden_posts_are_seen_by_author_and_moderators_only(world, threads, role):
    post = threads.learner_reply
    Post.objects.filter(pk=post.pk).update(hidden_at="2026-01-01T00:00:00Z")
    user = world.user(role)
    visible = _visible(Post, policies.posts_visible_to(user), post.pk)
    assert visible == (role in {"learner", "mentor_of_cohort", "org_admin"})
    if role == "mentor_of_cohort":
        assert visible


def test_a_locked_thread_takes_replies_from_moderators_only(world, threads):
    threads.thread.is_locked = True
    assert not policies.can_reply(world.learner, threads.thread)
    assert policies.can_reply(world.mentor_of_cohort, threads.thread)
    assert not policies.can_edit_post(world.learner, threads.learner_reply)


@pytest.mark.parametrize("role", ROLES)
def test_thread_author_or_moderator_accepts_an_answer(world, threads, role):
    user = world.user(role)
    assert policies.can_accept_answer(user, threads.thread) == (role in MODERATORS)


# posts_visible_to (search reads through it): found by mutation testing, where
# dropping any of its filters survived (docs/testing.md).


@pytest.mark.parametrize("role", ROLES)
def test_posts_visible_to_the_cohorts_people_only(world, threads, role):
    user = world.user(role)
    visible = set(Post.objects.filter(policies.posts_visible_to(user)))
    mine = set(Post.objects.filter(thread=threads.thread))
    other = set(Post.objects.filter(thread__forum__cohort=world.other_cohort))
    assert (visible & mine == mine) == (role in READERS)
    assert (visible & other == other) == (
        role in {"other_learner", "other_mentor", "other_org_admin"}
    )


@pytest.mark.parametrize("role", ROLES)
def test_a_hidden_post_is_seen_by_its_author_and_moderators(world, threads, role):
    Post.objects.filter(pk=threads.learner_reply.pk).update(hidden_at=timezone.now())
    user = world.user(role)
    seen = _visible(Post, policies.posts_visible_to(user), threads.learner_reply.pk)
    assert seen == (role in {"learner", *MODERATORS})
    # the thread's other posts stay visible to all its readers
    opening = threads.thread.posts.exclude(pk=threads.learner_reply.pk).get()
    assert _visible(Post, policies.posts_visible_to(user), opening.pk) == (
        role in READERS
    )


def test_deleted_posts_and_posts_of_deleted_threads_are_not_visible(world, threads):
    user = world.mentor_of_cohort
    Post.objects.filter(pk=threads.learner_reply.pk).update(deleted_at=timezone.now())
    assert not _visible(Post, policies.posts_visible_to(user), threads.learner_reply.pk)
    opening = threads.thread.posts.exclude(pk=threads.learner_reply.pk).get()
    assert _visible(Post, policies.posts_visible_to(user), opening.pk)
    Thread.objects.filter(pk=threads.thread.pk).update(deleted_at=timezone.now())
    assert not _visible(Post, policies.posts_visible_to(user), opening.pk)


def test_a_deleted_thread_is_not_visible(world, threads):
    Thread.objects.filter(pk=threads.thread.pk).update(deleted_at=timezone.now())
    user = world.mentor_of_cohort
    assert not _visible(Thread, policies.threads_visible_to(user), threads.thread.pk)


def test_the_author_cannot_edit_a_hidden_post(world, threads):
    reply = threads.learner_reply
    assert policies.can_edit_post(world.learner, reply)
    Post.objects.filter(pk=reply.pk).update(hidden_at=timezone.now())
    reply.refresh_from_db()
    assert not policies.can_edit_post(world.learner, reply)
