"""A revoked invitation cannot be used; a join link stops at its limit."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cpd import services
from cpd.models import JoinLink
from tests.factories.cpd import CohortFactory, InvitationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_revoked_invitation_is_refused_when_accepted():
    invitation = InvitationFactory(email="amina@example.org")
    user = UserFactory(email="amina@example.org")
    assert invitation.is_usable
    invitation.revoked_at = timezone.now()
    invitation.save()
    assert not invitation.is_usable
    with pytest.raises(ValidationError):
        services.invitation_accept(invitation=invitation, user=user)
    assert not user.memberships.exists()


def test_a_join_link_is_usable_until_full_expired_or_revoked():
    cohort = CohortFactory()
    link = JoinLink.objects.create(
        cohort=cohort, max_uses=2, expires_at=timezone.now() + dt.timedelta(days=1)
    )
    assert link.is_usable
    assert len(link.code) == 8
    assert not set(link.code) & set("0O1IL")
    link.uses = 2
    assert not link.is_usable
    link.uses = 0
    link.expires_at = timezone.now() - dt.timedelta(seconds=1)
    assert not link.is_usable
    link.expires_at = timezone.now() + dt.timedelta(days=1)
    link.revoked_at = timezone.now()
    assert not link.is_usable


def test_the_database_refuses_more_uses_than_the_limit():
    link = JoinLink.objects.create(
        cohort=CohortFactory(),
        max_uses=1,
        uses=1,
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    link.uses = 2
    with pytest.raises(IntegrityError), transaction.atomic():
        link.save()
