"""Sign-in while Redis is stopped: the per-address limits are counters in the
cache, never the gate; the per-account-and-address lock lives in PostgreSQL
(django-axes' database handler) and still holds.

Redis is a private redis-server of this test (tests/faults/conftest.py).
"""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse

from cpd.settings.base import redis_stores
from tests.factories.cpd import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

NURSE = "nurse@example.org"


@pytest.fixture
def redis_stopped(settings, private_redis):
    """The cache on the private Redis, then Redis stopped (pages already warm)."""
    caches, _ = redis_stores(private_redis.url)
    settings.CACHES = caches
    Client().get(reverse("account_login"))  # templates and URLs loaded
    private_redis.stop()
    return private_redis


def _login(client: Client, password: str, ip: str):
    client.raise_request_exception = False
    return client.post(
        reverse("account_login"),
        {"login": NURSE, "password": password},
        REMOTE_ADDR=ip,
    )


def test_the_owner_signs_in_at_once_while_redis_is_stopped(db, redis_stopped):
    # given
    UserFactory(email=NURSE)
    client = Client()
    # when
    started = time.monotonic()
    response = _login(client, PASSWORD, "10.0.0.7")
    elapsed = time.monotonic() - started
    # then: no 429 from a counter that cannot be read, and no waiting for its lock
    assert response.status_code == 302
    assert "_auth_user_id" in client.session
    assert elapsed < 1.0


def test_the_guesser_is_still_locked_while_redis_is_stopped(db, redis_stopped):
    UserFactory(email=NURSE)
    guesser = Client()
    statuses = [_login(guesser, "guess", "10.0.0.66").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    assert _login(guesser, PASSWORD, "10.0.0.66").status_code == 429
    assert _login(Client(), PASSWORD, "10.0.0.7").status_code == 302
