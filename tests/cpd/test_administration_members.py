"""Members (filter, change role, remove) and mentors' load in the admin area."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cpd import cohort_hooks, policies, services
from cpd.administration import services as admin_services
from cpd.models import AdminLogEntry, Membership, Role
from mentoring.models import Pairing, PairingRun
from tests.conftest import COHORT_ADMIN_PAGE, ROLES, client_as
from tests.factories.cpd import UserFactory
from tests.factories.mentoring import MentorProfileFactory

COHORT_PAGE = COHORT_ADMIN_PAGE
WRITE = {**COHORT_PAGE, "org_admin": 302}


def _membership(world, user):
    return Membership.objects.get(cohort=world.cohort, user=user)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


# --- Members page -----------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_members_page_by_role(client, world, role):
    client_as(client, world.user(role))
    url = reverse("admin-cohort-members", args=[world.cohort.pk])
    assert client.get(url).status_code == COHORT_PAGE[role]


def test_members_filter_by_role_and_text(client, world):
    services.membership_add(
        cohort=world.cohort,
        user=UserFactory(display_name="Zawadi", phone="+254700111222"),
        role=Role.LEARNER,
    )
    client_as(client, world.org_admin)
    url = reverse("admin-cohort-members", args=[world.cohort.pk])

    def names(**params):
        page = client.get(url, params).context["page"]
        return sorted(m.user.display_name for m in page)

    assert names() == ["Learner A", "Mentor A", "Zawadi"]
    assert names(role="mentor") == ["Mentor A"]
    assert names(q="zaw") == ["Zawadi"]
    assert names(q="700111") == ["Zawadi"]
    assert names(q=world.learner.email.upper()) == ["Learner A"]
    assert names(role="mentor", q="zaw") == []
    # an unknown role is ignored rather than an error
    assert client.get(url, {"role": "boss"}).status_code == 200


def test_members_page_query_count_is_constant_as_members_grow(client, world):
    client_as(client, world.org_admin)
    url = reverse("admin-cohort-members", args=[world.cohort.pk])
    small = _queries(client, url)
    for user in UserFactory.create_batch(60):
        services.membership_add(cohort=world.cohort, user=user, role=Role.LEARNER)
    assert _queries(client, url) == small
    assert len(client.get(url).context["page"]) == 50  # paginated


# --- Change a role ------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_role_change_page_by_role(client, world, role):
    client_as(client, world.user(role))
    target = _membership(world, world.learner)
    response = client.post(
        reverse("admin-member-role", args=[world.cohort.pk, target.pk]),
        {"role": "mentor"},
    )
    assert response.status_code == WRITE[role]
    target.refresh_from_db()
    assert (target.role == Role.MENTOR) is (role == "org_admin")


def test_role_change_is_logged(world):
    target = _membership(world, world.learner)
    admin_services.membership_role_change(
        actor=world.org_admin, membership=target, role=Role.MENTOR
    )
    entry = AdminLogEntry.objects.get(action="role-changed")
    assert entry.cohort == world.cohort
    assert entry.actor == world.org_admin
    assert "learner → mentor" in entry.detail


def test_the_same_role_changes_nothing(world):
    target = _membership(world, world.learner)
    admin_services.membership_role_change(
        actor=world.org_admin, membership=target, role=Role.LEARNER
    )
    assert not AdminLogEntry.objects.exists()


def test_an_unknown_role_is_a_field_error(world):
    with pytest.raises(ValidationError, match="Unknown role"):
        admin_services.membership_role_change(
            actor=world.org_admin,
            membership=_membership(world, world.learner),
            role="boss",
        )


def test_a_cohort_level_admin_cannot_grant_the_admin_role(world):
    delegate = UserFactory()
    services.membership_add(cohort=world.cohort, user=delegate, role=Role.ADMIN)
    target = _membership(world, world.learner)
    # may move learners and mentors around
    admin_services.membership_role_change(
        actor=delegate, membership=target, role=Role.MENTOR
    )
    # may not make administrators, nor withdraw one
    with pytest.raises(PermissionDenied, match="organisation administrators"):
        admin_services.membership_role_change(
            actor=delegate, membership=target, role=Role.ADMIN
        )
    with pytest.raises(PermissionDenied, match="organisation administrators"):
        admin_services.membership_remove(
            actor=delegate, membership=_membership(world, delegate)
        )
    # the organisation administrator may
    admin_services.membership_role_change(
        actor=world.org_admin, membership=target, role=Role.ADMIN
    )


def test_role_change_takes_effect_on_the_next_policy_check(world):
    target = _membership(world, world.learner)
    assert not policies.can_moderate_cohort(world.learner, world.cohort)
    admin_services.membership_role_change(
        actor=world.org_admin, membership=target, role=Role.MENTOR
    )
    assert policies.can_moderate_cohort(target.user, world.cohort)


def test_role_change_and_removal_refused_in_an_archived_cohort(world):
    admin_services.cohort_archive(actor=world.org_admin, cohort=world.cohort)
    target = _membership(world, world.learner)
    with pytest.raises(PermissionDenied, match="is archived"):
        admin_services.membership_role_change(
            actor=world.org_admin, membership=target, role=Role.MENTOR
        )
    with pytest.raises(PermissionDenied, match="is archived"):
        admin_services.membership_remove(actor=world.org_admin, membership=target)


def test_a_membership_of_another_cohort_is_not_found(client, world):
    other = Membership.objects.get(cohort=world.other_cohort, user=world.other_learner)
    client_as(client, world.org_admin)
    response = client.post(
        reverse("admin-member-role", args=[world.cohort.pk, other.pk]),
        {"role": "mentor"},
    )
    assert response.status_code == 404


# --- Remove ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_remove_confirmation_page_by_role(client, world, role):
    client_as(client, world.user(role))
    target = _membership(world, world.learner)
    url = reverse("admin-member-remove", args=[world.cohort.pk, target.pk])
    assert client.get(url).status_code == COHORT_PAGE[role]
    assert Membership.objects.filter(pk=target.pk).exists()


@pytest.mark.parametrize("role", ROLES)
def test_remove_by_role(client, world, role):
    client_as(client, world.user(role))
    target = _membership(world, world.learner)
    url = reverse("admin-member-remove", args=[world.cohort.pk, target.pk])
    assert client.post(url).status_code == WRITE[role]
    assert Membership.objects.filter(pk=target.pk).exists() is (role != "org_admin")


def test_removal_is_logged_and_the_person_loses_the_cohort(world):
    assert policies.can_view_cohort(world.learner, world.cohort)
    admin_services.membership_remove(
        actor=world.org_admin, membership=_membership(world, world.learner)
    )
    entry = AdminLogEntry.objects.get(action="member-removed")
    assert "Learner A" in entry.detail
    fresh = type(world.learner).objects.get(pk=world.learner.pk)  # the next request
    assert not policies.can_view_cohort(fresh, world.cohort)


# --- Mentors and their load -----------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_mentors_page_by_role(client, world, role):
    client_as(client, world.user(role))
    url = reverse("admin-cohort-mentors", args=[world.cohort.pk])
    assert client.get(url).status_code == COHORT_PAGE[role]


def test_mentors_page_shows_mentees_against_capacity(client, world):
    MentorProfileFactory(user=world.mentor_of_cohort, capacity=2)
    Pairing.objects.create(
        cohort=world.cohort, mentor=world.mentor_of_cohort, learner=world.learner
    )
    client_as(client, world.org_admin)
    response = client.get(reverse("admin-cohort-mentors", args=[world.cohort.pk]))
    (row,) = response.context["loads"]
    assert (row.mentor, row.mentees, row.capacity, row.free) == (
        world.mentor_of_cohort,
        1,
        2,
        1,
    )
    assert response.context["unpaired_count"] == 0


def test_mentors_page_query_count_is_constant_as_mentors_grow(client, world):
    MentorProfileFactory(user=world.mentor_of_cohort)
    client_as(client, world.org_admin)
    url = reverse("admin-cohort-mentors", args=[world.cohort.pk])
    small = _queries(client, url)
    for _ in range(8):
        mentor = UserFactory()
        MentorProfileFactory(user=mentor)
        services.membership_add(cohort=world.cohort, user=mentor, role=Role.MENTOR)
        learner = UserFactory()
        services.membership_add(cohort=world.cohort, user=learner, role=Role.LEARNER)
        Pairing.objects.create(cohort=world.cohort, mentor=mentor, learner=learner)
    assert _queries(client, url) == small


@pytest.mark.parametrize("role", ROLES)
def test_run_pairing_by_role(client, world, role):
    client_as(client, world.user(role))
    response = client.post(
        reverse("admin-cohort-mentors", args=[world.cohort.pk]), {"mode": "one_to_one"}
    )
    assert response.status_code == WRITE[role]
    assert PairingRun.objects.filter(cohort=world.cohort).exists() is (
        role == "org_admin"
    )


def test_run_pairing_opens_the_proposal_to_review_and_saves_no_pair(
    client, world, django_capture_on_commit_callbacks
):
    client_as(client, world.org_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin-cohort-mentors", args=[world.cohort.pk]),
            {"mode": "one_to_one"},
        )
    run = PairingRun.objects.get(cohort=world.cohort)
    assert response.url == reverse("mentoring-pairing-run", args=[run.pk])
    # the proposal (computed in eager mode) pairs the learner, nothing saved yet
    page = client.get(response.url)
    assert page.status_code == 200
    assert "Learner A" in page.content.decode()
    assert not Pairing.objects.filter(cohort=world.cohort).exists()


def test_run_pairing_with_a_bad_mode_re_renders_with_the_error(client, world):
    client_as(client, world.org_admin)
    response = client.post(
        reverse("admin-cohort-mentors", args=[world.cohort.pk]), {"mode": "triads"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["mode"]


def test_run_pairing_refused_in_an_archived_cohort(client, world):
    admin_services.cohort_archive(actor=world.org_admin, cohort=world.cohort)
    client_as(client, world.org_admin)
    response = client.post(
        reverse("admin-cohort-mentors", args=[world.cohort.pk]), {"mode": "one_to_one"}
    )
    assert response.status_code == 403
    assert not PairingRun.objects.exists()


def test_mentors_page_without_mentoring(client, world, monkeypatch):
    monkeypatch.delitem(cohort_hooks._hooks, cohort_hooks.MENTOR_LOADS)
    client_as(client, world.org_admin)
    response = client.get(reverse("admin-cohort-mentors", args=[world.cohort.pk]))
    assert response.status_code == 200
    assert response.context["loads"] is None
