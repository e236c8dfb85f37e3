"""An invitation carries the invitee's language: their email, their sign-up page,
and the language stored on the account they make."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from cpd import services
from cpd.models import Invitation, Role, User

pytestmark = pytest.mark.django_db


def _invite(world, language="sw"):
    return services.invitation_create(
        actor=world.org_admin,
        cohort=world.cohort,
        role=Role.LEARNER,
        email="neema@example.org",
        language=language,
    )


def test_the_invitation_email_is_in_the_invitees_language(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(world, "sw")
    assert len(mail.outbox) == 1
    assert "You are invited" not in mail.outbox[0].subject
    assert "Cohort A" in mail.outbox[0].subject


def test_the_sign_up_page_opens_in_it_and_the_account_keeps_it(client, world):
    invitation = _invite(world, "fr")
    opened = client.get(reverse("invitation-open", args=[invitation.token]))
    assert opened.status_code == 302
    assert opened.cookies["django_language"].value == "fr"
    page = client.get(reverse("account_signup"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'lang="fr"' in html
    assert '<option value="fr" selected>' in html
    response = client.post(
        reverse("account_signup"),
        {
            "email": "neema@example.org",
            "display_name": "Neema",
            "password1": "a-long-pass-phrase-2026",
            "password2": "a-long-pass-phrase-2026",
            "preferred_language": "fr",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(email="neema@example.org").preferred_language == "fr"


def test_a_visitors_own_language_choice_is_kept(client, world):
    invitation = _invite(world, "fr")
    client.cookies["django_language"] = "pt"
    opened = client.get(reverse("invitation-open", args=[invitation.token]))
    assert "django_language" not in opened.cookies


def test_the_api_takes_a_language_and_refuses_an_unknown_one(api_client, world):
    api_client.force_authenticate(world.org_admin)
    url = reverse("api-cohort-invitations", args=[world.cohort.pk])
    ok = api_client.post(
        url, {"email": "a@example.org", "role": "learner", "language": "ar"}
    )
    assert ok.status_code == 201
    assert Invitation.objects.get(email="a@example.org").language == "ar"
    bad = api_client.post(
        url, {"email": "b@example.org", "role": "learner", "language": "xx"}
    )
    assert bad.status_code == 400
    assert "language" in bad.json()


def test_a_send_that_fails_can_be_retried_and_a_sent_one_is_not_resent(
    world, monkeypatch
):
    invitation = _invite(world, "")
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=None)

    def down(*args, **kwargs):
        raise OSError("smtp down")

    monkeypatch.setattr(services, "send_mail", down)
    with pytest.raises(OSError, match="smtp down"):
        services.invitation_send(invitation_id=invitation.pk)
    assert Invitation.objects.get(pk=invitation.pk).sent_at is None  # retryable
    monkeypatch.undo()
    assert services.invitation_send(invitation_id=invitation.pk) is True
    assert services.invitation_send(invitation_id=invitation.pk) is False
