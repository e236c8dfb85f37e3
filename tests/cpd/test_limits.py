"""cpd.limits: counted per user and action, and advisory when the cache is down."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from django.test import override_settings
from django.urls import reverse

from cpd.limits import RateLimited, rate_limit_hit
from forums.models import Post
from forums.services.forums import forum_for_cohort
from forums.services.posting import thread_create
from tests.conftest import client_as

# Nothing listens on port 1: every cache call fails with a connection error.
UNREACHABLE_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
    }
}


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


def test_overridden_caches_reach_the_cache_proxy():
    """The ``cache`` proxy follows CACHES overrides (the tests below rely on it)."""
    with override_settings(CACHES=UNREACHABLE_CACHE):
        assert isinstance(cache._connections[cache._alias], RedisCache)
    assert not isinstance(cache._connections[cache._alias], RedisCache) or (
        "127.0.0.1:1/" not in str(cache._connections[cache._alias]._servers)
    )


@override_settings(CACHES=UNREACHABLE_CACHE, RATE_LIMITS={"post": (1, 60)})
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


@override_settings(CACHES=UNREACHABLE_CACHE)
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
