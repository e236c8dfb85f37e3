"""The organisation's audit log: its administrators read moderation, pairing,
invitations and privacy actions; nobody else does; the cost stays flat."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cpd import services
from cpd.models import Role
from forums.services.forums import forum_for_cohort
from forums.services.moderation import thread_pin
from forums.services.posting import thread_create
from tests.conftest import ROLES, client_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def actions(world):
    services.invitation_create(
        actor=world.org_admin, cohort=world.cohort, role=Role.LEARNER, email="n@x.org"
    )
    thread, _ = thread_create(
        actor=world.learner, forum=forum_for_cohort(world.cohort), title="PPH", body="b"
    )
    thread_pin(actor=world.mentor_of_cohort, thread=thread, pinned=True)
    return thread


@pytest.mark.parametrize("role", ROLES)
def test_who_reads_the_audit_log(client, world, actions, role):
    client_as(client, world.user(role))
    response = client.get(
        reverse("organisation-audit", args=[world.cohort.organisation_id])
    )
    if role == "anonymous":
        assert response.status_code == 302
        return
    expected = (
        200
        if role == "org_admin"
        else (403 if role in {"learner", "mentor_of_cohort"} else 404)
    )
    assert response.status_code == expected
    if expected == 200:
        html = response.content.decode()
        assert "n@x.org" in html  # the invitation
        assert "PPH" in html  # the pin, with its thread
        assert "Mentor A" in html


def test_the_audit_log_costs_the_same_for_more_actions(client, world, actions):
    client_as(client, world.org_admin)
    url = reverse("organisation-audit", args=[world.cohort.organisation_id])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for n in range(10):
        services.invitation_create(
            actor=world.org_admin,
            cohort=world.cohort,
            role=Role.LEARNER,
            email=f"more{n}@x.org",
        )
        thread_pin(actor=world.mentor_of_cohort, thread=actions, pinned=n % 2 == 0)
    assert count() == before
    assert before <= 14
