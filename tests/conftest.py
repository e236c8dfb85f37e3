"""Shared fixtures: the role matrix, API clients and service guards."""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from rest_framework.test import APIClient

from cpd import services
from cpd.models import Cohort, Role, User
from tests.factories.cpd import CohortFactory, OrganisationFactory, UserFactory

ROLES = [
    "learner",
    "mentor_of_cohort",
    "other_mentor",
    "org_admin",
    "other_org_admin",
    "outsider",
    "anonymous",
]

# What only a cohort's administrators may use answers to each role: members of
# other roles are refused, and those outside the cohort are not shown it.
COHORT_ADMIN_PAGE = {
    "learner": 403,
    "mentor_of_cohort": 403,
    "other_mentor": 404,
    "org_admin": 200,
    "other_org_admin": 404,
    "outsider": 404,
    "anonymous": 302,
}
COHORT_ADMIN_API = {**COHORT_ADMIN_PAGE, "anonymous": 403}

REDIS_URL = os.environ.get("REDIS_URL", "")
ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def pytest_sessionstart(session):
    """Refuse a Redis database that holds keys this suite did not write.

    Tests write only keys that start with "test" (cpd.settings.test) and delete
    none; a database with other keys is someone's queue, cache or channel layer.
    """
    if not REDIS_URL:
        return
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=5)
    try:
        foreign = next(
            (k for k in client.scan_iter(count=1000) if not k.startswith(b"test")),
            None,
        )
    finally:
        client.close()
    if foreign is not None:
        pytest.exit(
            f"REDIS_URL={REDIS_URL} holds keys this test suite did not write "
            f"(for example {foreign[:60]!r}). Point REDIS_URL at an empty database "
            "of its own (for example redis://127.0.0.1:6379/14).",
            returncode=3,
        )


def pytest_collection_modifyitems(config, items):
    """Skip what needs a service or a browser this machine does not have."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    for item in items:
        if "redis" in item.keywords and not REDIS_URL:
            item.add_marker(pytest.mark.skip(reason="needs REDIS_URL"))
        if "postgres" in item.keywords and not ON_POSTGRES:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL"))
        if "browser" in item.keywords and not chromium:
            item.add_marker(
                pytest.mark.skip(reason="needs Debian chromium (apt install chromium)")
            )


@pytest.fixture(scope="session", autouse=True)
def _no_connection_left(django_db_setup, django_db_blocker):
    """Close what the run left connected to its test database, before it is dropped.

    Sockets' database calls run in Channels' thread pool, whose threads keep
    connections of their own; a database with sessions on it cannot be dropped.
    The test database is this run's own, so every other session on it is ours.
    """
    yield
    if not ON_POSTGRES:
        return
    from django.db import connection, connections

    with django_db_blocker.unblock():
        connections.close_all()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        connections.close_all()


# Both caches as production configures them, on a port nothing listens on:
# "default" answers misses (django-redis IGNORE_EXCEPTIONS), "counters" raises.
UNREACHABLE_CACHES = {
    alias: {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"IGNORE_EXCEPTIONS": alias == "default"},
    }
    for alias in ("default", "counters")
}


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache; no test inherits another's.

    Each test gets a key prefix of its own instead of a cleared cache: with
    REDIS_URL set the cache is a shared Redis, and clearing it would delete
    keys these tests never wrote. The keys left behind expire with their
    windows.
    """
    from django.core.cache import caches

    prefix = f"test-{uuid.uuid4().hex}"
    saved = {alias: caches[alias].key_prefix for alias in caches}
    for alias in saved:
        caches[alias].key_prefix = prefix
        # Instances made later in another context (a socket's consumer, a
        # thread) are built from these settings: they get the prefix too.
        caches.settings[alias]["KEY_PREFIX"] = prefix
    yield
    for alias, key_prefix in saved.items():
        caches[alias].key_prefix = key_prefix
        caches.settings[alias]["KEY_PREFIX"] = key_prefix


@dataclass
class World:
    """Two organisations; cohort A (org 1) is the one under test."""

    cohort: Cohort
    other_cohort: Cohort
    learner: User
    mentor_of_cohort: User
    other_mentor: User
    org_admin: User
    other_org_admin: User
    outsider: User
    other_learner: User

    def user(self, role: str) -> User | AnonymousUser:
        return AnonymousUser() if role == "anonymous" else getattr(self, role)


def make_world() -> World:
    """Cohort A of organisation 1, cohort B of organisation 2, and their people."""
    org_admin = UserFactory(display_name="Org Admin")
    other_org_admin = UserFactory(display_name="Other Org Admin")
    org = OrganisationFactory()
    org.admins.add(org_admin)
    other_org = OrganisationFactory()
    other_org.admins.add(other_org_admin)
    cohort = CohortFactory(organisation=org, name="Cohort A")
    other_cohort = CohortFactory(organisation=other_org, name="Cohort B")
    w = World(
        cohort=cohort,
        other_cohort=other_cohort,
        learner=UserFactory(display_name="Learner A"),
        mentor_of_cohort=UserFactory(display_name="Mentor A"),
        other_mentor=UserFactory(display_name="Mentor B"),
        org_admin=org_admin,
        other_org_admin=other_org_admin,
        outsider=UserFactory(display_name="Outsider"),
        other_learner=UserFactory(display_name="Learner B"),
    )
    services.membership_add(cohort=cohort, user=w.learner, role=Role.LEARNER)
    services.membership_add(cohort=cohort, user=w.mentor_of_cohort, role=Role.MENTOR)
    services.membership_add(cohort=other_cohort, user=w.other_mentor, role=Role.MENTOR)
    services.membership_add(
        cohort=other_cohort, user=w.other_learner, role=Role.LEARNER
    )
    return w


@pytest.fixture
def world(db) -> World:
    return make_world()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


def client_as(client, user):
    """Sign a test client in as ``user`` (anonymous stays signed out)."""
    if user.is_authenticated:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client
