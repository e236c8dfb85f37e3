"""Privacy permissions by role: one's own data only; admins of one's organisation
confirm erasure."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cpd.models import Organisation
from cpd.privacy import policies
from cpd.privacy.models import DataExport, ErasureRequest, ExportStatus

ROLES = [
    "learner",
    "mentor_of_cohort",
    "other_mentor",
    "org_admin",
    "other_org_admin",
    "outsider",
    "anonymous",
]


def _ready_export(user, **kwargs):
    now = timezone.now()
    return DataExport.objects.create(
        user=user,
        status=ExportStatus.READY,
        file="privacy/exports/x.zip",
        ready_at=now,
        expires_at=kwargs.get("expires_at", now + dt.timedelta(days=7)),
    )


def _erasure_of(user):
    return ErasureRequest.objects.create(
        user=user, due_at=timezone.now() + dt.timedelta(days=14)
    )


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("learner", True),
        ("mentor_of_cohort", True),
        ("other_mentor", True),
        ("org_admin", True),
        ("other_org_admin", True),
        ("outsider", True),
        ("anonymous", False),
    ],
)
def test_every_signed_in_person_may_export_and_ask_for_erasure(world, role, allowed):
    user = world.user(role)
    assert policies.can_request_export(user) is allowed
    assert policies.can_request_erasure(user) is allowed


@pytest.mark.parametrize("role", ROLES)
def test_only_the_learner_downloads_the_learners_export(world, role):
    # given
    export = _ready_export(world.learner)
    user = world.user(role)
    # when
    allowed = policies.can_download_export(user, export)
    listed = DataExport.objects.filter(policies.exports_visible_to(user)).exists()
    # then
    assert allowed is (role == "learner")
    assert listed is (role == "learner")


def test_an_expired_export_cannot_be_downloaded_even_by_its_owner(world):
    export = _ready_export(
        world.learner, expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert not policies.can_download_export(world.learner, export)


def test_a_deactivated_person_cannot_download(world):
    export = _ready_export(world.learner)
    world.learner.is_active = False
    assert not policies.can_download_export(world.learner, export)


@pytest.mark.parametrize(
    ("role", "confirms", "sees"),
    [
        ("learner", False, True),  # their own request: seen, not self-confirmed
        ("mentor_of_cohort", False, False),
        ("other_mentor", False, False),
        ("org_admin", True, True),
        ("other_org_admin", False, False),
        ("outsider", False, False),
        ("anonymous", False, False),
    ],
)
def test_an_admin_of_the_learners_organisation_confirms_their_erasure(
    world, role, confirms, sees
):
    # given
    request = _erasure_of(world.learner)
    user = world.user(role)
    # when
    allowed = policies.can_confirm_erasure(user, request)
    visible = ErasureRequest.objects.filter(
        policies.erasure_requests_visible_to(user), pk=request.pk
    ).exists()
    # then
    assert allowed is confirms
    assert visible is sees


def test_a_superuser_confirms_anyones_erasure(world):
    world.outsider.is_superuser = True
    world.outsider.save()
    assert policies.can_confirm_erasure(world.outsider, _erasure_of(world.learner))


def test_an_admins_own_request_is_confirmed_by_another_admin_not_themselves(world):
    # given: a second admin of the same organisation
    org = world.cohort.organisation
    colleague = world.other_learner
    org.admins.add(colleague)
    request = _erasure_of(world.org_admin)
    # then
    assert not policies.can_confirm_erasure(world.org_admin, request)
    assert policies.can_confirm_erasure(colleague, request)


def test_a_request_that_is_no_longer_pending_cannot_be_confirmed(world):
    request = _erasure_of(world.learner)
    request.status = "cancelled"
    request.save()
    assert not policies.can_confirm_erasure(world.org_admin, request)


@pytest.mark.parametrize("role", ROLES)
def test_only_the_person_cancels_their_request(world, role):
    request = _erasure_of(world.learner)
    assert policies.can_cancel_erasure(world.user(role), request) is (role == "learner")


@pytest.mark.parametrize("role", ROLES)
def test_only_the_organisations_admins_set_its_privacy_choices(world, role):
    org: Organisation = world.cohort.organisation
    assert policies.can_manage_organisation_privacy(world.user(role), org) is (
        role == "org_admin"
    )
