"""Pairing runs: a background proposal with progress, stored, then confirmed once."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

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
from tests.conftest import ROLES, client_as
from tests.factories.cpd import UserFactory
from tests.factories.mentoring import MentorProfileFactory
from tests.realtime.test_celery_worker import (  # noqa: F401 - fixtures
    queued_for_real,
    worker,
)


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


def test_confirm_fills_a_mentor_exactly_to_capacity(
    world, django_capture_on_commit_callbacks
):
    """Broken by hand, ``>`` as ``>=`` refused a full but legal load: now red."""
    MentorProfileFactory(user=world.mentor_of_cohort, capacity=2)
    (extra,) = _add(world.cohort, Role.LEARNER)
    run = _start(world, django_capture_on_commit_callbacks)
    _confirm(
        world,
        django_capture_on_commit_callbacks,
        run,
        assignments={
            world.learner.pk: world.mentor_of_cohort.pk,
            extra.pk: world.mentor_of_cohort.pk,
        },
    )
    assert (
        Pairing.objects.filter(mentor=world.mentor_of_cohort, active=True).count() == 2
    )


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
    assert "administrators" in run.error


def test_a_solver_error_fails_the_run_with_its_message(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("HiGHS exploded")

    monkeypatch.setattr(pairing_runs.pairing, "plan_pairs", broken)
    run = _start(world, django_capture_on_commit_callbacks)
    assert (run.status, run.error) == (PairingRunStatus.FAILED, "HiGHS exploded")


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


# --- Pages and API ----------------------------------------------------------------


def _start_page(client, world, capture, mode="one_to_one"):
    client_as(client, world.org_admin)
    with capture(execute=True):
        return client.post(
            reverse("mentoring-pairing-run-start", args=[world.cohort.pk]),
            {"mode": mode},
        )


def test_the_admin_page_starts_a_run_and_its_page_shows_the_proposal(
    client, world, django_capture_on_commit_callbacks
):
    # when the admin starts a preview from the admin page (eager Celery)
    response = _start_page(client, world, django_capture_on_commit_callbacks)
    run = PairingRun.objects.get()
    # then they land on the run's page, which already shows the proposal
    assert response.status_code == 302
    assert response["Location"] == reverse("mentoring-pairing-run", args=[run.pk])
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "Confirm pairing" in html
    assert "Shares: language, district" in html
    assert 'http-equiv="refresh"' not in html
    assert "Refresh" not in page.headers


def test_a_working_run_shows_a_progress_bar_that_refreshes(client, world):
    run = PairingRun.objects.create(
        cohort=world.cohort,
        actor=world.org_admin,
        mode=PairingMode.ONE_TO_ONE,
        status=PairingRunStatus.RUNNING,
        progress=40,
    )
    client_as(client, world.org_admin)
    page = client.get(reverse("mentoring-pairing-run", args=[run.pk]))
    html = page.content.decode()
    assert '<progress max="100" value="40">' in html
    assert '<meta http-equiv="refresh" content="2">' in html
    assert page["Refresh"] == "2"
    assert "Confirm pairing" not in html


def test_confirming_on_the_page_saves_once_even_if_posted_twice(
    client, world, django_capture_on_commit_callbacks
):
    _start_page(client, world, django_capture_on_commit_callbacks)
    run = PairingRun.objects.get()
    url = reverse("mentoring-pairing-run-confirm", args=[run.pk])
    form = {f"learner_{world.learner.pk}": world.mentor_of_cohort.pk}
    for _attempt in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, form)
        assert response.status_code == 302
    assert Pairing.objects.filter(learner=world.learner, active=True).count() == 1
    html = client.get(response["Location"]).content.decode()
    assert "1 pair saved." in html


def test_confirming_a_stale_run_on_the_page_says_why(
    client, world, django_capture_on_commit_callbacks
):
    _start_page(client, world, django_capture_on_commit_callbacks)
    run = PairingRun.objects.get()
    _add(world.cohort, Role.LEARNER)
    response = client.post(reverse("mentoring-pairing-run-confirm", args=[run.pk]))
    assert response.status_code == 400
    assert "Preview again" in response.content.decode()
    assert not Pairing.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_a_run_page_is_404_for_everyone_but_the_cohorts_admins(client, world, role):
    run = PairingRun.objects.create(
        cohort=world.cohort, actor=world.org_admin, mode=PairingMode.ONE_TO_ONE
    )
    client_as(client, world.user(role))
    page = client.get(reverse("mentoring-pairing-run", args=[run.pk]))
    confirm = client.post(reverse("mentoring-pairing-run-confirm", args=[run.pk]))
    if role == "org_admin":
        assert page.status_code == 200
        return
    if role == "anonymous":
        assert (page.status_code, confirm.status_code) == (302, 302)
        return
    assert (page.status_code, confirm.status_code) == (404, 404)


@pytest.mark.parametrize("role", ROLES)
def test_the_run_api_is_404_for_everyone_but_the_cohorts_admins(
    api_client, world, role
):
    run = PairingRun.objects.create(
        cohort=world.cohort, actor=world.org_admin, mode=PairingMode.ONE_TO_ONE
    )
    if role != "anonymous":
        api_client.force_authenticate(world.user(role))
    got = api_client.get(reverse("api-pairing-run", args=[run.pk]))
    confirm = api_client.post(
        reverse("api-pairing-run-confirm", args=[run.pk]), {}, format="json"
    )
    if role == "org_admin":
        assert got.status_code == 200
        assert got.json()["status"] == "queued"
        return
    expected = {401, 403} if role == "anonymous" else {404}
    assert got.status_code in expected
    assert confirm.status_code in expected


def test_the_api_starts_a_run_polls_it_and_confirms_it_by_id(
    api_client, world, django_capture_on_commit_callbacks
):
    api_client.force_authenticate(world.org_admin)
    # when the admin asks for a preview
    with django_capture_on_commit_callbacks(execute=True):
        started = api_client.post(
            reverse("api-pairing-preview", args=[world.cohort.pk]),
            {"mode": "one_to_one"},
            format="json",
        )
    # then it is accepted with the run's id and URL, and polling shows the proposal
    assert started.status_code == 202
    body = started.json()
    assert body["url"].endswith(reverse("api-pairing-run", args=[body["id"]]))
    polled = api_client.get(body["url"]).json()
    assert (polled["status"], polled["progress"]) == ("done", 100)
    assert polled["result"]["pairs"] == [
        {
            "learner": world.learner.pk,
            "mentor": world.mentor_of_cohort.pk,
            "fit": ["language", "district"],
        }
    ]
    assert polled["pairs"] == polled["result"]["pairs"]  # the old preview's fields
    # and confirming by run id saves the pairs, once
    url = reverse("api-pairing-run-confirm", args=[body["id"]])
    for _attempt in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            confirmed = api_client.post(url, {"reason": "api"}, format="json")
        assert confirmed.status_code == 202
        # the test transaction runs the task after the response: poll for the end
        assert confirmed.json()["status"] in {"confirming", "confirmed"}
    assert api_client.get(body["url"]).json()["status"] == "confirmed"
    assert Pairing.objects.filter(active=True).count() == 1


def test_the_api_refuses_a_stale_run_with_400(
    api_client, world, django_capture_on_commit_callbacks
):
    api_client.force_authenticate(world.org_admin)
    with django_capture_on_commit_callbacks(execute=True):
        run_id = api_client.post(
            reverse("api-pairing-preview", args=[world.cohort.pk]),
            {"mode": "one_to_one"},
            format="json",
        ).json()["id"]
    _add(world.cohort, Role.LEARNER)
    response = api_client.post(
        reverse("api-pairing-run-confirm", args=[run_id]), {}, format="json"
    )
    assert response.status_code == 400
    assert "changed since" in str(response.json())


@pytest.mark.django_db(transaction=True)
def test_in_eager_mode_the_preview_response_already_carries_the_proposal(world):
    """Outside a test transaction on_commit fires at once: the task runs inline."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(world.org_admin)
    response = client.post(
        reverse("api-pairing-preview", args=[world.cohort.pk]),
        {"mode": "one_to_one"},
        format="json",
    )
    assert response.status_code == 202
    body = response.json()
    assert (body["status"], body["kept"]) == ("done", 0)
    assert body["pairs"][0]["mentor"] == world.mentor_of_cohort.pk


@pytest.mark.parametrize("extra", [0, 30])
def test_the_run_page_costs_the_same_queries_with_1_or_31_waiting_learners(
    client, world, django_capture_on_commit_callbacks, extra
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    MentorProfileFactory(user=world.mentor_of_cohort, capacity=40)
    _add(world.cohort, Role.LEARNER, extra)
    _start_page(client, world, django_capture_on_commit_callbacks)
    run = PairingRun.objects.get()
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("mentoring-pairing-run", args=[run.pk]))
    assert page.status_code == 200
    assert page.content.decode().count('<select id="learner_') == 1 + extra
    # session, user, roles, run, learners, mentors (+ whatever base.html needs)
    assert len(queries) <= 12


# --- A real worker (production shape: Redis broker, PostgreSQL) -------------------


def _wait_for(run_id: int, status: str, proc) -> PairingRun:
    import time

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        run = PairingRun.objects.get(pk=run_id)
        if run.status == status:
            return run
        assert proc.poll() is None, proc.stderr.read().decode()
        time.sleep(0.5)
    raise AssertionError(f"run {run_id} is {run.status}, not {status}")


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("queued_for_real")
def test_a_real_worker_computes_and_applies_a_run(world, worker):  # noqa: F811
    # when the admin starts a run with tasks going to Redis
    run = pairing_runs.pairing_run_start(
        actor=world.org_admin, cohort=world.cohort, mode=PairingMode.ONE_TO_ONE
    )
    assert PairingRun.objects.get(pk=run.pk).status == PairingRunStatus.QUEUED
    # then the worker computes it, and applies it once confirmed
    run = _wait_for(run.pk, PairingRunStatus.DONE, worker)
    pairing_runs.pairing_run_confirm(actor=world.org_admin, run=run)
    _wait_for(run.pk, PairingRunStatus.CONFIRMED, worker)
    assert Pairing.objects.filter(cohort=world.cohort, active=True).count() == 1
