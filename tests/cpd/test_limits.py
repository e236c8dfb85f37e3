"""cpd.limits: counted per user and action, and advisory when the cache is down."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.test import override_settings
from django.urls import reverse
from django_redis.cache import RedisCache

from cpd.limits import RateLimited, rate_limit_hit
from forums.models import Post
from forums.services.forums import forum_for_cohort
from forums.services.posting import thread_create
from tests.conftest import UNREACHABLE_CACHES, client_as


def test_limit_counts_per_user_and_action(settings, world):
    # given
    settings.RATE_LIMITS = {"post": (1, 60), "report": (1, 600)}
    rate_limit_hit(user_id=world.learner.pk, action="post")
    # when / then: the same user and action is refused...
    with pytest.raises(RateLimited, match="Wait 60 seconds"):
        rate_limit_hit(user_id=world.learner.pk, action="post")
    # ...another action or another user is not
    rate_limit_hit(user_id=world.learner.pk, action="report")
    rate_limit_hit(user_id=world.mentor_of_cohort.pk, action="post")


def test_settings_override_one_action_and_keep_the_other_defaults(settings):
    from cpd.limits import DEFAULT_LIMITS, limits

    settings.RATE_LIMITS = {"post": (3, 30)}
    assert limits()["post"] == (3, 30)
    assert limits()["mentor_message"] == DEFAULT_LIMITS["mentor_message"]


def test_overridden_caches_reach_the_counters():
    """``caches`` follows CACHES overrides (the tests below rely on it)."""
    with override_settings(CACHES=UNREACHABLE_CACHES):
        assert isinstance(caches["counters"], RedisCache)
        assert "127.0.0.1:1/" in caches["counters"]._server
    assert not isinstance(caches["counters"], RedisCache) or (
        "127.0.0.1:1/" not in caches["counters"]._server
    )


@override_settings(CACHES=UNREACHABLE_CACHES, RATE_LIMITS={"post": (1, 60)})
def test_limit_fails_open_when_the_cache_is_down(world, caplog):
    # given: a limit of one, and a cache that cannot be reached
    forum = forum_for_cohort(world.cohort)
    # when: two threads in a row
    for key in ("a", "b"):
        thread_create(
            actor=world.learner,
            forum=forum,
            title=f"Thread {key}",
            body="body",
            idempotency_key=key,
        )
    # then: both were stored; the skipped limit is logged
    assert Post.objects.filter(author=world.learner).count() == 2
    assert "cache unavailable" in caplog.text


@override_settings(CACHES=UNREACHABLE_CACHES)
def test_a_reply_page_post_still_succeeds_when_the_cache_is_down(client, world):
    # given
    forum = forum_for_cohort(world.cohort)
    thread, _created = thread_create(
        actor=world.mentor_of_cohort, forum=forum, title="T", body="b"
    )
    client_as(client, world.learner)
    # when
    response = client.post(
        reverse("forums-reply", args=[thread.pk]),
        {"body": "a reply", "idempotency_key": "k1"},
    )
    # then
    assert response.status_code == 302
    assert Post.objects.filter(thread=thread, body="a reply").exists()
