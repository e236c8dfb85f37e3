"""Guards found in review: who may make administrators, bounded retention,
archived registers, and hostile cells in an enrolment spreadsheet."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from cpd import services
from cpd.enrolment import reading
from cpd.enrolment import services as enrolment_services
from cpd.enrolment.models import Outcome, Verdict
from cpd.invitations import services as inv_services
from cpd.models import Invitation, JoinLink, Role
from tests.factories.cpd import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort_admin(world):
    """An administrator of cohort A by membership, not of its organisation."""
    user = UserFactory(display_name="Cohort delegate")
    services.membership_add(cohort=world.cohort, user=user, role=Role.ADMIN)
    return user


def test_a_cohort_level_admin_cannot_make_administrators(world, cohort_admin):
    expires = timezone.now() + dt.timedelta(days=1)
    with pytest.raises(PermissionDenied):
        inv_services.join_link_create(
            actor=cohort_admin,
            cohort=world.cohort,
            max_uses=100,
            expires_at=expires,
            role=Role.ADMIN,
        )
    with pytest.raises(PermissionDenied):
        services.invitation_create(
            actor=cohort_admin,
            cohort=world.cohort,
            role=Role.ADMIN,
            email="x@example.org",
        )
    assert not JoinLink.objects.exists()
    assert not Invitation.objects.filter(role=Role.ADMIN).exists()
    # learners and mentors they may still invite; organisation admins anyone
    inv_services.join_link_create(
        actor=cohort_admin, cohort=world.cohort, max_uses=5, expires_at=expires
    )
    services.invitation_create(
        actor=world.org_admin,
        cohort=world.cohort,
        role=Role.ADMIN,
        email="a@example.org",
    )


def test_room_retention_is_bounded_in_the_form_and_the_api(client, api_client, world):
    from cpd.administration.forms import CohortForm

    form = CohortForm(
        data={"name": "X", "starts_on": "2026-12-01", "room_retention_days": 3_000_000}
    )
    assert not form.is_valid()
    assert "room_retention_days" in form.errors
    api_client.force_login(world.org_admin)
    response = api_client.patch(
        f"/api/cohorts/{world.cohort.pk}/",
        {"room_retention_days": 3_000_000},
        format="json",
    )
    assert response.status_code == 400
    assert "room_retention_days" in response.json()


def test_nul_characters_in_a_spreadsheet_are_dropped():
    data = "name,phone\nAm\x00ina,+254712345678\n".encode("utf-16")
    sheet = reading.read(data, "x.csv")
    assert sheet.rows[0][1][0] == "Amina"


def test_an_overlong_email_or_mentor_is_a_row_error(world):
    long = "a" * 250 + "@example.org"
    enrolment = enrolment_services.enrolment_check(
        actor=world.org_admin,
        cohort=world.cohort,
        filename="x.csv",
        data=(
            f"name,phone,email,mentor\nA,+254712345678,{long},\n"
            f"B,+254712345679,,{long}\n"
        ).encode(),
    )
    verdicts = [r.verdict for r in enrolment.rows.order_by("number")]
    assert verdicts == [Verdict.ERROR, Verdict.ERROR]


def test_a_cohort_archived_after_confirming_gets_nobody_more(world):
    enrolment = enrolment_services.enrolment_check(
        actor=world.org_admin,
        cohort=world.cohort,
        filename="x.csv",
        data=b"name,phone\nA,+254712345678\n",
    )
    enrolment_services.enrolment_confirm(actor=world.org_admin, enrolment=enrolment)
    world.cohort.archived_at = timezone.now()
    world.cohort.save()
    while enrolment_services.enrolment_apply_chunk(enrolment_id=enrolment.pk):
        pass
    row = enrolment.rows.get()
    assert row.outcome == Outcome.SKIPPED
    assert "archived" in row.outcome_message
    assert not world.cohort.memberships.filter(user__phone="+254712345678").exists()


def test_an_archived_cohorts_register_is_closed(world):
    from courses.models import Session
    from courses.services.sessions import attendance_mark_present

    now = timezone.now()
    session = Session.objects.create(
        cohort=world.cohort,
        title="PPH skills drill",
        place="Ward 3",
        starts_at=now,
        ends_at=now + dt.timedelta(hours=2),
    )
    world.cohort.archived_at = timezone.now()
    world.cohort.save()
    session.cohort.refresh_from_db()
    with pytest.raises(PermissionDenied, match="archived"):
        attendance_mark_present(
            session=session, learner=world.learner, marked_by=world.mentor_of_cohort
        )
