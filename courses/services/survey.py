"""End-of-course surveys: attaching one to a course, and answering it once.

An answer is recorded as two unlinked rows in one transaction: the person's
``SurveyResponded`` (its unique constraint makes a retry, a double tap or two
phones at once record one answer) and an anonymous ``SurveyResponse`` with its
``SurveyAnswer`` rows. Because nothing links the two, an answer cannot be
changed afterwards: it is final, and the page says so before sending.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from courses import policies
from courses.models import (
    Course,
    Survey,
    SurveyAnswer,
    SurveyItem,
    SurveyItemKind,
    SurveyResponded,
    SurveyResponse,
)
from courses.selectors.survey import survey_reached_end
from cpd.models import Membership, Role, User
from cpd.policies import ensure_cohort_writable
from cpd.reports import SMALL_CELL

MAX_COMMENT = 1000

# Acceptability and satisfaction, as the review's programmes asked them.
DEFAULT_ITEMS: list[tuple[str, Any]] = [
    (SurveyItemKind.LIKERT, gettext_lazy("The course was relevant to my work.")),
    (SurveyItemKind.LIKERT, gettext_lazy("The lessons were clear and easy to follow.")),
    (SurveyItemKind.LIKERT, gettext_lazy("I could fit the course between my shifts.")),
    (
        SurveyItemKind.LIKERT,
        gettext_lazy("The course worked well on my phone and network."),
    ),
    (
        SurveyItemKind.LIKERT,
        gettext_lazy("Talking with peers and mentors helped me learn."),
    ),
    (
        SurveyItemKind.LIKERT,
        gettext_lazy("I would recommend this course to a colleague."),
    ),
    (
        SurveyItemKind.TEXT,
        gettext_lazy("What would you change about this course? (optional)"),
    ),
]


@transaction.atomic
def survey_attach_default(*, actor: User, course: Course) -> Survey:
    """Give the course the default survey, unless it has one (then returned as is).

    Course content is shared between organisations, so its authors attach it
    (staff; edited afterwards in Django admin).
    """
    if not policies.can_author_courses(actor):
        raise PermissionDenied(_("Only course authors attach a survey."))
    survey, created = Survey.objects.get_or_create(course=course)
    if created:
        SurveyItem.objects.bulk_create(
            SurveyItem(survey=survey, kind=kind, text=str(text), order=i)
            for i, (kind, text) in enumerate(DEFAULT_ITEMS)
        )
    return survey


def _parse(survey: Survey, answers: dict[int, Any]) -> list[tuple[SurveyItem, Any]]:
    """Each item with its validated value; errors are keyed ``i<item id>``."""
    items = list(survey.items.all())
    known = {item.pk for item in items}
    unknown = set(answers) - known
    if unknown:
        raise ValidationError(
            {"answers": _("These items are not part of this survey: %(ids)s")
             % {"ids": ", ".join(str(i) for i in sorted(unknown))}}
        )  # fmt: skip
    errors: dict[str, str] = {}
    values: list[tuple[SurveyItem, Any]] = []
    for item in items:
        raw = answers.get(item.pk)
        if isinstance(raw, list):
            raw = raw[0] if raw else None
        field = f"i{item.pk}"
        if item.kind == SurveyItemKind.TEXT:
            # PostgreSQL cannot store NUL in text (the web form lets it through)
            text = str(raw or "").replace("\x00", "").strip()
            if len(text) > MAX_COMMENT:
                errors[field] = _("Keep it under %(n)d characters.") % {
                    "n": MAX_COMMENT
                }
            values.append((item, text))
            continue
        value = str(raw if raw is not None else "").strip()
        if value not in {"1", "2", "3", "4", "5"}:
            errors[field] = _("Choose from 1 (disagree) to 5 (agree).")
            continue
        values.append((item, int(value)))
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def survey_respond(
    *, actor: User, survey: Survey, answers: dict[int, Any]
) -> tuple[SurveyResponded, bool]:
    """Record the learner's answers once; returns their "responded" row and
    whether this call recorded it (False: answered before, nothing changed).

    ``answers`` maps item id to a score 1–5 (Likert items, each required) or a
    text (the free-text item, optional). Only learners of a cohort taking the
    course answer, and only once they finished it.
    """
    course = survey.course
    if not policies.can_answer_survey(actor, course):
        raise PermissionDenied(_("Only the course's learners answer its survey."))
    before = SurveyResponded.objects.filter(survey=survey, user=actor).first()
    if before is not None:
        return before, False
    if not survey.is_open:
        raise ValidationError(_("This survey is closed."))
    # Like quiz attempts: refused only when every cohort of theirs taking the
    # course is archived (read-only).
    archived = policies.archived_cohort_taking(actor, course)
    if archived is not None:
        ensure_cohort_writable(archived)
    if not survey_reached_end(actor, course):
        raise PermissionDenied(_("The survey opens when you finish the course."))
    values = _parse(survey, answers)
    try:
        with transaction.atomic():
            responded = SurveyResponded.objects.create(
                survey=survey, user=actor, responded_on=timezone.localdate()
            )
    except IntegrityError:
        # A concurrent request (a double tap) recorded it first.
        return SurveyResponded.objects.get(survey=survey, user=actor), False
    cohort_id = (
        Membership.objects.filter(
            user=actor,
            role=Role.LEARNER,
            cohort__course_assignments__course=course,
        )
        .order_by("cohort_id")
        .values_list("cohort_id", flat=True)
        .first()
    )
    # One response at a time per survey (the lock), so each batch of five of
    # a cohort fills before the next starts.
    Survey.objects.select_for_update().filter(pk=survey.pk).first()
    earlier = SurveyResponse.objects.filter(
        survey=survey, cohort_id__in=[cohort_id] if cohort_id else []
    ).count()
    response = SurveyResponse.objects.create(
        survey=survey, cohort_id=cohort_id, batch=earlier // SMALL_CELL
    )
    SurveyAnswer.objects.bulk_create(
        SurveyAnswer(
            response=response,
            item=item,
            score=value if item.kind == SurveyItemKind.LIKERT else None,
            comment=value if item.kind == SurveyItemKind.TEXT else "",
        )
        for item, value in values
    )
    return responded, True
