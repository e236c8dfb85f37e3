"""Quiz attempts: drawing questions, server-side time limits, scoring.

Scoring, per question, as a fraction of 1:
- single choice and true/false: 1 if the one chosen option is right, else 0;
- multiple choice (partial credit): (right options chosen − wrong options
  chosen) / number of right options, never below 0 — so ticking every box
  earns nothing, and missing one of two right answers earns half;
- number: 1 if within ± tolerance of the answer, else 0.
The attempt's score is the mean over the questions drawn, in percent.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses import policies
from courses.models import Answer, Attempt, Question, QuestionKind, Quiz
from courses.services.certificates import certificate_issue_if_complete
from cpd.models import User, Verb
from cpd.policies import ensure_cohort_writable
from cpd.record import record

GRACE = dt.timedelta(seconds=30)  # slow networks: a late packet is not a late answer
MAX_NUMBER = Decimal("1e9")


def attempt_deadline(attempt: Attempt) -> dt.datetime | None:
    minutes = attempt.quiz.time_limit_minutes
    return attempt.started_at + dt.timedelta(minutes=minutes) if minutes else None


def _ensure_course_open(user: User, quiz: Quiz) -> None:
    """Refuse a quiz whose every cohort of the user's that takes it is archived."""
    archived = policies.archived_cohort_taking(user, quiz.course)
    if archived is not None:
        ensure_cohort_writable(archived)


@transaction.atomic
def attempt_start(*, user: User, quiz: Quiz) -> Attempt:
    """Resume the open attempt, or start one within the attempt limit."""
    if not policies.can_view_course(user, quiz.course):
        raise PermissionDenied(_("This quiz is not in your courses."))
    _ensure_course_open(user, quiz)
    attempts = list(Attempt.objects.select_for_update().filter(user=user, quiz=quiz))
    open_attempt = next((a for a in attempts if a.submitted_at is None), None)
    if open_attempt is not None:
        return open_attempt
    if quiz.max_attempts and len(attempts) >= quiz.max_attempts:
        raise ValidationError(
            _("You have used all %(n)d attempts at this quiz.")
            % {"n": quiz.max_attempts}
        )
    ids = list(quiz.questions.values_list("pk", flat=True))
    if not ids:
        raise ValidationError(_("This quiz has no questions yet."))
    rng = random.Random()  # noqa: S311 - question order, not security
    rng.shuffle(ids)
    if quiz.draw:
        ids = ids[: quiz.draw]
    return Attempt.objects.create(
        quiz=quiz, user=user, question_ids=ids, started_at=timezone.now()
    )


def _credit(question: Question, chosen: list[int], number: Decimal | None) -> Decimal:
    if question.kind == QuestionKind.NUMERIC:
        if number is None or question.numeric_answer is None:
            return Decimal(0)
        return (
            Decimal(1)
            if abs(number - question.numeric_answer) <= question.tolerance
            else Decimal(0)
        )
    right = {c.pk for c in question.choices.all() if c.is_correct}
    picked = set(chosen)
    if question.kind == QuestionKind.MULTIPLE:
        if not right:
            return Decimal(0)
        raw = Decimal(len(picked & right) - len(picked - right)) / Decimal(len(right))
        return max(Decimal(0), raw).quantize(Decimal("0.001"))
    return Decimal(1) if len(picked) == 1 and picked <= right else Decimal(0)


def _parse(question: Question, raw: Any) -> tuple[list[int], Decimal | None]:
    """Validate one raw answer against its question; raise with the field named."""
    field = f"q{question.pk}"
    if question.kind == QuestionKind.NUMERIC:
        if raw in (None, ""):
            return [], None
        try:
            number = Decimal(str(raw[0] if isinstance(raw, list) else raw).strip())
        except (InvalidOperation, ValueError):
            raise ValidationError({field: _("Enter a number.")}) from None
        if not number.is_finite() or abs(number) >= MAX_NUMBER:
            raise ValidationError({field: _("That number is out of range.")})
        return [], number
    values = raw if isinstance(raw, list) else ([raw] if raw not in (None, "") else [])
    try:
        chosen = [int(v) for v in values]
    except (TypeError, ValueError):
        raise ValidationError({field: _("Choose from the options.")}) from None
    valid = {c.pk for c in question.choices.all()}
    if not set(chosen) <= valid:
        raise ValidationError({field: _("That option is not part of this question.")})
    if question.kind != QuestionKind.MULTIPLE and len(chosen) > 1:
        raise ValidationError({field: _("Choose one option.")})
    return chosen, None


@transaction.atomic
def attempt_submit(*, user: User, attempt: Attempt, answers: dict[int, Any]) -> Attempt:
    """Score an attempt once; a second submit returns the recorded result.

    ``answers`` maps question id to a list of choice ids or a number. Unknown
    question ids (or questions of another quiz) are refused; questions left
    unanswered score 0. Past the time limit (plus a short grace) nothing is
    scored: the attempt is closed as expired with 0.
    """
    attempt = (
        Attempt.objects.select_for_update().select_related("quiz").get(pk=attempt.pk)
    )
    if attempt.user_id != user.pk:
        raise PermissionDenied
    if attempt.submitted_at is not None:
        return attempt
    _ensure_course_open(user, attempt.quiz)
    unknown = set(answers) - set(attempt.question_ids)
    if unknown:
        raise ValidationError(
            {"answers": _("These questions are not part of this attempt: %(ids)s")
             % {"ids": ", ".join(str(i) for i in sorted(unknown))}}
        )  # fmt: skip
    now = timezone.now()
    deadline = attempt_deadline(attempt)
    if deadline is not None and now > deadline + GRACE:
        attempt.submitted_at = now
        attempt.expired = True
        attempt.score_percent = Decimal(0)
        attempt.save(update_fields=["submitted_at", "expired", "score_percent"])
        return attempt
    questions = {
        q.pk: q
        for q in Question.objects.filter(pk__in=attempt.question_ids).prefetch_related(
            "choices"
        )
    }
    rows, total = [], Decimal(0)
    for qid in attempt.question_ids:
        question = questions[qid]
        chosen, number = _parse(question, answers.get(qid))
        credit = _credit(question, chosen, number)
        total += credit
        rows.append(
            Answer(
                attempt=attempt,
                question=question,
                choice_ids=chosen,
                numeric=number,
                credit=credit,
            )
        )
    Answer.objects.bulk_create(rows)
    attempt.submitted_at = now
    attempt.score_percent = (total * 100 / len(attempt.question_ids)).quantize(
        Decimal("0.1")
    )
    attempt.save(update_fields=["submitted_at", "score_percent"])
    record(
        actor=user,
        verb=Verb.ANSWERED,
        object_type=f"quiz-{attempt.quiz.kind}",
        object_id=attempt.quiz_id,
        course_id=attempt.quiz.course_id,
        score=attempt.score_percent,
        success=attempt.passed,
        client_key=f"attempt:{attempt.pk}",
    )
    if attempt.quiz.kind == "post" and attempt.passed:
        certificate_issue_if_complete(user=user, course=attempt.quiz.course)
    return attempt
