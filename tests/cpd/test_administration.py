"""The administrator's area: overview, create and edit a cohort (pages)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses.models import CourseAssignment
from cpd import cohort_hooks, policies, services
from cpd.models import AdminLogEntry, Cohort, Invitation, Role
from forums.models import Forum
from forums.rooms.models import Room, RoomKind
from mentoring.models import Pairing
from tests.conftest import ROLES, client_as
from tests.factories.courses import CourseFactory
from tests.factories.cpd import CohortFactory, InvitationFactory, UserFactory

# Who gets what on an organisation's (or a cohort's) admin pages.
ORG_PAGE = {
    "learner": 404,
    "mentor_of_cohort": 404,
    "other_mentor": 404,
    "org_admin": 200,
    "other_org_admin": 404,
    "outsider": 404,
    "anonymous": 302,
}
COHORT_PAGE = {**ORG_PAGE, "learner": 403, "mentor_of_cohort": 403}


def _status(client, world, role, url, method="get", data=None):
    client_as(client, world.user(role))
    return getattr(client, method)(url, data or {}).status_code


# --- Organisation list and overview -----------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_organisation_list_is_for_organisation_administrators(client, world, role):
    expected = {
        **ORG_PAGE,
        "learner": 403,
        "mentor_of_cohort": 403,
        "other_mentor": 403,
        "outsider": 403,
        "other_org_admin": 200,
    }
    url = reverse("admin-organisations")
    assert _status(client, world, role, url) == expected[role]


def test_organisation_list_shows_only_the_organisations_one_administers(client, world):
    client_as(client, world.org_admin)
    page = client.get(reverse("admin-organisations")).content.decode()
    assert world.cohort.organisation.name in page
    assert world.other_cohort.organisation.name not in page


@pytest.mark.parametrize("role", ROLES)
def test_organisation_overview_by_role(client, world, role):
    url = reverse("admin-organisation", args=[world.cohort.organisation_id])
    assert _status(client, world, role, url) == ORG_PAGE[role]


def test_overview_counts_members_invitations_and_learners_without_a_mentor(
    client, world
):
    # given a second learner paired with the mentor, an admin member, invitations
    paired = UserFactory(display_name="Paired Learner")
    services.membership_add(cohort=world.cohort, user=paired, role=Role.LEARNER)
    Pairing.objects.create(
        cohort=world.cohort, mentor=world.mentor_of_cohort, learner=paired
    )
    services.membership_add(cohort=world.cohort, user=UserFactory(), role=Role.ADMIN)
    InvitationFactory(cohort=world.cohort)
    InvitationFactory(cohort=world.cohort, accepted_at=dt.datetime.now(dt.UTC))
    InvitationFactory(
        cohort=world.cohort, expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    )
    client_as(client, world.org_admin)
    # when the administrator opens the overview
    response = client.get(
        reverse("admin-organisation", args=[world.cohort.organisation_id])
    )
    # then the cohort has 2 learners, 1 mentor, 1 admin, 1 open invitation
    overview = response.context["overview"]
    (cohort,) = overview.cohorts
    assert (
        cohort.learner_count,
        cohort.mentor_count,
        cohort.admin_count,
        cohort.open_invitation_count,
        cohort.unpaired_count,
    ) == (2, 1, 1, 1, 1)
    # and the learner without a mentor is listed, the paired one is not
    assert overview.unpaired_count == 1
    assert [row.learner for row in overview.unpaired] == [world.learner]
    page = response.content.decode()
    assert "Learner A" in page
    assert "Paired Learner" not in page
    # and nothing of the other organisation shows
    assert "Cohort B" not in page


def _grow(org, cohorts: int, learners_each: int) -> None:
    for _ in range(cohorts):
        cohort = CohortFactory(organisation=org)
        mentor = UserFactory()
        services.membership_add(cohort=cohort, user=mentor, role=Role.MENTOR)
        for user in UserFactory.create_batch(learners_each):
            services.membership_add(cohort=cohort, user=user, role=Role.LEARNER)
        InvitationFactory(cohort=cohort)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_overview_query_count_is_constant_as_cohorts_and_learners_grow(client, world):
    org = world.cohort.organisation
    client_as(client, world.org_admin)
    url = reverse("admin-organisation", args=[org.pk])
    _grow(org, cohorts=1, learners_each=2)
    small = _queries(client, url)
    _grow(org, cohorts=8, learners_each=12)
    assert _queries(client, url) == small


def test_overview_without_mentoring_leaves_the_part_out(client, world, monkeypatch):
    monkeypatch.delitem(cohort_hooks._hooks, cohort_hooks.UNPAIRED)
    client_as(client, world.org_admin)
    response = client.get(
        reverse("admin-organisation", args=[world.cohort.organisation_id])
    )
    assert response.status_code == 200
    assert response.context["overview"].unpaired_count is None


def test_layout_links_to_the_admin_area_only_for_administrators(client, world):
    link = reverse("admin-organisations")
    client_as(client, world.org_admin)
    assert link in client.get(reverse("home")).content.decode()
    client.logout()
    client_as(client, world.learner)
    assert link not in client.get(reverse("home")).content.decode()


def test_layout_links_to_the_admin_area_for_an_admin_without_cohorts(client, world):
    admin = UserFactory()
    CohortFactory().organisation.admins.add(admin)
    Cohort.objects.filter(organisation__admins=admin).delete()
    client_as(client, admin)
    assert (
        reverse("admin-organisations") in client.get(reverse("home")).content.decode()
    )


# --- Create a cohort ----------------------------------------------------------------


def _cohort_data(**extra):
    data = {
        "name": "Midwives 2027",
        "description": "PPH and newborn care",
        "starts_on": "2027-01-10",
        "ends_on": "2027-04-10",
        "phone_region": "ke",
        "room_retention_days": "30",
    }
    data.update(extra)
    return data


@pytest.mark.parametrize("role", ROLES)
def test_cohort_create_page_by_role(client, world, role):
    url = reverse("admin-cohort-create", args=[world.cohort.organisation_id])
    assert _status(client, world, role, url) == ORG_PAGE[role]


@pytest.mark.parametrize("role", ROLES)
def test_only_the_organisation_admin_creates_a_cohort(client, world, role):
    url = reverse("admin-cohort-create", args=[world.cohort.organisation_id])
    status = _status(client, world, role, url, "post", _cohort_data())
    assert status == (302 if role in ("org_admin", "anonymous") else 404)
    made = Cohort.objects.filter(name="Midwives 2027").exists()
    assert made is (role == "org_admin")


def test_a_new_cohort_gets_its_forum_room_and_courses(client, world):
    # given two courses
    first, second = CourseFactory(), CourseFactory()
    client_as(client, world.org_admin)
    # when the administrator creates a cohort with one of them
    response = client.post(
        reverse("admin-cohort-create", args=[world.cohort.organisation_id]),
        _cohort_data(courses=[str(first.pk)]),
    )
    # then it exists with its details, forum, standing room and course
    cohort = Cohort.objects.get(name="Midwives 2027")
    assert response.url == reverse("admin-cohort-edit", args=[cohort.pk])
    assert (cohort.phone_region, cohort.room_retention_days) == ("KE", 30)
    assert Forum.objects.filter(cohort=cohort, is_default=True).count() == 1
    assert Room.objects.filter(cohort=cohort, kind=RoomKind.STANDING).count() == 1
    assert list(
        CourseAssignment.objects.filter(cohort=cohort).values_list("course", flat=True)
    ) == [first.pk]
    assert second.pk not in CourseAssignment.objects.values_list("course", flat=True)
    # and the creation is in the audit log
    assert AdminLogEntry.objects.filter(cohort=cohort, action="cohort-created").exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("phone_region", "XX"),
        ("phone_region", "K"),
        ("ends_on", "2026-01-01"),
        ("name", ""),
        ("name", "Cohort A"),  # already a cohort of this organisation
        ("room_retention_days", "0"),
        ("courses", "999999"),
    ],
)
def test_a_bad_cohort_form_re_renders_with_the_error_on_its_field(
    client, world, field, value
):
    client_as(client, world.org_admin)
    response = client.post(
        reverse("admin-cohort-create", args=[world.cohort.organisation_id]),
        _cohort_data(**{field: value}),
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors.get(field) or form.non_field_errors()
    assert (
        not Cohort.objects.filter(name=value or "Midwives 2027")
        .exclude(pk=world.cohort.pk)
        .exists()
    )


def test_service_refuses_an_unknown_phone_region(world):
    with pytest.raises(Exception, match="two-letter country code"):
        services.cohort_create(
            actor=world.org_admin,
            organisation=world.cohort.organisation,
            name="X",
            starts_on=dt.date(2027, 1, 1),
            phone_region="ZZ",
        )


def test_service_refuses_a_course_that_does_not_exist_and_creates_nothing(world):
    with pytest.raises(Exception, match="Choose courses"):
        services.cohort_create(
            actor=world.org_admin,
            organisation=world.cohort.organisation,
            name="X",
            starts_on=dt.date(2027, 1, 1),
            course_ids=[999999],
        )
    assert not Cohort.objects.filter(name="X").exists()
    assert not Forum.objects.filter(cohort__name="X").exists()


# --- Edit a cohort ------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_cohort_edit_page_by_role(client, world, role):
    url = reverse("admin-cohort-edit", args=[world.cohort.pk])
    assert _status(client, world, role, url) == COHORT_PAGE[role]


@pytest.mark.parametrize("role", ROLES)
def test_only_cohort_administrators_save_a_cohort(client, world, role):
    url = reverse("admin-cohort-edit", args=[world.cohort.pk])
    status = _status(client, world, role, url, "post", _cohort_data(name="Renamed"))
    assert status == {**COHORT_PAGE, "org_admin": 302}[role]
    world.cohort.refresh_from_db()
    assert (world.cohort.name == "Renamed") is (role == "org_admin")


def test_a_cohort_member_with_the_admin_role_edits_it(client, world):
    delegate = UserFactory()
    services.membership_add(cohort=world.cohort, user=delegate, role=Role.ADMIN)
    client_as(client, delegate)
    response = client.post(
        reverse("admin-cohort-edit", args=[world.cohort.pk]), _cohort_data()
    )
    assert response.status_code == 302


def test_editing_sets_exactly_the_chosen_courses_and_logs_it(client, world):
    kept, dropped, added = CourseFactory(), CourseFactory(), CourseFactory()
    CourseAssignment.objects.create(cohort=world.cohort, course=kept)
    CourseAssignment.objects.create(cohort=world.cohort, course=dropped)
    client_as(client, world.org_admin)
    page = client.get(reverse("admin-cohort-edit", args=[world.cohort.pk]))
    assert set(page.context["form"].initial["courses"]) == {kept.pk, dropped.pk}
    client.post(
        reverse("admin-cohort-edit", args=[world.cohort.pk]),
        _cohort_data(courses=[kept.pk, added.pk]),
    )
    assert set(
        CourseAssignment.objects.filter(cohort=world.cohort).values_list(
            "course", flat=True
        )
    ) == {kept.pk, added.pk}
    entry = AdminLogEntry.objects.get(cohort=world.cohort, action="cohort-updated")
    assert "courses" in entry.detail


def test_the_audit_log_shows_administration_entries(client, world):
    services.cohort_update(actor=world.org_admin, cohort=world.cohort, name="Renamed")
    client_as(client, world.org_admin)
    page = client.get(
        reverse("organisation-audit", args=[world.cohort.organisation_id])
    ).content.decode()
    assert "changed the cohort" in page


def test_update_refuses_fields_that_are_not_editable(world):
    with pytest.raises(Exception, match="Not editable"):
        services.cohort_update(
            actor=world.org_admin, cohort=world.cohort, organisation_id=1
        )


def test_can_create_cohort_policy_by_role(world):
    org = world.cohort.organisation
    from django.contrib.auth.models import AnonymousUser

    assert policies.can_create_cohort(world.org_admin, org)
    for user in (
        world.learner,
        world.mentor_of_cohort,
        world.other_org_admin,
        world.outsider,
        AnonymousUser(),
    ):
        assert not policies.can_create_cohort(user, org)


def test_invitations_are_counted_only_while_open(world):
    InvitationFactory(cohort=world.cohort, revoked_at=dt.datetime.now(dt.UTC))
    from cpd.administration import selectors

    (cohort,) = selectors.organisation_cohorts(world.cohort.organisation)
    assert cohort.open_invitation_count == 0
    assert Invitation.objects.filter(cohort=world.cohort).count() == 1


# --- The hook registry ------------------------------------------------------------


def test_an_unknown_hook_name_is_refused():
    with pytest.raises(ValueError, match="unknown cohort hook"):
        cohort_hooks.hook_register("nonsense", lambda: None)


def test_registering_a_created_hook_twice_runs_it_once(world, monkeypatch):
    calls = []

    def part(cohort, actor):
        calls.append(cohort.pk)

    monkeypatch.setattr(cohort_hooks, "_created", [])
    cohort_hooks.hook_register(cohort_hooks.CREATED, part)
    cohort_hooks.hook_register(cohort_hooks.CREATED, part)
    cohort_hooks.cohort_created(world.cohort, world.org_admin)
    assert calls == [world.cohort.pk]


def test_a_cohort_is_created_without_any_app_hook(world, monkeypatch):
    monkeypatch.setattr(cohort_hooks, "_created", [])
    monkeypatch.setattr(cohort_hooks, "_hooks", {})
    cohort = services.cohort_create(
        actor=world.org_admin,
        organisation=world.cohort.organisation,
        name="Bare",
        starts_on=dt.date(2027, 1, 1),
        course_ids=[1],
    )
    assert not Forum.objects.filter(cohort=cohort).exists()
    assert cohort_hooks.course_choices() == []
