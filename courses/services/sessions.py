"""Taking attendance at face-to-face sessions."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from courses import policies
from courses.models import Attendance, Session
from cpd.models import Role, User


@transaction.atomic
def attendance_toggle(*, actor: User, session: Session, learner_id: int) -> bool:
    """One tap marks a learner present, a second tap undoes it; returns present."""
    if not policies.can_take_attendance(actor, session.cohort):
        raise PermissionDenied(_("Only the cohort's mentors and administrators can."))
    learner = User.objects.filter(
        pk=learner_id,
        memberships__cohort_id=session.cohort_id,
        memberships__role=Role.LEARNER,
    ).first()
    if learner is None:
        raise ValidationError(_("That person is not a learner in this cohort."))
    deleted, _rows = Attendance.objects.filter(session=session, user=learner).delete()
    if deleted:
        return False
    Attendance.objects.create(session=session, user=learner, marked_by=actor)
    return True
