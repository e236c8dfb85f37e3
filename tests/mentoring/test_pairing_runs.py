"""Pairing runs: a background proposal with progress, stored, then confirmed once."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from cpd import services as cpd_services
from cpd.models import Role
from mentoring import tasks
from mentoring.models import (
    Conversation,
    Pairing,
    PairingChange,
    PairingMode,
    PairingRun,
    PairingRunStatus,
)
from mentoring.selectors import pairings as pairing_selectors
from mentoring.services import pairing_runs
from tests.conftest import ROLES
from tests.factories.cpd import UserFactory
from tests.factories.mentoring import MentorProfileFactory


def _start(world, capture, mode=PairingMode.ONE_TO_ONE) -> PairingRun:
    with capture(execute=True):
        run = pairing_runs.pairing_run_start(
            actor=world.org_admin, cohort=world.cohort, mode=mode
        )
    run.refresh_from_db()
    return run


def _confirm(world, capture, run, **kwargs) -> PairingRun:
    with capture(execute=True):
        out = pairing_runs.pairing_run_confirm(actor=world.org_admin, run=run, **kwargs)
    out.refresh_from_db()
    return out


def _add(cohort, role, n=1, **fields):
    users = UserFactory.create_batch(n, **fields)
    for u in users:
        cpd_services.membership_add(cohort=cohort, user=u, role=role)
    return users


def test_a_started_run_computes_and_stores_the_proposal_in_eager_mode(
    world, django_capture_on_commit_callbacks
):
    # when the admin starts a run (eager Celery: the task runs on commit, inline)
    run = _start(world, django_capture_on_commit_callbacks)
    # then the stored proposal pairs the learner with the cohort's mentor
    assert run.status == PairingRunStatus.DONE
    assert run.progress == 100
    assert run.finished_at is not None
    assert run.result["pairs"] == [
        [world.learner.pk, world.mentor_of_cohort.pk, ["language", "district"]]
    ]
    assert run.result["method"] == "optimal"
    assert run.inputs_key
    assert not Pairing.objects.exists()


def test_computing_a_finished_run_again_changes_nothing(
    world, django_capture_on_commit_callbacks
):
    run = _start(world, django_capture_on_commit_callbacks)
    tasks.pairing_run_compute(run.pk)
    again = PairingRun.objects.get(pk=run.pk)
    assert (again.status, again.finished_at, again.result) == (
        run.status,
        run.finished_at,
        run.result,
    )


def test_confirming_saves_the_pairs_logs_each_and_opens_conversations(
    world, django_capture_on_commit_callbacks
):
    run = _start(world, django_capture_on_commit_callbacks)
    run = _confirm(world, django_capture_on_commit_callbacks, run, reason="term 1")
    assert run.status == PairingRunStatus.CONFIRMED
    assert run.result["created"] == 1
    pair = Pairing.objects.get()
    assert (pair.learner, pair.mentor) == (world.learner, world.mentor_of_cohort)
    assert PairingChange.objects.get().reason == "automatic pairing: term 1"
    assert Conversation.objects.filter(learner=world.learner).exists()


def test_confirming_the_same_run_twice_creates_nothing_new(
    world, django_capture_on_commit_callbacks
):
    run = _start(world, django_capture_on_commit_callbacks)
    _confirm(world, django_capture_on_commit_callbacks, run)
    # when the admin confirms again (double submit), and the task is redelivered
    again = _confirm(world, django_capture_on_commit_callbacks, run)
    assert tasks.pairing_run_apply(run.pk) == 0
    # then nothing more is created
    assert again.status == PairingRunStatus.CONFIRMED
    assert Pairing.objects.count() == 1
    assert PairingChange.objects.count() == 1


def test_an_interrupted_apply_finishes_without_pairing_anyone_twice(
    world, django_capture_on_commit_callbacks
):
    # given a confirmed run whose task died after saving some pairs
    others = _add(world.cohort, Role.LEARNER, 3)
    MentorProfileFactory(user=world.mentor_of_cohort, capacity=10)
    run = _start(world, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False):
        pairing_runs.pairing_run_confirm(actor=world.org_admin, run=run)
    first = Pairing.objects.count()
    pairing_runs._apply_chunk(
        PairingRun.objects.get(pk=run.pk),
        world.org_admin,
        world.cohort,
        [(others[0].pk, world.mentor_of_cohort.pk)],
        set(),
        "",
    )
    # when the task is redelivered
    created = tasks.pairing_run_apply(run.pk)
    # then only the rest are saved
    assert first == 0
    assert created == 3
    assert Pairing.objects.filter(active=True).count() == 4


def test_a_run_whose_cohort_changed_since_is_refused(
    world, django_capture_on_commit_callbacks
):
    run = _start(world, django_capture_on_commit_callbacks)
    # when a learner joins after the preview
    _add(world.cohort, Role.LEARNER)
    with pytest.raises(ValidationError, match="changed since this proposal"):
        pairing_runs.pairing_run_confirm(actor=world.org_admin, run=run)
    run.refresh_from_db()
    assert run.status == PairingRunStatus.DONE
    assert not Pairing.objects.exists()


def test_an_admin_change_is_logged_as_such(world, django_capture_on_commit_callbacks):
    (second,) = _add(world.cohort, Role.MENTOR)
    MentorProfileFactory(user=second, languages=["fr"], capacity=2)
    MentorProfileFactory(user=world.mentor_of_cohort, languages=["en"], capacity=2)
    run = _start(world, django_capture_on_commit_callbacks)
    _confirm(
        world,
        django_capture_on_commit_callbacks,
        run,
        assignments={world.learner.pk: second.pk},
    )
    assert Pairing.objects.get().mentor == second
    assert "changed by an administrator" in PairingChange.objects.get().reason


def test_confirm_refuses_to_exceed_capacity_and_keeps_the_run_open(
    world, django_capture_on_commit_callbacks
):
    MentorProfileFactory(user=world.mentor_of_cohort, capacity=1)
    (extra,) = _add(world.cohort, Role.LEARNER)
    run = _start(world, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError, match="capacity"):
        pairing_runs.pairing_run_confirm(
            actor=world.org_admin,
            run=run,
            assignments={extra.pk: world.mentor_of_cohort.pk},
        )
    run.refresh_from_db()
    assert run.status == PairingRunStatus.DONE


def test_a_run_without_a_proposal_cannot_be_confirmed(world):
    run = PairingRun.objects.create(
        cohort=world.cohort, actor=world.org_admin, mode=PairingMode.ONE_TO_ONE
    )
    with pytest.raises(ValidationError, match="no proposal"):
        pairing_runs.pairing_run_confirm(actor=world.org_admin, run=run)


def test_a_run_fails_with_a_reason_when_its_admin_lost_the_right(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        run = pairing_runs.pairing_run_start(
            actor=world.org_admin, cohort=world.cohort, mode=PairingMode.ONE_TO_ONE
        )
    world.cohort.organisation.admins.remove(world.org_admin)
    tasks.pairing_run_compute(run.pk)
    run.refresh_from_db()
    assert run.status == PairingRunStatus.FAILED
    assert run.error


@pytest.mark.parametrize("who", ["mentor_of_cohort", "learner", "other_org_admin"])
def test_only_cohort_admins_start_runs(world, who):
    with pytest.raises(PermissionDenied):
        pairing_runs.pairing_run_start(
            actor=world.user(who), cohort=world.cohort, mode=PairingMode.ONE_TO_ONE
        )


@pytest.mark.parametrize("role", ROLES)
def test_only_the_cohorts_admins_see_a_run(world, role):
    run = PairingRun.objects.create(
        cohort=world.cohort, actor=world.org_admin, mode=PairingMode.ONE_TO_ONE
    )
    if role == "org_admin":
        assert pairing_selectors.pairing_run_get_for_user(world.user(role), run.pk)
        return
    with pytest.raises(Http404):
        pairing_selectors.pairing_run_get_for_user(world.user(role), run.pk)
