"""The courses section of a person's data: export (read) and erasure (write).

Registered with ``cpd.privacy.registry`` in ``CoursesConfig.ready()``.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from courses.models import (
    Attempt,
    Attendance,
    Certificate,
    LessonProgress,
    Session,
    SurveyResponded,
)
from cpd.models import User
from cpd.privacy.registry import CertificateChoice, ErasureContext, ExportPart


def courses_export(user: User) -> ExportPart:
    """Progress, quiz attempts with answers, certificates, attendance, surveys."""
    progress = LessonProgress.objects.filter(user=user).select_related(
        "lesson__module__course"
    )
    attempts = (
        Attempt.objects.filter(user=user)
        .select_related("quiz__course")
        .prefetch_related("answers")
    )
    certificates = Certificate.objects.filter(user=user).select_related("course")
    attendance = Attendance.objects.filter(user=user).select_related("session")
    # Only *that* the person answered a survey is theirs to export: the answers
    # are stored without any link to them (courses.models.survey), so nobody,
    # the platform included, can tell which answers were theirs.
    surveys = SurveyResponded.objects.filter(user=user).select_related("survey__course")
    data: dict[str, Any] = {
        "progress": [
            {
                "course": p.lesson.module.course.title,
                "lesson": p.lesson.title,
                "first_opened_at": p.first_opened_at,
                "last_seen_at": p.last_seen_at,
                "seconds_spent": p.seconds_spent,
                "completed_at": p.completed_at,
            }
            for p in progress
        ],
        "attempts": [
            {
                "course": a.quiz.course.title,
                "quiz": a.quiz.title,
                "started_at": a.started_at,
                "submitted_at": a.submitted_at,
                "score_percent": a.score_percent,
                "answers": [
                    {
                        "question_id": answer.question_id,
                        "choice_ids": answer.choice_ids,
                        "numeric": answer.numeric,
                        "credit": answer.credit,
                    }
                    for answer in a.answers.all()
                ],
            }
            for a in attempts
        ],
        "certificates": [
            {
                "course": c.course.title,
                "code": c.code,
                "hours": c.hours,
                "issued_at": c.issued_at,
                "revoked_at": c.revoked_at,
            }
            for c in certificates
        ],
        "attendance": [
            {
                "session": a.session.title,
                "place": a.session.place,
                "starts_at": a.session.starts_at,
                "marked_at": a.marked_at,
            }
            for a in attendance
        ],
        "surveys_answered": [
            {"course": r.survey.course.title, "answered_on": r.responded_on}
            for r in surveys
        ],
    }
    return ExportPart(data=data)


def courses_erase(user: User, context: ErasureContext) -> dict[str, int]:
    """Delete progress, attempts, attendance and the record of answering surveys;
    certificates stay (or are revoked).

    A kept certificate still names its holder's account, whose name erasure
    empties, so the public check shows the course, hours and date only.
    """
    counts = {
        "progress": LessonProgress.objects.filter(user=user).delete()[0],
        "attempts": Attempt.objects.filter(user=user).delete()[0],
        "attendance": Attendance.objects.filter(user=user).delete()[0],
        # The anonymous answers stay: nothing links them to the person.
        "surveys_answered": SurveyResponded.objects.filter(user=user).delete()[0],
    }
    Attendance.objects.filter(marked_by=user).update(marked_by=None)
    Session.objects.filter(facilitator=user).update(facilitator=None)
    certificates = Certificate.objects.filter(user=user)
    if context.certificates == CertificateChoice.REVOKE:
        counts["certificates_revoked"] = certificates.filter(
            revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
    else:
        counts["certificates_kept"] = certificates.count()
    return counts
