"""Invitations in bulk: the claim flow, SMS, and the cohort admins' page and API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from cpd import policies, services
from cpd.invitations import selectors as inv_selectors
from cpd.invitations import services as inv_services
from cpd.models import Invitation, Membership, Role
from cpd.notifications.backends.sms import ConsoleSmsBackend, SmsError
from cpd.notifications.models import Channel, Delivery, Notification
from cpd.notifications.services import ESSENTIAL_KINDS, KIND_INVITATION
from cpd.notifications.sms_text import segments
from tests.conftest import COHORT_ADMIN_API, ROLES, client_as
from tests.factories.cpd import InvitationFactory, UserFactory

pytestmark = pytest.mark.django_db

PHONE = "+254700111222"
NEW_PASSWORD = "a-long-new-passphrase-42"


@pytest.fixture(autouse=True)
def _sms_log():
    ConsoleSmsBackend.sent.clear()
    yield
    ConsoleSmsBackend.sent.clear()


def _enrolled(world, *, phone: str = PHONE, email: str = "", language: str = ""):
    """What the spreadsheet importer makes: account, membership, invitation."""
    user = UserFactory(
        email=email or None, phone=phone, display_name="Neema", preferred_language="sw"
    )
    user.set_unusable_password()
    user.save()
    services.membership_add(cohort=world.cohort, user=user, role=Role.LEARNER)
    invitation = InvitationFactory(
        cohort=world.cohort,
        email=email,
        phone=phone,
        user=user,
        language=language,
        created_by=world.org_admin,
    )
    return user, invitation


# --- 1. the claim flow --------------------------------------------------------------


def test_opening_an_enrolled_accounts_link_asks_for_a_password(client, world):
    _user, invitation = _enrolled(world)
    response = client.get(reverse("invitation-open", args=[invitation.token]))
    assert response.status_code == 302
    assert response["Location"] == reverse("invitation-claim", args=[invitation.token])
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "new_password1" in page.context["form"].fields


def test_choosing_the_password_signs_in_and_lands_in_the_cohort(client, world):
    # given an account the importer made (no usable password, no membership yet)
    user, invitation = _enrolled(world)
    Membership.objects.filter(user=user).delete()
    url = reverse("invitation-claim", args=[invitation.token])
    # when
    response = client.post(
        url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("cohort-detail", args=[world.cohort.pk])
    assert int(client.session[SESSION_KEY]) == user.pk
    # still signed in on the next page (the session holds the new password's hash)
    assert client.get(response["Location"]).status_code == 200
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert invitation.accepted_by == user
    assert Membership.objects.get(user=user, cohort=world.cohort).role == Role.LEARNER
    # and the link is used: opening it again says so
    client.logout()
    again = client.get(reverse("invitation-open", args=[invitation.token]))
    assert again.status_code == 410


def test_a_weak_or_mismatched_password_re_renders_with_errors(client, world):
    user, invitation = _enrolled(world)
    url = reverse("invitation-claim", args=[invitation.token])
    response = client.post(url, {"new_password1": "abc", "new_password2": "abd"})
    assert response.status_code == 400
    assert response.context["form"].errors
    user.refresh_from_db()
    assert not user.has_usable_password()
    assert SESSION_KEY not in client.session


def test_an_account_that_has_a_password_signs_in_instead(client, world):
    user, invitation = _enrolled(world)
    user.set_password("already-chosen-123")
    user.save()
    response = client.get(reverse("invitation-open", args=[invitation.token]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    # the claim page never resets a password already chosen
    claim = reverse("invitation-claim", args=[invitation.token])
    client.post(claim, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    user.refresh_from_db()
    assert user.check_password("already-chosen-123")


def test_the_claim_service_refuses_a_revoked_invitation(world):
    user, invitation = _enrolled(world)
    inv_services.invitation_revoke(actor=world.org_admin, invitation=invitation)
    with pytest.raises(ValidationError, match="expired or was already used"):
        inv_services.invitation_claim(invitation=invitation, password=NEW_PASSWORD)
    user.refresh_from_db()
    assert not user.has_usable_password()


def test_an_enrolled_accounts_invitation_is_that_accounts_only(world):
    # given an invitation for an enrolled account, whose address another
    # account holds (the account was enrolled by phone only)
    _user, invitation = _enrolled(world)
    invitation.email = "shared@example.org"
    invitation.save()
    someone = UserFactory(email="shared@example.org")
    # then only the enrolled account may use it
    assert not policies.can_accept_invitation(someone, invitation)
    assert policies.can_accept_invitation(invitation.user, invitation)


def test_the_claim_service_never_resets_a_chosen_password(world):
    user, invitation = _enrolled(world)
    user.set_password("already-chosen-123")
    user.save()
    with pytest.raises(PermissionDenied):
        inv_services.invitation_claim(invitation=invitation, password=NEW_PASSWORD)
    user.refresh_from_db()
    assert user.check_password("already-chosen-123")


def test_the_claim_page_is_only_for_an_account_without_password(client, world):
    user, invitation = _enrolled(world)
    user.set_password("already-chosen-123")
    user.save()
    claim = reverse("invitation-claim", args=[invitation.token])
    response = client.get(claim)
    assert response["Location"] == reverse("invitation-open", args=[invitation.token])


# --- 2. SMS ----------------------------------------------------------------------


@pytest.fixture
def sms_languages(monkeypatch):
    """The language each invitation SMS text was written in."""
    seen: list[str] = []
    original = inv_services._sms_text

    def spy(invitation):
        seen.append(translation.get_language())
        return original(invitation)

    monkeypatch.setattr(inv_services, "_sms_text", spy)
    return seen


def test_an_enrolled_phone_only_invitation_goes_by_sms_once(
    world, django_capture_on_commit_callbacks, sms_languages
):
    _user, invitation = _enrolled(world, language="sw")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.invitation_send(invitation_id=invitation.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert not services.invitation_send(invitation_id=invitation.pk)
    assert len(ConsoleSmsBackend.sent) == 1
    to, text = ConsoleSmsBackend.sent[0]
    assert to == PHONE
    assert f"/invite/{invitation.token}/" in text
    assert sms_languages == ["sw"]  # the invitee's language
    assert segments(text) == 1
    assert Delivery.objects.get(channel=Channel.SMS).notification.kind == (
        KIND_INVITATION
    )
    assert not mail.outbox


def test_the_invitation_kind_is_essential_and_sms_by_default():
    from cpd.notifications.kinds import kind_get

    assert KIND_INVITATION in ESSENTIAL_KINDS
    assert kind_get(KIND_INVITATION).default(Channel.SMS) == "immediate"


def test_a_phone_invitation_without_account_is_texted_once_from_the_form(
    client, world, django_capture_on_commit_callbacks, sms_languages
):
    client_as(client, world.org_admin)
    url = reverse("cohort-invitations", args=[world.cohort.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"form": "invite", "phone": PHONE, "role": "learner", "language": "fr"}
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get(phone=PHONE)
    assert invitation.sent_at is not None
    assert len(ConsoleSmsBackend.sent) == 1
    assert sms_languages == ["fr"]
    assert f"/invite/{invitation.token}/" in ConsoleSmsBackend.sent[0][1]
    assert not services.invitation_send(invitation_id=invitation.pk)
    assert len(ConsoleSmsBackend.sent) == 1


def test_an_arabic_invitation_keeps_its_whole_link_in_two_segments_at_most(world):
    world.cohort.name = "دورة القابلات في كيسومو للتعليم المستمر"
    world.cohort.save()
    invitation = InvitationFactory(
        cohort=world.cohort, email="", phone=PHONE, language="ar"
    )
    assert services.invitation_send(invitation_id=invitation.pk)
    text = ConsoleSmsBackend.sent[0][1]
    assert text.endswith(f"/invite/{invitation.token}/")
    assert segments(text) <= 2
    assert "دورة" in text


def test_a_failed_sms_clears_the_mark_for_a_retry(world, monkeypatch):
    invitation = InvitationFactory(cohort=world.cohort, email="", phone=PHONE)

    def refuse(self, to, text):
        raise SmsError("gateway down")

    monkeypatch.setattr(ConsoleSmsBackend, "send", refuse)
    with pytest.raises(SmsError):
        services.invitation_send(invitation_id=invitation.pk)
    invitation.refresh_from_db()
    assert invitation.sent_at is None


def test_email_still_wins_when_there_is_one(world, django_capture_on_commit_callbacks):
    _user, invitation = _enrolled(world, email="neema@example.org")
    assert services.invitation_send(invitation_id=invitation.pk)
    assert len(mail.outbox) == 1
    assert not ConsoleSmsBackend.sent


# --- 3. the invitations page ---------------------------------------------------------

PAGE_STATUS = {
    "learner": 403,
    "mentor_of_cohort": 403,
    "other_mentor": 404,
    "org_admin": 200,
    "other_org_admin": 404,
    "outsider": 404,
}


@pytest.mark.parametrize("role", ROLES)
def test_the_invitations_page_by_role(client, world, role):
    InvitationFactory(cohort=world.cohort, email="seen@example.org")
    client_as(client, world.user(role))
    response = client.get(reverse("cohort-invitations", args=[world.cohort.pk]))
    if role == "anonymous":
        assert response.status_code == 302
        return
    assert response.status_code == PAGE_STATUS[role]
    if role == "org_admin":
        assert b"seen@example.org" in response.content


@pytest.mark.parametrize("role", ROLES)
def test_only_the_cohorts_admins_can_revoke_from_the_page(client, world, role):
    invitation = InvitationFactory(cohort=world.cohort)
    client_as(client, world.user(role))
    url = reverse("invitation-action", args=[world.cohort.pk, invitation.pk, "revoke"])
    response = client.post(url)
    invitation.refresh_from_db()
    assert (invitation.revoked_at is not None) == (role == "org_admin")
    if role != "anonymous":
        assert response.status_code == {200: 302}.get(
            PAGE_STATUS[role], PAGE_STATUS[role]
        )


def _statuses(world):
    now = timezone.now()
    joiner = UserFactory(display_name="Joined Person")
    return {
        "pending": InvitationFactory(cohort=world.cohort),
        "sent": InvitationFactory(
            cohort=world.cohort, sent_at=now - dt.timedelta(hours=1), delivered_at=now
        ),
        # marked sent long enough ago, never taken by the email service
        "unconfirmed": InvitationFactory(
            cohort=world.cohort, sent_at=now - dt.timedelta(minutes=11)
        ),
        "joined": InvitationFactory(
            cohort=world.cohort, sent_at=now, accepted_at=now, accepted_by=joiner
        ),
        "expired": InvitationFactory(
            cohort=world.cohort, expires_at=now - dt.timedelta(days=1)
        ),
        "revoked": InvitationFactory(cohort=world.cohort, revoked_at=now),
    }


def test_each_invitation_shows_its_status_and_the_filter_picks_one(client, world):
    made = _statuses(world)
    client_as(client, world.org_admin)
    url = reverse("cohort-invitations", args=[world.cohort.pk])
    page = client.get(url)
    shown = {inv.pk: inv.status for inv in page.context["page"]}
    assert shown == {inv.pk: status for status, inv in made.items()}
    assert b"Joined Person joined on" in page.content
    for status, invitation in made.items():
        filtered = client.get(url, {"status": status})
        assert [inv.pk for inv in filtered.context["page"]] == [invitation.pk]


def test_the_page_costs_the_same_with_many_invitations(
    client, world, django_assert_max_num_queries
):
    from cpd.invitations.services import join_link_create

    client_as(client, world.org_admin)
    url = reverse("cohort-invitations", args=[world.cohort.pk])
    counts = []
    for size in (2, 30):
        for _ in range(size):
            _statuses(world)
        join_link_create(
            actor=world.org_admin,
            cohort=world.cohort,
            max_uses=5,
            expires_at=timezone.now() + dt.timedelta(days=1),
        )
        with django_assert_max_num_queries(20) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_an_invitation_of_another_cohort_is_not_found(client, world):
    other = InvitationFactory(cohort=world.other_cohort)
    client_as(client, world.org_admin)
    url = reverse("invitation-action", args=[world.cohort.pk, other.pk, "revoke"])
    assert client.post(url).status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None


def test_the_invite_form_re_renders_with_errors(client, world):
    client_as(client, world.org_admin)
    url = reverse("cohort-invitations", args=[world.cohort.pk])
    response = client.post(url, {"form": "invite", "role": "learner"})
    assert response.status_code == 400
    assert response.context["form"].errors


def test_a_send_is_confirmed_once_the_email_service_took_it(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    invitation = InvitationFactory(cohort=world.cohort)
    assert services.invitation_send(invitation_id=invitation.pk)
    invitation.refresh_from_db()
    assert invitation.sent_at is not None
    assert invitation.delivered_at >= invitation.sent_at
    # a send the email service refused keeps neither mark, for the retry
    failing = InvitationFactory(cohort=world.cohort)

    def refused(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr(services, "send_mail", refused)
    with pytest.raises(OSError, match="connection refused"):
        services.invitation_send(invitation_id=failing.pk)
    failing.refresh_from_db()
    assert (failing.sent_at, failing.delivered_at) == (None, None)


def test_a_send_cut_short_shows_as_not_confirmed_and_resends_once(
    client, world, django_capture_on_commit_callbacks
):
    invitation = InvitationFactory(
        cohort=world.cohort, sent_at=timezone.now() - dt.timedelta(minutes=30)
    )
    client_as(client, world.org_admin)
    url = reverse("cohort-invitations", args=[world.cohort.pk])
    page = client.get(url, {"status": "unconfirmed"})
    assert [inv.pk for inv in page.context["page"]] == [invitation.pk]
    assert "Sending not confirmed" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        inv_services.invitation_resend(actor=world.org_admin, invitation=invitation)
    assert len(mail.outbox) == 1
    assert not client.get(url, {"status": "unconfirmed"}).context["page"].object_list
    assert not services.invitation_send(invitation_id=invitation.pk)
    assert len(mail.outbox) == 1


# --- resend, revoke, expiry ------------------------------------------------------


def test_resend_clears_the_mark_extends_an_expired_one_and_sends_again(
    world, django_capture_on_commit_callbacks
):
    invitation = InvitationFactory(
        cohort=world.cohort,
        sent_at=timezone.now() - dt.timedelta(days=20),
        expires_at=timezone.now() - dt.timedelta(days=1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        inv_services.invitation_resend(actor=world.org_admin, invitation=invitation)
    fresh = Invitation.objects.get(pk=invitation.pk)
    assert fresh.expires_at > timezone.now() + dt.timedelta(days=13)
    assert fresh.sent_at is not None  # the queued send ran (eager)
    assert len(mail.outbox) == 1
    # the task redelivered sends nothing more
    assert not services.invitation_send(invitation_id=invitation.pk)
    assert len(mail.outbox) == 1


def test_an_enrolled_phone_invitation_resent_is_texted_again_once(
    world, django_capture_on_commit_callbacks
):
    _user, invitation = _enrolled(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_send(invitation_id=invitation.pk)
    invitation.refresh_from_db()
    invitation.sent_at = timezone.now() - dt.timedelta(hours=1)  # an hour ago
    invitation.save()
    with django_capture_on_commit_callbacks(execute=True):
        inv_services.invitation_resend(actor=world.org_admin, invitation=invitation)
    assert len(ConsoleSmsBackend.sent) == 2
    assert Notification.objects.filter(kind=KIND_INVITATION).count() == 2


def test_resend_and_expiry_are_refused_once_joined_or_revoked(world):
    joined = InvitationFactory(cohort=world.cohort, accepted_at=timezone.now())
    revoked = InvitationFactory(cohort=world.cohort, revoked_at=timezone.now())
    later = timezone.now() + dt.timedelta(days=3)
    for invitation in (joined, revoked):
        with pytest.raises(ValidationError):
            inv_services.invitation_resend(actor=world.org_admin, invitation=invitation)
        with pytest.raises(ValidationError):
            inv_services.invitation_set_expiry(
                actor=world.org_admin, invitation=invitation, expires_at=later
            )
    with pytest.raises(ValidationError, match="already joined"):
        inv_services.invitation_revoke(actor=world.org_admin, invitation=joined)


def test_expiry_must_be_in_the_future(world):
    invitation = InvitationFactory(cohort=world.cohort)
    with pytest.raises(ValidationError, match="future"):
        inv_services.invitation_set_expiry(
            actor=world.org_admin,
            invitation=invitation,
            expires_at=timezone.now() - dt.timedelta(minutes=1),
        )
    later = timezone.now() + dt.timedelta(days=30)
    inv_services.invitation_set_expiry(
        actor=world.org_admin, invitation=invitation, expires_at=later
    )
    invitation.refresh_from_db()
    assert invitation.expires_at == later


def test_the_expiry_form_on_the_page_sets_a_date(client, world):
    invitation = InvitationFactory(cohort=world.cohort)
    client_as(client, world.org_admin)
    url = reverse("invitation-action", args=[world.cohort.pk, invitation.pk, "expiry"])
    day = timezone.localdate() + dt.timedelta(days=40)
    assert client.post(url, {"expires_on": day.isoformat()}).status_code == 302
    invitation.refresh_from_db()
    assert timezone.localtime(invitation.expires_at).date() == day
    past = client.post(url, {"expires_on": "2000-01-01"}, follow=True)
    assert "future" in past.content.decode()


@pytest.mark.parametrize(
    "role", ["learner", "mentor_of_cohort", "other_org_admin", "outsider"]
)
def test_no_one_but_the_admins_may_resend_revoke_or_date(world, role):
    invitation = InvitationFactory(cohort=world.cohort)
    actor = world.user(role)
    later = timezone.now() + dt.timedelta(days=3)
    with pytest.raises(PermissionDenied):
        inv_services.invitation_resend(actor=actor, invitation=invitation)
    with pytest.raises(PermissionDenied):
        inv_services.invitation_revoke(actor=actor, invitation=invitation)
    with pytest.raises(PermissionDenied):
        inv_services.invitation_set_expiry(
            actor=actor, invitation=invitation, expires_at=later
        )


@pytest.mark.parametrize("role", ROLES)
def test_invitations_are_visible_to_the_cohorts_admins_only(world, role):
    mine = InvitationFactory(cohort=world.cohort)
    theirs = InvitationFactory(cohort=world.other_cohort)
    user = world.user(role)
    visible = set(
        Invitation.objects.filter(policies.invitations_visible_to(user)).values_list(
            "pk", flat=True
        )
    )
    expected = {
        "org_admin": {mine.pk},
        "other_org_admin": {theirs.pk},
    }.get(role, set())
    assert visible == expected
    assert set(
        inv_selectors.cohort_invitation_list(user, world.cohort).values_list(
            "pk", flat=True
        )
    ) == ({mine.pk} if role == "org_admin" else set())


# --- 5. API ---------------------------------------------------------------------

API_STATUS = COHORT_ADMIN_API


@pytest.mark.parametrize("role", ROLES)
def test_the_invitation_list_api_by_role(api_client, world, role):
    InvitationFactory(cohort=world.cohort)
    client_as(api_client, world.user(role))
    response = api_client.get(reverse("api-cohort-invitations", args=[world.cohort.pk]))
    assert response.status_code == API_STATUS[role]
    if role == "org_admin":
        assert [row["status"] for row in response.json()["results"]] == ["pending"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ["resend", "revoke", "expiry"])
def test_the_invitation_action_apis_by_role(api_client, world, role, action):
    invitation = InvitationFactory(cohort=world.cohort)
    client_as(api_client, world.user(role))
    later = (timezone.now() + dt.timedelta(days=9)).isoformat()
    response = api_client.post(
        reverse(f"api-invitation-{action}", args=[world.cohort.pk, invitation.pk]),
        {"expires_at": later},
        format="json",
    )
    assert response.status_code == API_STATUS[role]
    invitation.refresh_from_db()
    if role == "org_admin":
        # a resend is queued: sent again once the transaction commits
        expected = {"resend": "pending", "revoke": "revoked", "expiry": "pending"}
        assert response.json()["status"] == expected[action]
    else:
        assert invitation.revoked_at is None


def test_the_api_answers_field_errors_never_500(api_client, world):
    joined = InvitationFactory(cohort=world.cohort, accepted_at=timezone.now())
    pending = InvitationFactory(cohort=world.cohort)
    client_as(api_client, world.org_admin)
    expiry = reverse("api-invitation-expiry", args=[world.cohort.pk, pending.pk])
    assert "expires_at" in api_client.post(expiry, {}, format="json").json()
    past = api_client.post(
        expiry, {"expires_at": "2001-01-01T00:00:00Z"}, format="json"
    )
    assert past.status_code == 400
    assert "expires_at" in past.json()
    garbage = api_client.post(expiry, {"expires_at": "soon"}, format="json")
    assert garbage.status_code == 400
    resend = api_client.post(
        reverse("api-invitation-resend", args=[world.cohort.pk, joined.pk])
    )
    assert resend.status_code == 400
    missing = api_client.post(
        reverse("api-invitation-revoke", args=[world.cohort.pk, 999999])
    )
    assert missing.status_code == 404


def test_the_invitation_list_api_filters_and_costs_the_same(
    api_client, world, django_assert_max_num_queries
):
    client_as(api_client, world.org_admin)
    url = reverse("api-cohort-invitations", args=[world.cohort.pk])
    counts = []
    for size in (2, 20):
        for _ in range(size):
            _statuses(world)
        with django_assert_max_num_queries(12) as captured:
            response = api_client.get(url, {"status": "joined"})
        assert response.status_code == 200
        assert {row["status"] for row in response.json()["results"]} == {"joined"}
        assert response.json()["results"][0]["joined_by"]["display_name"] == (
            "Joined Person"
        )
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_an_invitation_sms_goes_even_when_the_sms_budget_is_spent(
    world, django_capture_on_commit_callbacks
):
    world.cohort.organisation.sms_monthly_budget = 0
    world.cohort.organisation.save()
    _user, invitation = _enrolled(world)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.invitation_send(invitation_id=invitation.pk)
    assert len(ConsoleSmsBackend.sent) == 1
