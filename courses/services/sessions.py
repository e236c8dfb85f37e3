"""Taking attendance at face-to-face sessions."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from courses import policies
from courses.models import Attendance, Module, Session
from courses.services.certificates import certificate_issue_if_complete
from cpd import policies as cpd_policies
from cpd.models import Cohort, Role, User, Verb
from cpd.record import record, record_forget

# The register opens this long before the start, for learners who come early.
ATTENDANCE_OPENS_BEFORE = dt.timedelta(hours=1)


def register_is_open(session: Session) -> bool:
    """Attendance can be taken from an hour before the start."""
    return session.starts_at - ATTENDANCE_OPENS_BEFORE <= timezone.now()


@transaction.atomic
def attendance_set(
    *, actor: User, session: Session, learner_id: int, present: bool
) -> bool:
    """Mark a learner present or absent (idempotent); returns present.

    Marking present may complete the linked course, which issues its
    certificate; marking absent later does not revoke one already issued.
    """
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
        # a correction of a mistaken tap: the record forgets the attendance too
        record_forget(
            actor=learner, verb=Verb.ATTENDED, client_key=f"session:{session.pk}"
        )
        return False
    if not register_is_open(session):
        raise ValidationError(
            {
                "learner": _(
                    "Attendance opens an hour before the session starts (%(when)s)."
                )
                % {
                    "when": date_format(
                        timezone.localtime(session.starts_at), "j M H:i"
                    )
                }
            }
        )
    attendance_mark_present(session=session, learner=learner, marked_by=actor)
    return True


def attendance_mark_present(
    *, session: Session, learner: User, marked_by: User
) -> bool:
    """Record the learner present (idempotent); True if this call added the row.

    The caller has checked who may mark and that the learner is on the
    register. A repeat changes nothing; the unique (session, user) constraint
    settles concurrent taps. Attending may complete the linked course.
    An archived cohort's register is closed.
    """
    cpd_policies.ensure_cohort_writable(session.cohort)
    with transaction.atomic():
        _attendance, created = Attendance.objects.get_or_create(
            session=session, user=learner, defaults={"marked_by": marked_by}
        )
        if created:
            record(
                actor=learner,
                verb=Verb.ATTENDED,
                object_type="session",
                object_id=session.pk,
                cohort=session.cohort_id,
                client_key=f"session:{session.pk}",
                timestamp=session.starts_at,
            )
        if session.module_id is not None:
            course = session.module.course  # type: ignore[union-attr]
            certificate_issue_if_complete(user=learner, course=course)
    return created


@transaction.atomic
def session_schedule(
    *,
    actor: User,
    cohort: Cohort,
    title: str,
    place: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    module_id: int | None = None,
    facilitator_id: int | None = None,
) -> Session:
    """A mentor or administrator of the cohort schedules a face-to-face session.

    The module must belong to a course the cohort takes; the facilitator must
    be one of the cohort's mentors or administrators.
    """
    if not policies.can_take_attendance(actor, cohort):
        raise PermissionDenied(_("Only the cohort's mentors and administrators can."))
    errors: dict[str, str] = {}
    title, place = title.strip(), place.strip()
    if not title:
        errors["title"] = _("Give the session a title.")
    if not place:
        errors["place"] = _("Say where the session takes place.")
    if ends_at <= starts_at:
        errors["ends_at"] = _("The session must end after it starts.")
    module = None
    if module_id is not None:
        module = Module.objects.filter(
            pk=module_id,
            course__assignments__cohort=cohort,
        ).first()
        if module is None:
            errors["module"] = _("Choose a module of a course this cohort takes.")
    facilitator = None
    if facilitator_id is not None:
        facilitator = User.objects.filter(pk=facilitator_id).first()
        if facilitator is None or not policies.can_take_attendance(facilitator, cohort):
            errors["facilitator"] = _(
                "The facilitator must be a mentor or administrator of this cohort."
            )
    if errors:
        raise ValidationError(errors)
    return Session.objects.create(
        cohort=cohort,
        module=module,
        title=title[:200],
        place=place[:200],
        starts_at=starts_at,
        ends_at=ends_at,
        facilitator=facilitator,
    )
