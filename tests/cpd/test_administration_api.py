"""The administrator's area through the API: same policies, 4xx with field errors."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses.models import CourseAssignment
from cpd import services
from cpd.models import AdminLogEntry, Cohort, Membership, Role
from forums.models import Forum
from mentoring.models import Pairing
from tests.conftest import ROLES
from tests.factories.courses import CourseFactory
from tests.factories.cpd import CohortFactory, UserFactory

# Reads and writes on cohort A's organisation or cohort, by role.
ORG = {
    "learner": 404,
    "mentor_of_cohort": 404,
    "other_mentor": 404,
    "org_admin": 200,
    "other_org_admin": 404,
    "outsider": 404,
}
COHORT = {**ORG, "learner": 403, "mentor_of_cohort": 403}


def as_role(api_client, world, role):
    if role != "anonymous":
        api_client.force_authenticate(world.user(role))
    return api_client


def _expect(response, role, table, ok=200):
    if role == "anonymous":
        assert response.status_code in (401, 403)
    else:
        assert response.status_code == (ok if table[role] == 200 else table[role])


def _cohort_body(world, **extra):
    body = {
        "organisation": world.cohort.organisation_id,
        "name": "Midwives 2027",
        "starts_on": "2027-01-10",
        "ends_on": "2027-04-10",
        "phone_region": "tz",
    }
    body.update(extra)
    return body


# --- Organisations ------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_organisation_list_by_role(api_client, world, role):
    response = as_role(api_client, world, role).get(reverse("api-organisations"))
    if role == "anonymous":
        assert response.status_code in (401, 403)
        return
    names = [o["name"] for o in response.json()["results"]]
    assert (world.cohort.organisation.name in names) is (role == "org_admin")
    assert (world.other_cohort.organisation.name in names) is (
        role == "other_org_admin"
    )


@pytest.mark.parametrize("role", ROLES)
def test_organisation_overview_by_role(api_client, world, role):
    url = reverse("api-organisation", args=[world.cohort.organisation_id])
    response = as_role(api_client, world, role).get(url)
    _expect(response, role, ORG)
    if response.status_code == 200:
        body = response.json()
        (cohort,) = body["cohorts"]
        assert (cohort["learner_count"], cohort["unpaired_count"]) == (1, 1)
        assert body["unpaired_count"] == 1
        assert body["unpaired"][0]["learner"]["display_name"] == "Learner A"


def test_overview_api_query_count_is_constant(api_client, world):
    org = world.cohort.organisation
    api_client.force_authenticate(world.org_admin)
    url = reverse("api-organisation", args=[org.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api_client.get(url).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for _ in range(6):
        cohort = CohortFactory(organisation=org)
        for user in UserFactory.create_batch(5):
            services.membership_add(cohort=cohort, user=user, role=Role.LEARNER)
    assert count() == small


# --- Create and update cohorts ------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_cohort_create_by_role(api_client, world, role):
    response = as_role(api_client, world, role).post(
        reverse("api-cohort-list"), _cohort_body(world), format="json"
    )
    if role == "anonymous":
        assert response.status_code in (401, 403)
    elif role == "org_admin":
        assert response.status_code == 201
    else:
        # an organisation one does not administer is a field error, never a 500
        assert response.status_code == 400
        assert "organisation" in response.json()
    assert Cohort.objects.filter(name="Midwives 2027").exists() is (role == "org_admin")


def test_cohort_create_makes_its_forum_and_courses(api_client, world):
    course = CourseFactory()
    api_client.force_authenticate(world.org_admin)
    response = api_client.post(
        reverse("api-cohort-list"),
        _cohort_body(world, courses=[course.pk], room_retention_days=14),
        format="json",
    )
    body = response.json()
    assert response.status_code == 201
    assert (body["phone_region"], body["room_retention_days"]) == ("TZ", 14)
    assert body["courses"] == [course.pk]
    assert body["my_role"] == "admin"
    assert body["archived_at"] is None
    assert Forum.objects.filter(cohort_id=body["id"], is_default=True).exists()


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"phone_region": "QQ"}, "phone_region"),
        ({"ends_on": "2026-01-01"}, "ends_on"),
        ({"name": ""}, "name"),
        ({"courses": [999999]}, "courses"),
        ({"room_retention_days": 0}, "room_retention_days"),
        ({"starts_on": "soon"}, "starts_on"),
        ({"organisation": "x"}, "organisation"),
    ],
)
def test_cohort_create_errors_are_400_on_the_field(api_client, world, extra, field):
    api_client.force_authenticate(world.org_admin)
    response = api_client.post(
        reverse("api-cohort-list"), _cohort_body(world, **extra), format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert field in body or "__all__" in body, body


def test_a_duplicate_cohort_name_is_a_400(api_client, world):
    api_client.force_authenticate(world.org_admin)
    response = api_client.post(
        reverse("api-cohort-list"), _cohort_body(world, name="Cohort A"), format="json"
    )
    assert response.status_code == 400


@pytest.mark.parametrize("role", ROLES)
def test_cohort_patch_by_role(api_client, world, role):
    url = reverse("api-cohort-detail", args=[world.cohort.pk])
    response = as_role(api_client, world, role).patch(
        url, {"name": "Renamed"}, format="json"
    )
    _expect(response, role, COHORT)
    world.cohort.refresh_from_db()
    assert (world.cohort.name == "Renamed") is (role == "org_admin")


def test_cohort_patch_sets_courses_and_keeps_other_fields(api_client, world):
    course = CourseFactory()
    api_client.force_authenticate(world.org_admin)
    url = reverse("api-cohort-detail", args=[world.cohort.pk])
    response = api_client.patch(url, {"courses": [course.pk]}, format="json")
    assert response.status_code == 200
    assert response.json()["name"] == "Cohort A"
    assert CourseAssignment.objects.filter(cohort=world.cohort).count() == 1
    assert api_client.patch(url, {"phone_region": "12"}, format="json").status_code == (
        400
    )


def test_cohort_get_still_answers(api_client, world):
    api_client.force_authenticate(world.learner)
    url = reverse("api-cohort-detail", args=[world.cohort.pk])
    assert api_client.get(url).json()["learner_count"] == 1


# --- Archive --------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_archive_by_role(api_client, world, role):
    url = reverse("api-cohort-archive", args=[world.cohort.pk])
    response = as_role(api_client, world, role).post(url)
    _expect(response, role, COHORT)
    world.cohort.refresh_from_db()
    assert world.cohort.is_archived is (role == "org_admin")
    if role == "org_admin":
        assert response.json()["archived_at"]


def test_a_cohort_admin_member_gets_403_with_detail_on_archive(api_client, world):
    delegate = UserFactory()
    services.membership_add(cohort=world.cohort, user=delegate, role=Role.ADMIN)
    api_client.force_authenticate(delegate)
    response = api_client.post(reverse("api-cohort-archive", args=[world.cohort.pk]))
    assert response.status_code == 403
    assert "organisation" in response.json()["detail"]


def test_unarchive_and_patch_an_archived_cohort(api_client, world):
    api_client.force_authenticate(world.org_admin)
    api_client.post(reverse("api-cohort-archive", args=[world.cohort.pk]))
    url = reverse("api-cohort-detail", args=[world.cohort.pk])
    refused = api_client.patch(url, {"name": "X"}, format="json")
    assert refused.status_code == 403
    assert "archived" in refused.json()["detail"]
    response = api_client.post(reverse("api-cohort-unarchive", args=[world.cohort.pk]))
    assert response.json()["archived_at"] is None
    assert api_client.patch(url, {"name": "X"}, format="json").status_code == 200


# --- Members --------------------------------------------------------------------------


def _member_url(world, user):
    membership = Membership.objects.get(cohort=world.cohort, user=user)
    return reverse("api-cohort-member", args=[world.cohort.pk, membership.pk])


@pytest.mark.parametrize("role", ROLES)
def test_member_patch_by_role(api_client, world, role):
    response = as_role(api_client, world, role).patch(
        _member_url(world, world.learner), {"role": "mentor"}, format="json"
    )
    _expect(response, role, COHORT)
    changed = Membership.objects.filter(user=world.learner, role=Role.MENTOR).exists()
    assert changed is (role == "org_admin")


def test_member_patch_with_a_bad_role_is_a_400(api_client, world):
    api_client.force_authenticate(world.org_admin)
    response = api_client.patch(
        _member_url(world, world.learner), {"role": "boss"}, format="json"
    )
    assert response.status_code == 400
    assert "role" in response.json()


@pytest.mark.parametrize("role", ROLES)
def test_member_delete_by_role(api_client, world, role):
    response = as_role(api_client, world, role).delete(
        _member_url(world, world.learner)
    )
    _expect(response, role, COHORT, ok=204)
    removed = not Membership.objects.filter(user=world.learner).exists()
    assert removed is (role == "org_admin")
    assert AdminLogEntry.objects.filter(action="member-removed").exists() is removed


def test_a_member_of_another_cohort_is_404(api_client, world):
    other = Membership.objects.get(user=world.other_learner)
    api_client.force_authenticate(world.org_admin)
    url = reverse("api-cohort-member", args=[world.cohort.pk, other.pk])
    assert api_client.delete(url).status_code == 404
    assert Membership.objects.filter(pk=other.pk).exists()


# --- Mentors --------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_mentor_load_by_role(api_client, world, role):
    Pairing.objects.create(
        cohort=world.cohort, mentor=world.mentor_of_cohort, learner=world.learner
    )
    url = reverse("api-cohort-mentors", args=[world.cohort.pk])
    response = as_role(api_client, world, role).get(url)
    _expect(response, role, COHORT)
    if response.status_code == 200:
        (row,) = response.json()
        assert (row["mentees"], row["capacity"], row["free"]) == (1, 5, 4)


def test_schema_lists_the_writes(api_client, world):
    api_client.force_authenticate(world.org_admin)
    schema = api_client.get(reverse("api-schema"), {"format": "json"}).json()
    paths = schema["paths"]
    assert "post" in paths["/api/cohorts/"]
    assert "get" in paths["/api/cohorts/"]
    assert "patch" in paths["/api/cohorts/{cohort_id}/"]
    assert "delete" in paths["/api/cohorts/{cohort_id}/members/{membership_id}/"]
