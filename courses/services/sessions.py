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
    present = not Attendance.objects.filter(
        session=session, user_id=learner_id
    ).exists()
    return attendance_set(
        actor=actor, session=session, learner_id=learner_id, present=present
    )


@transaction.atomic
def attendance_set(
    *, actor: User, session: Session, learner_id: int, present: bool
) -> bool:
    """Mark a learner present or absent (idempotent); returns present.

    Marking present may complete the linked course, which issues its
    certificate; marking absent later does not revoke one already issued.
    """
    from courses.services.certificates import certificate_issue_if_complete

    if not policies.can_take_attendance(actor, session.cohort):
        raise PermissionDenied(_("Only the cohort's mentors and administrators can."))
    learner = User.objects.filter(
        pk=learner_id,
        memberships__cohort_id=session.cohort_id,
        memberships__role=Role.LEARNER,
    ).first()
    if learner is None:
        raise ValidationError(
            {"learner": _("That person is not a learner in this cohort.")}
        )
    if not present:
        Attendance.objects.filter(session=session, user=learner).delete()
        return False
    Attendance.objects.get_or_create(
        session=session, user=learner, defaults={"marked_by": actor}
    )
    if session.module_id is not None:
        course = session.module.course  # type: ignore[union-attr]
        certificate_issue_if_complete(user=learner, course=course)
    return True
