"""Privacy pages: one's data page, download links that expire, the admin queue."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cpd.privacy import services
from cpd.privacy.models import (
    DataExport,
    ErasureRequest,
    OrganisationPrivacy,
    PrivacyAudit,
)
from tests.conftest import client_as
from tests.factories.cpd import MembershipFactory


def test_the_profile_links_to_the_privacy_page(world, client):
    page = client_as(client, world.learner).get(reverse("profile"))
    assert reverse("privacy") in page.content.decode()


def test_a_signed_out_visitor_is_sent_to_sign_in(client):
    page = client.get(reverse("privacy"))
    assert page.status_code == 302
    assert "/accounts/login/" in page["Location"]


def test_asking_for_an_export_shows_it_ready_on_the_page(
    world, client, django_capture_on_commit_callbacks
):
    # given
    client_as(client, world.learner)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("privacy-export-request"))
    # then
    assert response.status_code == 302
    export = DataExport.objects.get(user=world.learner)
    page = client.get(reverse("privacy")).content.decode()
    assert reverse("privacy-export-download", args=[export.token]) in page


def test_the_owner_downloads_the_zip_and_the_download_is_audited(
    world, client, run_commit
):
    export = run_commit(services.export_request, actor=world.learner)
    response = client_as(client, world.learner).get(
        reverse("privacy-export-download", args=[export.token])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert b"".join(response.streaming_content)[:2] == b"PK"
    assert PrivacyAudit.objects.filter(action="export_downloaded").count() == 1


@pytest.mark.parametrize(
    "role", ["mentor_of_cohort", "org_admin", "other_org_admin", "outsider"]
)
def test_anyone_else_with_the_link_gets_404(world, client, run_commit, role):
    export = run_commit(services.export_request, actor=world.learner)
    response = client_as(client, world.user(role)).get(
        reverse("privacy-export-download", args=[export.token])
    )
    assert response.status_code == 404


def test_an_expired_link_says_so_with_410(world, client, run_commit):
    export = run_commit(services.export_request, actor=world.learner)
    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now())
    response = client_as(client, world.learner).get(
        reverse("privacy-export-download", args=[export.token])
    )
    assert response.status_code == 410


def test_a_garbled_token_is_404_not_500(world, client):
    response = client_as(client, world.learner).get(
        "/privacy/export/%00" + "x" * 300 + "/"
    )
    assert response.status_code == 404


def test_erasure_needs_the_box_ticked(world, client):
    client_as(client, world.learner)
    client.post(reverse("privacy-erasure-request"))
    assert not ErasureRequest.objects.exists()
    client.post(reverse("privacy-erasure-request"), {"understood": "yes"})
    assert ErasureRequest.objects.filter(user=world.learner).count() == 1


def test_the_person_cancels_their_request_from_the_page(world, client):
    request = services.erasure_request(actor=world.learner)
    client_as(client, world.learner).post(
        reverse("privacy-erasure-cancel", args=[request.pk])
    )
    request.refresh_from_db()
    assert request.status == "cancelled"


def test_someone_else_cannot_cancel_it(world, client):
    request = services.erasure_request(actor=world.learner)
    response = client_as(client, world.org_admin).post(
        reverse("privacy-erasure-cancel", args=[request.pk])
    )
    assert response.status_code == 403
    request.refresh_from_db()
    assert request.is_pending


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("org_admin", 302),
        ("other_org_admin", 404),
        ("mentor_of_cohort", 404),
        ("outsider", 404),
        ("learner", 403),  # their own: seen, not self-confirmed
    ],
)
def test_only_an_admin_of_the_organisation_confirms_on_the_page(
    world, client, django_capture_on_commit_callbacks, role, status
):
    request = services.erasure_request(actor=world.learner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(client, world.user(role)).post(
            reverse("privacy-erasure-confirm", args=[request.pk])
        )
    assert response.status_code == status
    request.refresh_from_db()
    assert (request.status == "done") is (status == 302)


def test_the_admin_queue_lists_the_organisations_requests_only(world, client):
    services.erasure_request(actor=world.learner)
    services.erasure_request(actor=world.other_learner)
    page = client_as(client, world.org_admin).get(reverse("privacy-erasure-queue"))
    body = page.content.decode()
    assert "Learner A" in body
    assert "Learner B" not in body


def _requests(world, n):
    for _ in range(n):
        user = MembershipFactory(cohort=world.cohort).user
        services.erasure_request(actor=user)


@pytest.mark.parametrize("n", [1, 8])
def test_the_admin_queue_costs_the_same_queries_for_1_or_8_requests(
    world, client, django_assert_num_queries, n
):
    _requests(world, n)
    client_as(client, world.org_admin)
    # user, the queue, the admin's organisations and their choices, the
    # layout's roles and cohorts: none per row (the session comes from the
    # cache); 7, plus the layout's notification bell
    with django_assert_num_queries(8):
        page = client.get(reverse("privacy-erasure-queue"))
    assert page.status_code == 200


@pytest.mark.parametrize("n", [1, 5])
def test_the_privacy_page_costs_a_constant_number_of_queries(
    world, client, django_assert_num_queries, n
):
    now = timezone.now()
    for i in range(n):
        DataExport.objects.create(
            user=world.learner,
            status="ready",
            file="x.zip",
            requested_at=now - dt.timedelta(hours=i),
            expires_at=now + dt.timedelta(days=1),
        )
    client_as(client, world.learner)
    # user, exports, erasure, the admin queue count, the layout's (the
    # session comes from the cache): 7, plus the layout's notification bell
    with django_assert_num_queries(8):
        page = client.get(reverse("privacy"))
    assert page.status_code == 200


def test_the_page_shows_a_waiting_request_and_admins_see_their_queue_link(
    world, client
):
    # given
    services.erasure_request(actor=world.learner)
    # then: the person sees when it happens at the latest and can cancel
    page = client_as(client, world.learner).get(reverse("privacy")).content.decode()
    assert "at the latest" in page
    assert "Cancel my request" in page
    # and the organisation's admin is pointed at the queue
    client.logout()
    page = client_as(client, world.org_admin).get(reverse("privacy")).content.decode()
    assert reverse("privacy-erasure-queue") in page


def test_an_admin_chooses_to_revoke_certificates_on_the_queue_page(world, client):
    # given
    org = world.cohort.organisation
    client_as(client, world.org_admin)
    assert (
        "Certificates of an erased person"
        in client.get(reverse("privacy-erasure-queue")).content.decode()
    )
    # when
    client.post(
        reverse("privacy-organisation", args=[org.pk]),
        {"certificates_on_erasure": "revoke"},
    )
    # then
    assert OrganisationPrivacy.objects.get(
        organisation=org
    ).certificates_on_erasure == ("revoke")


@pytest.mark.parametrize("role", ["other_org_admin", "mentor_of_cohort", "learner"])
def test_nobody_else_sets_the_organisations_choice(world, client, role):
    org = world.cohort.organisation
    response = client_as(client, world.user(role)).post(
        reverse("privacy-organisation", args=[org.pk]),
        {"certificates_on_erasure": "revoke"},
    )
    assert response.status_code == 404
    assert not OrganisationPrivacy.objects.exists()


def test_an_unknown_choice_is_refused_with_a_message(world, client):
    org = world.cohort.organisation
    response = client_as(client, world.org_admin).post(
        reverse("privacy-organisation", args=[org.pk]),
        {"certificates_on_erasure": "burn"},
        follow=True,
    )
    assert "Choose keep or revoke." in response.content.decode()
    assert not OrganisationPrivacy.objects.exists()


def test_a_ready_export_whose_file_is_gone_answers_410_not_500(
    world, client, run_commit
):
    from django.core.files.storage import default_storage

    export = run_commit(services.export_request, actor=world.learner)
    export.refresh_from_db()
    default_storage.delete(export.file.name)
    response = client_as(client, world.learner).get(
        reverse("privacy-export-download", args=[export.token])
    )
    assert response.status_code == 410
