"""The task outbox: a task is owed from its write's commit, and a broker that is
down neither fails the request nor loses the task."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from cpd import outbox, services
from cpd.celery import app as celery_app
from cpd.models import Invitation, Role, TaskOutbox
from tests.conftest import client_as

DOWN_BROKER = "redis://127.0.0.1:1/0"  # nothing listens there


@pytest.fixture
def broker_down():
    """Publish to a broker that refuses connections (not in-process)."""
    saved = celery_app.conf.broker_url, celery_app.conf.task_always_eager
    celery_app.conf.update(broker_url=DOWN_BROKER, task_always_eager=False)
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    yield
    celery_app.conf.update(broker_url=saved[0], task_always_eager=saved[1])
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def _invite(world, email="new@example.org") -> Invitation:
    return services.invitation_create(
        actor=world.org_admin, cohort=world.cohort, role=Role.LEARNER, email=email
    )


def _age(rows, by=dt.timedelta(minutes=2)) -> None:
    """Let time pass for the sweep: the rows were written ``by`` ago."""
    past = timezone.now() - by
    TaskOutbox.objects.filter(pk__in=[r.pk for r in rows]).update(
        created_at=past, due_at=past
    )


def test_the_task_is_owed_in_the_transaction_and_sent_on_commit(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invitation = _invite(world)
        row = TaskOutbox.objects.get()
        assert (row.task, row.args) == ("cpd.tasks.invitation_send", [invitation.pk])
    assert mail.outbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    assert TaskOutbox.objects.get().dispatched_at is not None


def test_a_rolled_back_write_owes_nothing(world):
    from django.db import transaction

    def invite_then_fail() -> None:
        with transaction.atomic():
            _invite(world)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        invite_then_fail()
    assert not TaskOutbox.objects.exists()


def test_a_broker_that_is_down_keeps_the_task_and_the_sweep_sends_it(
    world, broker_down, django_capture_on_commit_callbacks, caplog
):
    # when: an invitation is made while the broker refuses connections
    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(world)
    # then: the invitation stands, the task waits in the outbox with the reason
    assert Invitation.objects.filter(pk=invitation.pk).exists()
    row = TaskOutbox.objects.get()
    assert row.dispatched_at is None
    assert row.attempts == 1
    assert "Connection refused" in row.last_error or "111" in row.last_error
    assert "kept in the outbox" in caplog.text
    # the sweep skips a fresh row (its commit hook had the first chance) ...
    assert outbox.sweep() == 0
    # ... and a due one while the broker is still down stays pending
    _age([row])
    assert outbox.sweep() == 0
    assert TaskOutbox.objects.get().attempts == 2
    # when the broker is back (here: in-process), the sweep sends it once
    celery_app.conf.update(task_always_eager=True)
    assert outbox.sweep() == 1
    assert len(mail.outbox) == 1
    assert outbox.sweep() == 0
    assert TaskOutbox.objects.get().dispatched_at is not None


@pytest.mark.parametrize("route", ["cohort-detail", "api-cohort-invitations"])
def test_the_invitation_page_and_api_answer_while_the_broker_is_down(
    client, world, broker_down, route, django_capture_on_commit_callbacks
):
    client_as(client, world.org_admin)
    client.raise_request_exception = False
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(route, args=[world.cohort.pk]),
            {"email": "down@example.org", "phone": "", "role": Role.LEARNER},
        )
    assert response.status_code == (302 if route == "cohort-detail" else 201)
    assert Invitation.objects.filter(email="down@example.org").exists()
    assert TaskOutbox.objects.get().dispatched_at is None


def test_a_delayed_task_waits_for_its_time(world, broker_down):
    from cpd.tasks import invitation_send

    invitation = _invite(world, "later@example.org")
    TaskOutbox.objects.all().delete()
    row = outbox.enqueue(
        invitation_send, invitation.pk, eta=timezone.now() + dt.timedelta(hours=3)
    )
    celery_app.conf.update(task_always_eager=True)
    assert outbox.sweep() == 0  # not due yet
    # three hours on: the row was written then, and is due now
    TaskOutbox.objects.filter(pk=row.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=3), due_at=timezone.now()
    )
    assert outbox.sweep() == 1
    assert len(mail.outbox) == 1


def test_purge_forgets_only_old_dispatched_rows(world):
    _invite(world)  # eager: dispatched at once
    pending = TaskOutbox.objects.create(task="cpd.tasks.invitation_send", args=[0])
    TaskOutbox.objects.update(dispatched_at=timezone.now() - dt.timedelta(days=8))
    TaskOutbox.objects.filter(pk=pending.pk).update(dispatched_at=None)
    assert outbox.purge() == 1
    assert list(TaskOutbox.objects.values_list("pk", flat=True)) == [pending.pk]
