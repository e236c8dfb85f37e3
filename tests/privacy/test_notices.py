"""A cohort's privacy notice is accepted at sign-in, per version, and kept."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cpd.privacy import selectors, services
from cpd.privacy.models import NoticeAcceptance, PrivacyNotice
from tests.conftest import ROLES, client_as
from tests.factories.cpd import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def notice(world):
    return services.notice_publish(
        actor=world.org_admin, cohort=world.cohort, text="Cases are de-identified."
    )


def _sign_in(client, user):
    return client.post(
        reverse("account_login"), {"login": user.email, "password": PASSWORD}
    )


def test_sign_in_asks_for_the_notice_then_goes_on(client, world, notice):
    response = _sign_in(client, world.learner)
    assert response.url.startswith(reverse("privacy-notices"))
    page = client.get(response.url)
    assert "Cases are de-identified." in page.content.decode()
    refused = client.post(reverse("privacy-notices"), {"next": "/courses/"})
    assert refused.status_code == 400
    assert not NoticeAcceptance.objects.exists()
    accepted = client.post(
        reverse("privacy-notices"), {"accept": "yes", "next": "/courses/"}
    )
    assert accepted.url == "/courses/"
    acceptance = NoticeAcceptance.objects.get(user=world.learner)
    assert acceptance.notice.version == 1
    # the next sign-in goes straight on
    client.logout()
    assert _sign_in(client, world.learner).url == "/"


def test_a_new_version_asks_again_and_the_old_acceptance_stays(client, world, notice):
    services.notices_accept(actor=world.learner, notice_ids=[notice.pk])
    assert selectors.notices_pending(world.learner) == []
    second = services.notice_publish(
        actor=world.org_admin, cohort=world.cohort, text="Photos are kept 90 days."
    )
    assert second.version == 2
    assert selectors.notices_pending(world.learner) == [second]
    assert NoticeAcceptance.objects.filter(user=world.learner).count() == 1


def test_no_one_accepts_another_cohorts_notice(world, notice):
    assert (
        services.notices_accept(actor=world.other_learner, notice_ids=[notice.pk]) == 0
    )
    assert selectors.notices_pending(world.other_learner) == []


def test_an_outside_next_is_not_followed(client, world, notice):
    client_as(client, world.learner)
    response = client.post(
        reverse("privacy-notices"), {"accept": "yes", "next": "https://evil.example/"}
    )
    assert response.url == reverse("home")


@pytest.mark.parametrize("role", ROLES)
def test_who_publishes_a_notice(client, world, role):
    client_as(client, world.user(role))
    url = reverse("privacy-notice-publish", args=[world.cohort.pk])
    response = client.post(url, {"text": "New notice"})
    if role == "anonymous":
        assert response.status_code == 302
        assert not PrivacyNotice.objects.exists()
        return
    expected = {
        "org_admin": 302,
        "learner": 403,
        "mentor_of_cohort": 403,
    }.get(role, 404)
    assert response.status_code == expected
    assert PrivacyNotice.objects.exists() is (role == "org_admin")


def test_an_empty_notice_is_refused_with_a_message(client, world):
    client_as(client, world.org_admin)
    url = reverse("privacy-notice-publish", args=[world.cohort.pk])
    response = client.post(url, {"text": "   "})
    assert response.status_code == 400
    assert "Write the notice." in response.content.decode()
