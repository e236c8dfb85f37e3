"""REST API: same rules as the pages, field errors as 4xx, schema reachable."""

import pytest
from django.urls import reverse

from tests.conftest import ROLES
from tests.factories.cpd import PASSWORD, UserFactory

SEES_COHORT = {"learner", "mentor_of_cohort", "org_admin"}


def as_role(api_client, world, role):
    user = world.user(role)
    if user.is_authenticated:
        api_client.force_authenticate(user)
    return api_client


@pytest.mark.parametrize("role", ROLES)
def test_cohort_list_by_role(api_client, world, role):
    response = as_role(api_client, world, role).get(reverse("api-cohort-list"))
    if role == "anonymous":
        assert response.status_code in (401, 403)
        return
    names = [c["name"] for c in response.json()["results"]]
    assert ("Cohort A" in names) is (role in SEES_COHORT)


@pytest.mark.parametrize("role", ROLES)
def test_cohort_detail_is_404_outside(api_client, world, role):
    url = reverse("api-cohort-detail", args=[world.cohort.pk])
    response = as_role(api_client, world, role).get(url)
    if role == "anonymous":
        assert response.status_code in (401, 403)
    elif role in SEES_COHORT:
        assert response.status_code == 200
        assert response.json()["learner_count"] == 1
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_member_list_is_404_outside(api_client, world, role):
    url = reverse("api-cohort-members", args=[world.cohort.pk])
    response = as_role(api_client, world, role).get(url)
    if role == "anonymous":
        assert response.status_code in (401, 403)
    elif role in SEES_COHORT:
        names = {m["user"]["display_name"] for m in response.json()["results"]}
        assert names == {"Learner A", "Mentor A"}
        assert "email" not in response.json()["results"][0]["user"]
    else:
        assert response.status_code == 404


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("learner", 403),
        ("mentor_of_cohort", 403),
        ("other_mentor", 404),
        ("org_admin", 201),
        ("other_org_admin", 404),
        ("outsider", 404),
    ],
)
def test_invitation_create_by_role(api_client, world, role, status):
    url = reverse("api-cohort-invitations", args=[world.cohort.pk])
    response = as_role(api_client, world, role).post(
        url, {"role": "learner", "email": "x@example.org"}, format="json"
    )
    assert response.status_code == status
    if status == 201:
        assert "/invite/" in response.json()["url"]


def test_invitation_create_bad_input_gives_field_errors(api_client, world):
    url = reverse("api-cohort-invitations", args=[world.cohort.pk])
    response = as_role(api_client, world, "org_admin").post(
        url, {"role": "chief", "phone": "12"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"role", "phone"}


def test_me_returns_and_updates_the_profile(api_client, world):
    client = as_role(api_client, world, "learner")
    assert client.get(reverse("api-me")).json()["display_name"] == "Learner A"
    response = client.patch(reverse("api-me"), {"district": "Busia"}, format="json")
    assert response.json()["district"] == "Busia"


def test_me_rejects_too_long_display_name(api_client, world):
    response = as_role(api_client, world, "learner").patch(
        reverse("api-me"), {"display_name": "x" * 81}, format="json"
    )
    assert response.status_code == 400
    assert "display_name" in response.json()


def test_unknown_cohort_id_is_404(api_client, world):
    client = as_role(api_client, world, "learner")
    assert client.get("/api/cohorts/987654/").status_code == 404


def test_token_by_email_or_phone_then_use_it(api_client, db):
    UserFactory(email="t@example.org", phone="+254700999888")
    for login in ("t@example.org", "+254700999888"):
        response = api_client.post(
            reverse("api-token"), {"login": login, "password": PASSWORD}, format="json"
        )
        assert response.status_code == 200, response.json()
    token = response.json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get(reverse("api-me")).status_code == 200


def test_token_wrong_password_is_400_and_locks_after_five(api_client, db):
    UserFactory(email="t@example.org")
    codes = [
        api_client.post(
            reverse("api-token"),
            {"login": "t@example.org", "password": "bad"},
            format="json",
        ).status_code
        for _ in range(6)
    ]
    assert codes[:4] == [400, 400, 400, 400]
    assert codes[5] == 429
    locked = api_client.post(
        reverse("api-token"),
        {"login": "t@example.org", "password": PASSWORD},
        format="json",
    )
    assert locked.status_code == 429


def test_token_missing_fields_are_reported(api_client, db):
    response = api_client.post(reverse("api-token"), {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"login", "password"}


def test_schema_and_docs_are_served(client, db):
    schema = client.get(reverse("api-schema"))
    assert schema.status_code == 200
    assert b"/api/cohorts/" in schema.content
    assert client.get(reverse("api-docs")).status_code == 200


def test_api_root_links_to_me_and_cohorts(api_client, db):
    body = api_client.get(reverse("api-root")).json()
    assert body["me"].endswith("/api/me/")
    assert body["cohorts"].endswith("/api/cohorts/")
