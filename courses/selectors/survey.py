"""Survey reads: a course's survey, whether a learner may answer, the results.

Results are aggregates only. An item with fewer than ``SMALL_CELL`` scores
shows no mean and no distribution; comments need as many responses, and go to
the administrators of the respondents' cohorts only, ordered by their text (so
their order says nothing about who wrote them or when).

Results move in whole batches of ``SMALL_CELL`` responses per cohort: each
response is numbered into its cohort's batches of five as it comes
(``SurveyResponse.batch``), and only full batches count; the others wait for
theirs to fill. Two visits either side of one answer show the same figures,
and two visits, or two views (one cohort, the whole scope), differ by whole
batches: never by fewer than five people's answers. Comments likewise.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext as _

from courses import policies
from courses.models import (
    Certificate,
    Course,
    Lesson,
    LessonProgress,
    Survey,
    SurveyAnswer,
    SurveyItem,
    SurveyItemKind,
    SurveyResponded,
    SurveyResponse,
)
from courses.selectors.catalogue import course_list_for_user
from cpd.policies import AnyUser
from cpd.reports import SMALL_CELL

SCORES = (1, 2, 3, 4, 5)


def survey_get_for_user(user: AnyUser, course_id: int) -> Survey:
    """The survey of a course the user can see, with the items it asks (not the
    retired ones), or Http404."""
    course = course_list_for_user(user).filter(pk=course_id).first()
    if course is None:
        raise Http404("No such course.")
    survey = (
        Survey.objects.filter(course=course)
        .prefetch_related(
            Prefetch("items", queryset=SurveyItem.objects.filter(retired=False))
        )
        .first()
    )
    if survey is None:
        raise Http404("No survey for this course.")
    survey.course = course  # the visible course, read above
    return survey


def survey_has_responded(user: AnyUser, survey: Survey) -> bool:
    return SurveyResponded.objects.filter(survey=survey, user_id=user.pk or 0).exists()


def survey_reached_end(user: AnyUser, course: Course) -> bool:
    """The learner finished the course: a certificate, or its last lesson done.

    One query. A course without lessons has no end to reach.
    """
    last = Lesson.objects.filter(module__course=course).order_by(
        "-module__order", "-module_id", "-order", "-pk"
    )[:1]
    uid = user.pk or 0
    return Course.objects.filter(
        Exists(
            Certificate.objects.filter(
                user_id=uid, course=OuterRef("pk"), revoked_at__isnull=True
            )
        )
        | Exists(
            LessonProgress.objects.filter(
                user_id=uid, lesson__in=last.values("pk"), completed_at__isnull=False
            )
        ),
        pk=course.pk,
    ).exists()


# --- Editing (course authors) ------------------------------------------------------


def survey_course_for_editing(user: AnyUser, course_id: int) -> Course:
    """The course whose survey the user manages, or Http404 / PermissionDenied.

    Authors reach every course, drafts included (as for its Markdown); anyone
    who can see the course but not manage its survey: PermissionDenied (403);
    anyone who cannot see it: Http404, the same as a course that does not
    exist. One query.
    """
    if policies.can_author_courses(user):
        course = Course.objects.filter(
            policies.courses_with_survey_managed_by(user), pk=course_id
        ).first()
        if course is None:
            raise Http404("No such course.")
        return course
    if not course_list_for_user(user).filter(pk=course_id).exists():
        raise Http404("No such course.")
    raise PermissionDenied(_("Only course authors manage a course's survey."))


@dataclass
class SurveyEditor:
    """A course's survey as its editor shows it (``survey`` None: none attached).

    Each item carries ``answered`` (someone's answer is stored against it: its
    wording and kind are locked, and it can be retired but not deleted).
    """

    course: Course
    survey: Survey | None
    items: Sequence[SurveyItem]
    responses: int

    @property
    def active_items(self) -> list[SurveyItem]:
        return [item for item in self.items if not item.retired]


def survey_editor(course: Course) -> SurveyEditor:
    """The survey with its items (retired ones too) and its response count.

    Two queries whatever the number of items and answers: the survey with
    its count of responses, and the items each with ``answered``.
    """
    survey = (
        Survey.objects.filter(course=course)
        .annotate(n_responses=Count("responses"))
        .first()
    )
    if survey is None:
        return SurveyEditor(course=course, survey=None, items=[], responses=0)
    survey.course = course
    items = list(
        SurveyItem.objects.filter(survey=survey).annotate(
            answered=Exists(SurveyAnswer.objects.filter(item=OuterRef("pk")))
        )
    )
    return SurveyEditor(
        course=course,
        survey=survey,
        items=items,
        responses=getattr(survey, "n_responses", 0),
    )


def survey_item_answered(item: SurveyItem) -> bool:
    """Someone's answer is stored against this item (one query)."""
    return SurveyAnswer.objects.filter(item=item).exists()


def survey_has_responses(survey: Survey) -> bool:
    """Anyone answered: the survey's own rows and the people's (one query)."""
    return (
        SurveyResponse.objects.filter(survey=survey).exists()
        or SurveyResponded.objects.filter(survey=survey).exists()
    )


@dataclass
class ItemResult:
    item_id: int
    text: str
    kind: str
    # No longer asked; its earlier answers still count here.
    retired: bool = False
    n: int = 0
    mean: float | None = None  # None: fewer than SMALL_CELL scores
    # (score, answers, % of answers) for 1..5; empty when suppressed.
    distribution: list[tuple[int, int, float]] = field(default_factory=list)

    @property
    def suppressed(self) -> bool:
        return self.kind == SurveyItemKind.LIKERT and self.mean is None


@dataclass
class SurveyResults:
    survey_id: int
    is_open: bool
    responses: int
    items: list[ItemResult]
    # None: not the viewer's to read (mentors), or fewer than SMALL_CELL
    # responses (``comments_suppressed``).
    comments: list[str] | None = None
    comments_suppressed: bool = False
    # Responses not counted yet: they show when their batch of SMALL_CELL
    # is full (``responses`` is a multiple of SMALL_CELL).
    waiting: int = 0

    @property
    def enough_data(self) -> bool:
        return self.responses >= SMALL_CELL


def _full_batches(per_cohort: dict[int, int], cohort_ids: Collection[int]) -> Q:
    """The responses of the cohorts' full batches of SMALL_CELL (no query).

    ``per_cohort`` is each cohort's number of responses; a cohort with ``n``
    has ``n // SMALL_CELL`` full batches, numbered from 0.
    """
    q = Q(pk__in=[])
    for cid in cohort_ids:
        full = per_cohort.get(cid, 0) // SMALL_CELL
        if full:
            q |= Q(cohort_id=cid, batch__lt=full)
    return q


def _counted(per_cohort: dict[int, int], cohort_ids: Collection[int]) -> int:
    return sum(
        per_cohort.get(cid, 0) - per_cohort.get(cid, 0) % SMALL_CELL
        for cid in set(cohort_ids)
    )


def _asked_of_whole_batches(answers: QuerySet[SurveyAnswer]) -> QuerySet[SurveyAnswer]:
    """The answers to an item that every response of their batch answered.

    An item added, retired or asked again while a batch was filling was asked
    of only some of its five: counting their answers would move the results
    by fewer than five people's, and the view before and after would give
    those few away. Every response stores a row for each item asked (the
    free-text one too, blank included), so a batch asked the item has
    SMALL_CELL rows of it. (A correlated count: no extra query.)
    """
    in_batch = (
        SurveyAnswer.objects.filter(
            item_id=OuterRef("item_id"),
            response__cohort_id=OuterRef("response__cohort_id"),
            response__batch=OuterRef("response__batch"),
        )
        .order_by()
        .values("item_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return answers.alias(in_batch=Subquery(in_batch)).filter(in_batch=SMALL_CELL)


def survey_results(
    *,
    course: Course,
    cohort_ids: Collection[int],
    comment_cohort_ids: Collection[int] = (),
    scope_cohort_ids: Collection[int] = (),
    scope_comment_cohort_ids: Collection[int] = (),
) -> SurveyResults | None:
    """Aggregates of the answers from the given cohorts (None: no survey).

    ``scope_cohort_ids`` are all the cohorts the viewer may report on, when
    ``cohort_ids`` is a part of them (one cohort chosen): if the rest of the
    scope holds 1 to 4 responses, the part shows no scores and no comments,
    since the whole minus the part would give those few answers away; the
    same for comments over ``scope_comment_cohort_ids`` (those the viewer
    reads comments of, across the scope).

    Three queries (the items with their survey, the responses per cohort,
    scores per item and value, of the part and of the rest; an item the rest
    scored 1 to 4 times shows nothing either), a fourth for the comments when
    the viewer may read them. A survey without items is no survey.
    """
    survey_items = list(
        SurveyItem.objects.filter(survey__course=course).select_related("survey")
    )
    if not survey_items:
        return None
    survey = survey_items[0].survey
    chosen = set(cohort_ids)
    scope = chosen | set(scope_cohort_ids)
    per_cohort = dict(
        SurveyResponse.objects.filter(survey=survey, cohort_id__in=list(scope))
        .values("cohort_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("cohort_id", "n")
    )
    # Only each cohort's full batches of SMALL_CELL count (the module's
    # note): any two views, or two visits, differ by whole batches.
    arrived = sum(n for cid, n in per_cohort.items() if cid in chosen)
    total = _counted(per_cohort, chosen)
    rest_cohorts = scope - chosen
    rest = _counted(per_cohort, rest_cohorts)
    # The whole scope minus this part would show the rest's few answers
    # (whole batches make this rare: a rest of 1 to 4 counted answers).
    differencing = 0 < rest < SMALL_CELL
    comment_rest = _counted(per_cohort, rest_cohorts & set(scope_comment_cohort_ids))
    counts: dict[int, dict[int, int]] = {}
    # Per item, the scores of the rest of the scope too: an item added after
    # some answered has fewer scores than responses, so the rest's few scores
    # of it would follow from the whole minus the part.
    rest_scores: dict[int, int] = {}
    for item_id, score, n, n_rest in (
        _asked_of_whole_batches(SurveyAnswer.objects.all())
        .filter(
            response__in=SurveyResponse.objects.filter(
                _full_batches(per_cohort, scope), survey=survey
            ).values("pk"),
            score__isnull=False,
        )
        .values("item_id", "score")
        .annotate(
            n=Count("pk", filter=Q(response__cohort_id__in=list(chosen))),
            n_rest=Count("pk", filter=~Q(response__cohort_id__in=list(chosen))),
        )
        .order_by()
        .values_list("item_id", "score", "n", "n_rest")
    ):
        if n:
            counts.setdefault(item_id, {})[int(score or 0)] = n
        rest_scores[item_id] = rest_scores.get(item_id, 0) + n_rest
    items = []
    for item in survey_items:
        result = ItemResult(item.pk, item.text, item.kind, item.retired)
        if item.kind == SurveyItemKind.LIKERT:
            by_score = counts.get(item.pk, {})
            result.n = sum(by_score.values())
            hidden = differencing or 0 < rest_scores.get(item.pk, 0) < SMALL_CELL
            if result.n >= SMALL_CELL and not hidden:
                result.mean = round(
                    sum(s * k for s, k in by_score.items()) / result.n, 2
                )
                result.distribution = [
                    (s, by_score.get(s, 0), round(100 * by_score.get(s, 0) / result.n))
                    for s in SCORES
                ]
        items.append(result)
    results = SurveyResults(
        survey_id=survey.pk,
        is_open=survey.is_open,
        responses=total,
        items=items,
        waiting=arrived - total,
    )
    readable = [cid for cid in comment_cohort_ids if cid in set(cohort_ids)]
    if readable:
        # each readable cohort's full batches: comments come five at a time
        enough = _counted(per_cohort, readable) >= SMALL_CELL
        if enough and not differencing and not 0 < comment_rest < SMALL_CELL:
            # Every response stores a row for the free-text question it was
            # asked, blank included. A question added (or asked again) after
            # some answered was asked of fewer people than responded: count
            # those asked, here and in the rest of the scope, not the
            # responses, or a lone comment would name its author.
            rest_readable = rest_cohorts & set(scope_comment_cohort_ids)
            rows = list(
                _asked_of_whole_batches(SurveyAnswer.objects.all())
                .filter(
                    response__in=SurveyResponse.objects.filter(
                        _full_batches(per_cohort, {*readable, *rest_readable}),
                        survey=survey,
                    ).values("pk"),
                    item__kind=SurveyItemKind.TEXT,
                )
                .order_by("comment")
                .values_list("comment", "response__cohort_id")
            )
            asked = [comment for comment, cid in rows if cid in set(readable)]
            asked_rest = sum(1 for _c, cid in rows if cid in rest_readable)
            if len(asked) >= SMALL_CELL and not 0 < asked_rest < SMALL_CELL:
                results.comments = [comment for comment in asked if comment]
            else:
                results.comments_suppressed = True
        else:
            results.comments_suppressed = True
    return results
