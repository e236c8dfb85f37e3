"""/api/privacy/: exports and erasure over the API, same policies as the pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cpd.privacy import services
from cpd.privacy.models import ErasureRequest


def _as(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def test_an_export_asked_over_the_api_comes_back_with_its_link(
    world, api_client, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = _as(api_client, world.learner).post(reverse("api-privacy-exports"))
    # then
    assert response.status_code == 202
    listed = api_client.get(reverse("api-privacy-exports")).json()
    assert listed[0]["status"] == "ready"
    assert "/privacy/export/" in listed[0]["download_url"]


def test_the_export_list_shows_only_ones_own(world, api_client, run_commit):
    run_commit(services.export_request, actor=world.learner)
    assert (
        _as(api_client, world.org_admin).get(reverse("api-privacy-exports")).json()
        == []
    )


def test_anonymous_is_refused(api_client):
    assert api_client.get(reverse("api-privacy-exports")).status_code in (401, 403)
    assert api_client.post(reverse("api-privacy-erasure"), {}).status_code in (
        401,
        403,
    )


def test_erasure_needs_understood_true(world, api_client):
    response = _as(api_client, world.learner).post(
        reverse("api-privacy-erasure"), {"understood": False}, format="json"
    )
    assert response.status_code == 400
    assert "understood" in response.json()
    assert not ErasureRequest.objects.exists()


def test_erasure_is_asked_read_and_cancelled(world, api_client):
    client = _as(api_client, world.learner)
    created = client.post(
        reverse("api-privacy-erasure"), {"understood": True}, format="json"
    )
    assert created.status_code == 201
    assert client.get(reverse("api-privacy-erasure")).json()["status"] == "pending"
    assert client.delete(reverse("api-privacy-erasure")).status_code == 204
    assert client.get(reverse("api-privacy-erasure")).status_code == 404
    assert client.delete(reverse("api-privacy-erasure")).status_code == 404


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("org_admin", 200),
        ("other_org_admin", 404),
        ("mentor_of_cohort", 404),
        ("other_mentor", 404),
        ("outsider", 404),
        ("learner", 403),
    ],
)
def test_only_an_admin_of_the_organisation_confirms_over_the_api(
    world, api_client, django_capture_on_commit_callbacks, role, status
):
    request = services.erasure_request(actor=world.learner)
    with django_capture_on_commit_callbacks(execute=True):
        response = _as(api_client, world.user(role)).post(
            reverse("api-privacy-erasure-confirm", args=[request.pk])
        )
    assert response.status_code == status
    if status == 200:
        assert response.json()["confirmed"] is True


@pytest.mark.parametrize("role", ["other_org_admin", "mentor_of_cohort", "outsider"])
def test_the_queue_shows_others_nothing(world, api_client, role):
    services.erasure_request(actor=world.learner)
    body = (
        _as(api_client, world.user(role))
        .get(reverse("api-privacy-erasure-queue"))
        .json()
    )
    assert body["results"] == [] if isinstance(body, dict) else body == []


@pytest.mark.parametrize("n", [1, 5])
def test_the_queue_lists_the_admins_people_in_constant_queries(
    world, api_client, django_assert_num_queries, n
):
    from tests.factories.cpd import MembershipFactory

    for _ in range(n):
        services.erasure_request(actor=MembershipFactory(cohort=world.cohort).user)
    client = _as(api_client, world.org_admin)
    with django_assert_num_queries(3):
        body = client.get(reverse("api-privacy-erasure-queue")).json()
    rows = body["results"] if isinstance(body, dict) else body
    assert len(rows) == n


def test_the_schema_documents_the_privacy_endpoints(world, api_client):
    schema = _as(api_client, world.learner).get(
        reverse("api-schema"), {"format": "json"}
    )
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/privacy/exports/" in paths
    assert "/api/privacy/erasure/{request_id}/confirm/" in paths


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("org_admin", 200),
        ("other_org_admin", 404),
        ("mentor_of_cohort", 404),
        ("learner", 404),
        ("outsider", 404),
    ],
)
def test_only_the_organisations_admin_sets_the_certificate_choice_over_the_api(
    world, api_client, role, status
):
    url = reverse("api-privacy-organisation", args=[world.cohort.organisation_id])
    client = _as(api_client, world.user(role))
    response = client.put(url, {"certificates_on_erasure": "revoke"}, format="json")
    assert response.status_code == status
    if status == 200:
        assert client.get(url).json()["certificates_on_erasure"] == "revoke"


def test_an_unknown_certificate_choice_is_a_400(world, api_client):
    url = reverse("api-privacy-organisation", args=[world.cohort.organisation_id])
    response = _as(api_client, world.org_admin).put(
        url, {"certificates_on_erasure": "burn"}, format="json"
    )
    assert response.status_code == 400
    assert "certificates_on_erasure" in response.json()
