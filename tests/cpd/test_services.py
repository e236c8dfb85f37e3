"""Cohort, membership and invitation services."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cpd import services, tasks
from cpd.models import Membership, Role
from tests.factories.cpd import InvitationFactory, OrganisationFactory, UserFactory


def test_membership_add_is_idempotent_and_keeps_first_role(world):
    again = services.membership_add(
        cohort=world.cohort, user=world.learner, role=Role.MENTOR
    )
    assert again.role == Role.LEARNER
    assert Membership.objects.filter(user=world.learner).count() == 1


def test_membership_add_refuses_unknown_role(world):
    with pytest.raises(ValidationError, match="Unknown role"):
        services.membership_add(cohort=world.cohort, user=world.outsider, role="boss")


def test_cohort_create_refuses_non_admin(db):
    org = OrganisationFactory()
    with pytest.raises(PermissionDenied):
        services.cohort_create(
            actor=UserFactory(),
            organisation=org,
            name="X",
            starts_on=dt.date(2026, 1, 5),
        )


def test_cohort_create_rejects_end_before_start(db):
    admin = UserFactory()
    org = OrganisationFactory()
    org.admins.add(admin)
    with pytest.raises(ValidationError):
        services.cohort_create(
            actor=admin,
            organisation=org,
            name="Backwards",
            starts_on=dt.date(2026, 5, 1),
            ends_on=dt.date(2026, 4, 1),
        )


def test_invitation_accept_is_single_use(world):
    invitation = InvitationFactory(
        cohort=world.cohort, role=Role.MENTOR, email=world.outsider.email
    )
    services.invitation_accept(invitation=invitation, user=world.outsider)
    assert Membership.objects.get(user=world.outsider).role == Role.MENTOR
    with pytest.raises(ValidationError, match="expired or was already used"):
        services.invitation_accept(
            invitation=invitation, user=world.other_learner, signed_up_from_link=True
        )


def test_an_invitation_belongs_to_its_address(world):
    invitation = InvitationFactory(cohort=world.cohort, email="someone@example.org")
    with pytest.raises(PermissionDenied, match="sent to someone else"):
        services.invitation_accept(invitation=invitation, user=world.outsider)
    assert not Membership.objects.filter(user=world.outsider).exists()
    world.outsider.phone = "+254700999888"
    world.outsider.save()
    by_phone = InvitationFactory(cohort=world.cohort, email="", phone="+254700999888")
    services.invitation_accept(invitation=by_phone, user=world.outsider)
    assert Membership.objects.filter(user=world.outsider, cohort=world.cohort).exists()


def test_expired_invitation_cannot_be_accepted(world):
    invitation = InvitationFactory(
        cohort=world.cohort,
        email=world.outsider.email,
        expires_at=timezone.now() - dt.timedelta(minutes=1),
    )
    with pytest.raises(ValidationError):
        services.invitation_accept(invitation=invitation, user=world.outsider)


def test_invitation_create_by_learner_is_refused(world):
    with pytest.raises(PermissionDenied):
        services.invitation_create(
            actor=world.learner, cohort=world.cohort, role="learner", email="a@b.org"
        )


def test_invitation_create_emails_the_link_once(
    world, django_capture_on_commit_callbacks
):
    # given an invitation created by the cohort's administrator
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(
            actor=world.org_admin,
            cohort=world.cohort,
            role="learner",
            email="New.Nurse@Example.org",
        )
    # then one email went out, with the link, to the normalised address
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.nurse@example.org"]
    assert invitation.token in mail.outbox[0].body
    # when the task runs again (a retry), nothing more is sent
    assert tasks.invitation_send(invitation.pk) is False
    assert len(mail.outbox) == 1


def test_user_update_profile_rejects_too_long_display_name(world):
    with pytest.raises(ValidationError) as exc:
        services.user_update_profile(user=world.learner, display_name="x" * 81)
    assert "display_name" in exc.value.message_dict


def test_gender_is_dropped_without_consent(world):
    services.user_update_profile(user=world.learner, gender="female")
    world.learner.refresh_from_db()
    assert world.learner.gender == ""
