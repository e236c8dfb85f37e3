"""End-of-course surveys: attaching and editing one, and answering it once.

Editing (course authors, ``policies.can_manage_survey``) follows one rule
once people have answered: **an item with answers keeps its meaning**. Its
wording and kind are locked and it cannot be deleted; it can be moved, and
*retired* (no longer asked, still in the report with the answers it has). New
items can be added at any time, and items nobody answered yet stay free to
edit or delete. A survey with answers cannot be detached (it would delete
them); it can be closed. Every change a respondent would see raises the
survey's ``revision``, and an answer sent from a page of an older revision is
refused with a request to read the survey again, so no score lands on a
statement that was reworded while the learner was reading it. The survey row
is locked (``select_for_update``) by every edit and by every answer, so "has
answers" is checked against committed answers only.

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
from django.db.models import F
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
from courses.models.survey import MAX_SURVEY_ITEMS, SURVEY_TEXT_MAX
from courses.selectors.survey import (
    survey_has_responses,
    survey_item_answered,
    survey_reached_end,
)
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


def survey_attach_default(*, actor: User, course: Course) -> Survey:
    """Give the course the default survey, unless it has one (then returned as is).

    Course content is shared between organisations, so its authors attach it
    (and edit it on the survey editor page).
    """
    return survey_attach(actor=actor, course=course)[0]


@transaction.atomic
def survey_attach(
    *,
    actor: User,
    course: Course,
    items: list[tuple[str, str]] | None = None,
    is_open: bool = True,
) -> tuple[Survey, bool]:
    """Attach a survey with ``items`` ((kind, text) pairs; None: the default
    items); returns it and whether this call created it. A course that has a
    survey keeps it unchanged (False)."""
    _ensure_manager(actor, course)
    existing = Survey.objects.filter(course=course).first()
    if existing is not None:
        return existing, False
    if items is None:
        items = [(str(kind), str(text)) for kind, text in DEFAULT_ITEMS]
    cleaned = _clean_items(items)
    survey, created = Survey.objects.get_or_create(
        course=course, defaults={"is_open": is_open}
    )
    if created:
        SurveyItem.objects.bulk_create(
            SurveyItem(survey=survey, kind=kind, text=text, order=i)
            for i, (kind, text) in enumerate(cleaned)
        )
    return survey, created


def survey_create_from_document(
    *, course: Course, is_open: bool, items: list[tuple[str, str]]
) -> Survey:
    """The survey of a course being imported from Markdown (the importer has
    checked the author and removed the course's earlier survey)."""
    cleaned = _clean_items(items)
    survey = Survey.objects.create(course=course, is_open=is_open)
    SurveyItem.objects.bulk_create(
        SurveyItem(survey=survey, kind=kind, text=text, order=i)
        for i, (kind, text) in enumerate(cleaned)
    )
    return survey


# --- Editing -----------------------------------------------------------------------


def _ensure_manager(actor: User, course: Course) -> None:
    if not policies.can_manage_survey(actor, course):
        raise PermissionDenied(_("Only course authors manage a course's survey."))


def _lock(actor: User, survey: Survey) -> Survey:
    """The survey row, locked until the transaction ends, after the policy."""
    _ensure_manager(actor, survey.course)
    locked = Survey.objects.select_for_update().get(pk=survey.pk)
    locked.course = survey.course
    return locked


def clean_item_text(text: Any) -> str:
    """One line of at most ``SURVEY_TEXT_MAX`` characters (ValidationError)."""
    cleaned = " ".join(str(text or "").replace("\x00", "").split())
    if not cleaned:
        raise ValidationError({"text": _("Write the statement or question.")})
    if len(cleaned) > SURVEY_TEXT_MAX:
        raise ValidationError(
            {"text": _("Keep it under %(n)d characters.") % {"n": SURVEY_TEXT_MAX}}
        )
    return cleaned


def _clean_kind(kind: Any) -> str:
    if kind not in SurveyItemKind.values:
        raise ValidationError({"kind": _("Choose agree-or-disagree or free text.")})
    return str(kind)


def _check_shape(active: list[tuple[str, str]]) -> None:
    """What the items asked together must be: a short survey of statements
    to rate, with at most one free-text question."""
    kinds = [kind for kind, _text in active]
    if SurveyItemKind.LIKERT not in kinds:
        raise ValidationError(
            {"items": _("Keep at least one statement to agree or disagree with.")}
        )
    if kinds.count(SurveyItemKind.TEXT) > 1:
        raise ValidationError(
            {"kind": _("A survey asks one free-text question at most.")}
        )
    if len(kinds) > MAX_SURVEY_ITEMS:
        raise ValidationError(
            {"items": _("A survey asks %(n)d items at most.") % {"n": MAX_SURVEY_ITEMS}}
        )


def _clean_items(items: list[tuple[str, str]]) -> list[tuple[str, str]]:
    cleaned = [(_clean_kind(kind), clean_item_text(text)) for kind, text in items]
    _check_shape(cleaned)
    return cleaned


def _active(survey: Survey, *, without: int | None = None) -> list[tuple[str, str]]:
    return [
        (item.kind, item.text)
        for item in survey.items.filter(retired=False).exclude(pk=without or 0)
    ]


def _bump(survey: Survey) -> None:
    survey.revision += 1
    survey.save(update_fields=["revision"])


def survey_revision_raise(*, survey: Survey) -> None:
    """Raise the revision after a change made outside these services (the
    Django admin's item inline), so answers sent from older pages are refused."""
    Survey.objects.filter(pk=survey.pk).update(revision=F("revision") + 1)


def _renumber(survey: Survey, ordered: list[SurveyItem]) -> None:
    for i, item in enumerate(ordered):
        item.order = i
    SurveyItem.objects.bulk_update(ordered, ["order"])


@transaction.atomic
def survey_item_add(
    *, actor: User, survey: Survey, kind: str, text: str, position: int | None = None
) -> SurveyItem:
    """Add an item (at ``position`` from 0, else last). Allowed at any time:
    answers given before it simply have no answer to it."""
    survey = _lock(actor, survey)
    kind, text = _clean_kind(kind), clean_item_text(text)
    _check_shape([*_active(survey), (kind, text)])
    if survey.items.count() >= 2 * MAX_SURVEY_ITEMS:
        raise ValidationError(
            {"items": _("This survey has too many items: delete some first.")}
        )
    ordered = list(survey.items.all())
    item = SurveyItem.objects.create(survey=survey, kind=kind, text=text)
    at = len(ordered) if position is None else max(0, min(position, len(ordered)))
    ordered.insert(at, item)
    _renumber(survey, ordered)
    _bump(survey)
    return item


@transaction.atomic
def survey_item_edit(
    *, actor: User, item: SurveyItem, text: str | None = None, kind: str | None = None
) -> SurveyItem:
    """Reword an item or change its kind, unless someone answered it."""
    survey = _lock(actor, item.survey)
    item = SurveyItem.objects.get(pk=item.pk, survey=survey)
    new_text = item.text if text is None else clean_item_text(text)
    new_kind = item.kind if kind is None else _clean_kind(kind)
    if (new_text, new_kind) == (item.text, item.kind):
        return item
    if survey_item_answered(item):
        raise ValidationError(
            {
                "text": _(
                    "People have answered this item, so its meaning is kept: "
                    "retire it and add a new one instead."
                )
            }
        )
    if not item.retired:
        _check_shape([*_active(survey, without=item.pk), (new_kind, new_text)])
    item.text, item.kind = new_text, new_kind
    item.save(update_fields=["text", "kind"])
    _bump(survey)
    return item


@transaction.atomic
def survey_item_move(*, actor: User, item: SurveyItem, position: int) -> SurveyItem:
    """Put the item at ``position`` (from 0) among the survey's items."""
    survey = _lock(actor, item.survey)
    ordered = [i for i in survey.items.all() if i.pk != item.pk]
    if len(ordered) == survey.items.count():
        raise ValidationError({"item": _("This item is not part of this survey.")})
    at = max(0, min(position, len(ordered)))
    moved = SurveyItem.objects.get(pk=item.pk)
    ordered.insert(at, moved)
    _renumber(survey, ordered)
    moved.order = at
    return moved


@transaction.atomic
def survey_item_retire(
    *, actor: User, item: SurveyItem, retired: bool = True
) -> SurveyItem:
    """Stop asking an item (its answers stay in the report), or ask it again."""
    survey = _lock(actor, item.survey)
    item = SurveyItem.objects.get(pk=item.pk, survey=survey)
    if item.retired == retired:
        return item
    others = _active(survey, without=item.pk)
    _check_shape(others if retired else [*others, (item.kind, item.text)])
    item.retired = retired
    item.save(update_fields=["retired"])
    _bump(survey)
    return item


@transaction.atomic
def survey_item_delete(*, actor: User, item: SurveyItem) -> None:
    """Delete an item nobody answered (one with answers is retired instead)."""
    survey = _lock(actor, item.survey)
    item = SurveyItem.objects.get(pk=item.pk, survey=survey)
    if survey_item_answered(item):
        raise ValidationError(
            {
                "item": _(
                    "People have answered this item: retire it instead, so "
                    "their answers stay in the report."
                )
            }
        )
    if not item.retired:
        _check_shape(_active(survey, without=item.pk))
    item.delete()
    _renumber(survey, list(survey.items.all()))
    _bump(survey)


@transaction.atomic
def survey_item_update(
    *,
    actor: User,
    item: SurveyItem,
    text: str | None = None,
    kind: str | None = None,
    retired: bool | None = None,
    position: int | None = None,
) -> SurveyItem:
    """Several changes to one item, all or nothing (the API's PATCH)."""
    if text is not None or kind is not None:
        item = survey_item_edit(actor=actor, item=item, text=text, kind=kind)
    if retired is not None:
        item = survey_item_retire(actor=actor, item=item, retired=retired)
    if position is not None:
        item = survey_item_move(actor=actor, item=item, position=position)
    return item


@transaction.atomic
def survey_set_open(*, actor: User, survey: Survey, is_open: bool) -> Survey:
    """Close the survey to new answers (results stay), or open it again."""
    survey = _lock(actor, survey)
    if survey.is_open != is_open:
        survey.is_open = is_open
        survey.save(update_fields=["is_open"])
    return survey


@transaction.atomic
def survey_detach(*, actor: User, survey: Survey) -> None:
    """Remove the course's survey, if nobody answered it (else close it)."""
    survey = _lock(actor, survey)
    if survey_has_responses(survey):
        raise ValidationError(
            {
                "survey": _(
                    "People have answered this survey: close it instead, so "
                    "their answers stay in the course report."
                )
            }
        )
    survey.delete()


def _parse(
    survey: Survey, answers: dict[int, Any], items: list[SurveyItem] | None = None
) -> list[tuple[SurveyItem, Any]]:
    """Each item with its validated value; errors are keyed ``i<item id>``.

    ``items``: the items asked (default: the survey's, as prefetched)."""
    if items is None:
        # Retired items are no longer asked (whatever the survey's prefetch holds).
        items = [item for item in survey.items.all() if not item.retired]
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
    *,
    actor: User,
    survey: Survey,
    answers: dict[int, Any],
    revision: int | None = None,
) -> tuple[SurveyResponded, bool]:
    """Record the learner's answers once; returns their "responded" row and
    whether this call recorded it (False: answered before, nothing changed).

    ``answers`` maps item id to a score 1–5 (Likert items, each required) or a
    text (the free-text item, optional). ``revision`` is the survey's revision
    the answering page showed: if the survey changed since, nothing is
    recorded (ValidationError on ``revision``). Only learners of a cohort taking the
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
    current, still_open = (
        Survey.objects.select_for_update()
        .filter(pk=survey.pk)
        .values_list("revision", "is_open")
        .get()
    )
    if not still_open:
        raise ValidationError(_("This survey is closed."))
    if revision is not None and current != revision:
        raise ValidationError(
            {
                "revision": _(
                    "The survey was changed while you were answering: please "
                    "read it again and send your answers."
                )
            }
        )
    if current != survey.revision:
        # An author's change committed after this request read the items (and
        # checked the answers against them): check them again against the
        # items asked now, so nothing lands on a deleted or retired item.
        values = _parse(
            survey,
            answers,
            list(SurveyItem.objects.filter(survey=survey, retired=False)),
        )
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
