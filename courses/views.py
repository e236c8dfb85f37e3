"""Learner pages (courses, lessons, quizzes, certificates) and progress tables."""

from __future__ import annotations

import csv
import io
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses import drip, policies, selectors
from courses.certificate_pdf import certificate_pdf as render_certificate_pdf
from courses.completion import completion_for
from courses.forms import CheckInCodeForm, CheckInScanForm, SessionForm, SurveyItemForm
from courses.models import QuestionKind, QuizKind
from courses.services import checkin, progress, quizzes, sessions
from courses.services import survey as survey_service
from cpd import selectors as cpd_selectors
from cpd.auth import acting_user
from cpd.forms import rate_limit_error
from cpd.limits import RateLimited
from cpd.reports import SMALL_CELL, csv_text

# Quizzes in the order a learner meets them.
QUIZ_ORDER = {QuizKind.PRE: 0, QuizKind.PRACTICE: 1, QuizKind.POST: 2}


def _reading_language(request: HttpRequest) -> str:
    """The content language: ``?lang=`` (to read another version), else the UI's."""
    return selectors.content_language(
        request.GET.get("lang"), getattr(request, "LANGUAGE_CODE", None)
    )


@login_required
def my_courses(request: HttpRequest) -> HttpResponse:
    """The learner's courses with progress; mentors also get progress tables."""
    language = _reading_language(request)
    courses = list(selectors.course_list_for_user(request.user))
    selectors.course_titles_in_language(courses, language)
    continue_lesson = selectors.continue_lesson_for(request.user)
    if continue_lesson is not None:
        selectors.lesson_in_language(continue_lesson, [], language)
    cohorts = [
        c
        for c in cpd_selectors.cohort_list_for_user(request.user)
        if policies.can_view_progress(request.user, c)
    ]
    return render(
        request,
        "courses/my_courses.html",
        {
            "courses": courses,
            "continue_lesson": continue_lesson,
            "progress_cohorts": cohorts,
            "sessions": selectors.upcoming_sessions_for(request.user),
        },
    )


@login_required
def course_detail(request: HttpRequest, course_id: int) -> HttpResponse:
    """Outline: modules and lessons with what is done and what is next."""
    course = selectors.course_get_for_user(request.user, course_id)
    served = selectors.outline_in_language(course, _reading_language(request))
    done = selectors.outline_done_lesson_ids(course)
    closed = drip.mark_closed_modules(request.user, course)
    lessons = [
        lesson
        for module in course.modules.all()
        if module.pk not in closed
        for lesson in module.lessons.all()
    ]
    next_lesson = next((lesson for lesson in lessons if lesson.pk not in done), None)
    certificate = selectors.certificates_for(request.user).filter(course=course).first()
    cohorts = selectors.cohorts_taking(request.user, course)
    return render(
        request,
        "courses/course_detail.html",
        {
            "can_report": policies.can_view_course_report(request.user, cohorts),
            "survey_invite": _survey_invite(
                request, course, cohorts, certificate, done
            ),
            "course": course,
            "done": done,
            "next_lesson": next_lesson,
            "certificate": certificate,
            "completion": completion_for(request.user, course),
            "quizzes": sorted(course.quizzes.all(), key=lambda q: QUIZ_ORDER[q.kind]),
            "cohorts": cohorts,
            "served": served,
        },
    )


def _survey_invite(
    request: HttpRequest,
    course: Any,
    cohorts: list,
    certificate: Any,
    done: set[int],
) -> str:
    """ "open", "answered" or "" for the outline's survey line (one query at most).

    From what the outline already read: the survey (selected with the course),
    the learner's cohorts, certificate and lessons done.
    """
    survey = getattr(course, "survey", None)
    if survey is None or not policies.is_learner_in_any(request.user, cohorts):
        return ""
    lessons = [
        lesson for module in course.modules.all() for lesson in module.lessons.all()
    ]
    if not (certificate or (lessons and lessons[-1].pk in done)):
        return ""
    if selectors.survey_has_responded(request.user, survey):
        return "answered"
    return "open" if survey.is_open else ""


@login_required
def lesson_detail(request: HttpRequest, lesson_id: int) -> HttpResponse:
    """A lesson with previous/next and "mark complete"; the visit is recorded."""
    lesson = selectors.lesson_get_for_user(request.user, lesson_id)
    try:
        record = progress.lesson_visit(user=acting_user(request), lesson=lesson)
    except progress.LessonClosed as closed:
        selectors.lesson_in_language(lesson, [], _reading_language(request))
        return render(
            request,
            "courses/lesson_closed.html",
            {
                "lesson": lesson,
                "course": lesson.module.course,
                "opens_on": closed.opens_on,
            },
            status=403,
        )
    lessons = selectors.course_lessons(lesson.module.course)
    index = next(i for i, item in enumerate(lessons) if item.pk == lesson.pk)
    previous = lessons[index - 1] if index else None
    following = lessons[index + 1] if index + 1 < len(lessons) else None
    served = selectors.lesson_in_language(
        lesson, [previous, following], _reading_language(request)
    )
    return render(
        request,
        "courses/lesson_detail.html",
        {
            "lesson": lesson,
            "course": lesson.module.course,
            "previous": previous,
            "next": following,
            "served": served,
            "done": record.completed_at is not None,
            "position": index + 1,
            "count": len(lessons),
        },
    )


@require_POST
@login_required
def lesson_complete(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson = selectors.lesson_get_for_user(request.user, lesson_id)
    progress.lesson_complete(user=acting_user(request), lesson=lesson)
    lessons = selectors.course_lessons(lesson.module.course)
    index = next(i for i, item in enumerate(lessons) if item.pk == lesson.pk)
    if index + 1 < len(lessons):
        return redirect("courses-lesson", lesson_id=lessons[index + 1].pk)
    messages.success(request, _("You finished the last lesson of this course."))
    return redirect("courses-course", course_id=lesson.module.course_id)


@require_POST
@login_required
def lesson_beat(request: HttpRequest, lesson_id: int) -> JsonResponse:
    """Reading time reported by the page while it is visible (capped per beat).

    The service checks access itself, once per window: most beats are folded in
    the cache without loading the lesson (see ``progress.lesson_beat``).
    """
    raw = request.POST.get("seconds", "0")
    seconds = int(raw) if raw.isdigit() else 0
    total = progress.lesson_beat(
        user=acting_user(request), lesson_id=lesson_id, seconds=seconds
    )
    return JsonResponse({"seconds_spent": total})


@login_required
def quiz_detail(request: HttpRequest, quiz_id: int) -> HttpResponse:
    """About a quiz, your attempts so far, and a button to start."""
    quiz = selectors.quiz_get_for_user(request.user, quiz_id)
    if request.method == "POST":
        try:
            attempt = quizzes.attempt_start(user=acting_user(request), quiz=quiz)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            return redirect("courses-attempt", attempt_id=attempt.pk)
    served = selectors.quiz_in_language(quiz, _reading_language(request))
    return render(
        request,
        "courses/quiz_detail.html",
        {
            "quiz": quiz,
            "attempts": selectors.attempts_for(request.user, quiz),
            "served": served,
        },
    )


def _answers_from_post(request: HttpRequest, question_ids: list[int]) -> dict[int, Any]:
    answers: dict[int, Any] = {}
    for key in request.POST:
        if key.startswith("q") and key[1:].isdigit():
            answers[int(key[1:])] = request.POST.getlist(key)
    return answers


@login_required
def attempt_detail(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """Take the quiz (questions in the drawn order) or, once submitted, feedback."""
    attempt = selectors.attempt_get_for_user(request.user, attempt_id)
    errors: dict[str, list[str]] = {}
    if request.method == "POST" and attempt.submitted_at is None:
        try:
            attempt = quizzes.attempt_submit(
                user=acting_user(request),
                attempt=attempt,
                answers=_answers_from_post(request, attempt.question_ids),
            )
        except ValidationError as exc:
            errors = (
                exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            )
        else:
            return redirect("courses-attempt", attempt_id=attempt.pk)
    questions = selectors.attempt_questions(attempt)
    served = selectors.questions_in_language(
        attempt.quiz, questions, _reading_language(request)
    )
    given = {a.question_id: a for a in attempt.answers.all()}
    return render(
        request,
        "courses/attempt.html",
        {
            "attempt": attempt,
            "quiz": attempt.quiz,
            "rows": [(q, given.get(q.pk)) for q in questions],
            "deadline": quizzes.attempt_deadline(attempt),
            "errors": errors,
            "posted": request.POST,
            "numeric": QuestionKind.NUMERIC,
            "multiple": QuestionKind.MULTIPLE,
            "served": served,
        },
        status=400 if errors else 200,
    )


@login_required
def transcript(request: HttpRequest) -> HttpResponse:
    """All CPD credits the user has earned."""
    certificates = list(selectors.certificates_for(request.user))
    total = sum((c.hours for c in certificates), start=0)
    return render(
        request,
        "courses/transcript.html",
        {"certificates": certificates, "total": total},
    )


@login_required
def certificate_detail(request: HttpRequest, code: str) -> HttpResponse:
    """The holder's printable certificate."""
    certificate = selectors.certificate_of_holder(request.user, code)
    if certificate is None:
        return render(request, "404.html", status=404)
    return render(request, "courses/certificate.html", {"certificate": certificate})


@login_required
def certificate_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """The holder's certificate as a PDF download."""
    certificate = selectors.certificate_of_holder(request.user, code)
    if certificate is None:
        return render(request, "404.html", status=404)
    verify = request.build_absolute_uri(
        reverse("courses-verify", args=[certificate.code])
    )
    response = HttpResponse(
        render_certificate_pdf(certificate, verify_url=verify),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="certificate-{certificate.code}.pdf"'
    )
    return response


def certificate_verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public check of a certificate code: name, course, hours, date, validity only."""
    certificate = selectors.certificate_by_code(code)
    return render(
        request,
        "courses/verify.html",
        {"certificate": certificate, "code": code[:16]},
        status=200 if certificate else 404,
    )


class _Echo:
    """A file-like object whose ``write`` returns the line, for streaming CSV."""

    def write(self, value: str) -> str:
        return value


# Learners per page of the progress table.
PROGRESS_PAGE_SIZE = 50


@login_required
def cohort_progress(
    request: HttpRequest, cohort_id: int
) -> HttpResponse | StreamingHttpResponse:
    """Mentors and administrators: each learner's progress, scores and gain.

    The table is paged (:data:`PROGRESS_PAGE_SIZE` learners) and sortable by
    name, last activity or lessons finished; progress is read only for the
    page shown.  The CSV streams the whole cohort batch by batch.
    """
    cohort = cpd_selectors.cohort_get_for_user(request.user, cohort_id)
    if not policies.can_view_progress(request.user, cohort):
        return render(request, "403.html", status=403)
    if request.GET.get("format") == "csv":
        writer = csv.writer(_Echo())
        response = StreamingHttpResponse(
            (writer.writerow(row) for row in selectors.progress_export_rows(cohort)),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="progress-{cohort.pk}.csv"'
        )
        return response
    sort = request.GET.get("sort", "name")
    if sort not in selectors.PROGRESS_SORTS:
        sort = "name"
    page = Paginator(
        selectors.cohort_learners_sorted(cohort, sort), PROGRESS_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    members = list(page.object_list)
    rows = selectors.learner_progress_for_cohort(
        cohort=cohort, user_ids=[m.user_id for m in members]
    )
    return render(
        request,
        "courses/progress.html",
        {
            "cohort": cohort,
            "table": [(m.user, rows[m.user_id]) for m in members],
            "page": page,
            "sort": sort,
            "sorts": [
                ("name", _("Name")),
                ("active", _("Last active")),
                ("lessons", _("Lessons finished")),
            ],
            "gain": selectors.cohort_gain_summary(cohort),
        },
    )


@login_required
def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    """A face-to-face session; mentors and administrators tap learners present."""
    session = selectors.session_get_for_user(request.user, session_id)
    can_mark = policies.can_take_attendance(request.user, session.cohort)
    if request.method == "POST":
        if not can_mark:
            return HttpResponse(_("Only mentors and administrators."), status=403)
        raw = request.POST.get("learner", "")
        # The button posts the state it asks for, never "the other one": a tap
        # retried after a lost answer, or fifty at once, leaves the same register.
        present = {"1": True, "0": False}.get(request.POST.get("present", ""))
        try:
            if present is None:
                raise ValidationError(_("Choose present or absent."))
            sessions.attendance_set(
                actor=acting_user(request),
                session=session,
                learner_id=int(raw) if raw.isdigit() else 0,
                present=present,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("courses-session", session_id=session.pk)
        return redirect("courses-session", session_id=session.pk)
    learners = (
        [m.user for m in selectors.cohort_learners(session.cohort)] if can_mark else []
    )
    return render(
        request,
        "courses/session_detail.html",
        {
            "session": session,
            "can_mark": can_mark,
            "register_open": sessions.register_is_open(session),
            "learners": learners,
            "present": selectors.attended_user_ids(session),
        },
    )


@login_required
def session_qr(request: HttpRequest, session_id: int) -> HttpResponse:
    """The facilitator's screen: the rotating QR and short code, and who is in.

    The page reloads itself when the 30-second window turns (an HTTP
    ``Refresh`` header: no script needed).
    """
    session = selectors.session_get_for_user(request.user, session_id)
    if not policies.can_show_check_in_code(request.user, session):
        return render(request, "403.html", status=403)
    code = closed = None
    try:
        code = checkin.check_in_code_current(
            actor=acting_user(request), session=session
        )
    except ValidationError as exc:
        closed = " ".join(exc.messages)
    response = render(
        request,
        "courses/session_qr.html",
        {
            "session": session,
            "code": code,
            "closed": closed,
            "qr_svg": checkin_qr_svg(request.build_absolute_uri(code.path))
            if code
            else "",
            "checked_in": selectors.session_checked_in(session),
            "learner_count": selectors.session_learner_count(session),
        },
    )
    if code is not None:
        response["Refresh"] = str(code.seconds_left)
        response["Cache-Control"] = "no-store"
    return response


def checkin_qr_svg(url: str) -> str:
    """The URL as an inline SVG QR code (segno), sized for a phone or a projector."""
    out = io.BytesIO()
    segno.make(url, error="m").save(
        out,
        kind="svg",
        scale=6,
        border=4,
        xmldecl=False,
        svgns=True,
        title=_("Check-in QR code"),
        svgclass="qr",
        lineclass=None,
        omitsize=True,
    )
    return out.getvalue().decode()


def _checkin_done(request: HttpRequest, result: checkin.CheckIn) -> HttpResponse:
    if result.created:
        messages.success(request, _("You are checked in. Welcome!"))
    else:
        messages.info(request, _("You were already checked in."))
    return redirect("courses-session", session_id=result.session.pk)


@login_required
def session_here(request: HttpRequest, session_id: int) -> HttpResponse:
    """Where the QR code leads: one tap checks the learner in (POST, idempotent)."""
    session = selectors.session_get_for_user(request.user, session_id)
    form = CheckInScanForm(request.POST if request.method == "POST" else request.GET)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                result = checkin.attendance_check_in(
                    actor=acting_user(request),
                    session=session,
                    window=form.cleaned_data["w"],
                    signature=form.cleaned_data["s"],
                )
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
                status = 403
            except RateLimited as exc:
                status = rate_limit_error(form, exc)
            else:
                return _checkin_done(request, result)
        else:
            form.add_error(None, _("That code is not valid."))
    elif not form.is_valid():
        form.add_error(None, _("That code is not valid."))
        status = 400
    return render(
        request,
        "courses/session_here.html",
        {
            "session": session,
            "form": form,
            # A scanned link offers its one tap; a refused post says why, no button.
            "show_form": request.method == "GET" and status == 200,
            "can_check_in": policies.can_check_in(request.user, session),
            "already": request.user.pk in selectors.attended_user_ids(session),
        },
        status=status,
    )


@login_required
def session_checkin(request: HttpRequest) -> HttpResponse:
    """A learner types the short code shown at the session."""
    form = CheckInCodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                result = checkin.attendance_check_in_by_code(
                    actor=acting_user(request), code=form.cleaned_data["code"]
                )
            except ValidationError as exc:
                form.add_error("code", exc.messages)
            except PermissionDenied as exc:
                form.add_error("code", str(exc))
                status = 403
            except RateLimited as exc:
                status = rate_limit_error(form, exc)
            else:
                return _checkin_done(request, result)
    return render(
        request, "courses/session_checkin.html", {"form": form}, status=status
    )


@login_required
def session_new(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """Mentors and administrators schedule a face-to-face session for a cohort."""
    cohort = cpd_selectors.cohort_get_for_user(request.user, cohort_id)
    if not policies.can_take_attendance(request.user, cohort):
        return render(request, "403.html", status=403)
    form = SessionForm(
        request.POST or None,
        modules=selectors.cohort_modules(cohort),
        facilitators=selectors.cohort_facilitators(cohort),
        initial={"facilitator": request.user.pk},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = sessions.session_schedule(
                actor=acting_user(request),
                cohort=cohort,
                title=data["title"],
                place=data["place"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                module_id=data["module"].pk if data["module"] else None,
                facilitator_id=data["facilitator"].pk if data["facilitator"] else None,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Session scheduled."))
            return redirect("courses-session", session_id=session.pk)
    return render(
        request,
        "courses/session_form.html",
        {"cohort": cohort, "form": form},
        status=400 if form.errors else 200,
    )


# --- Course report and end-of-course survey -------------------------------------------


def _scope_or_error(
    request: HttpRequest, course_id: int
) -> selectors.ReportScope | HttpResponse:
    """The report's scope, or the page for a learner (403) or a bad ?cohort= (400).

    A course or cohort the user cannot see raises Http404 (the 404 page).
    """
    try:
        return selectors.course_report_scope(
            request.user, course_id, request.GET.get("cohort")
        )
    except PermissionDenied as exc:
        return HttpResponse(str(exc), status=403)
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=400)


def likert_bars(report: selectors.CourseReport) -> list[dict[str, Any]]:
    """One stacked bar per rated item: five segments, 1 (light) to 5 (dark)."""
    if report.survey is None:
        return []
    bars = []
    rated = [i for i in report.survey.items if i.distribution]
    for row, item in enumerate(rated):
        x = 0.0
        segments = []
        for score, _count, percent in item.distribution:
            if percent:
                segments.append(
                    {"x": x, "width": percent, "opacity": 0.2 * score, "score": score}
                )
            x += percent
        bars.append({"y": 12 * row, "item": item, "segments": segments})
    return bars


# Survey comments listed on the report page (a phone page stays small).
COMMENTS_ON_PAGE = 50


@login_required
def course_report(request: HttpRequest, course_id: int) -> HttpResponse:
    """Per lesson and question, the gain and satisfaction (mentors, administrators)."""
    scope = _scope_or_error(request, course_id)
    if isinstance(scope, HttpResponse):
        return scope
    report = selectors.course_report(scope)
    bars = likert_bars(report)
    return render(
        request,
        "courses/course_report.html",
        {
            "report": report,
            "scope": scope,
            "course": scope.course,
            "likert_bars": bars,
            "likert_height": 12 * len(bars),
            "small_cell": SMALL_CELL,
            "min_answers": selectors.MIN_ANSWERS,
            # The page lists the first comments; the CSV has them all.
            "comments_shown": f":{COMMENTS_ON_PAGE}",
            "comments_hidden_offset": -COMMENTS_ON_PAGE,
            "can_manage_survey": policies.can_manage_survey(request.user, scope.course),
        },
    )


def course_report_rows(report: selectors.CourseReport) -> Any:
    """The report's CSV rows: lessons, questions, gain and the survey, in sections."""
    yield [_("lesson"), _("module"), _("position"), _("reached"),
           _("reached %"), _("median reading minutes"), _("completed"),
           _("completed %"), _("drop-off %")]  # fmt: skip
    for r in report.lessons:
        reach = "<5" if r.suppressed else r.reach
        yield [r.title, r.module_title, r.position, reach, r.reach_share,
               r.median_minutes, r.completed, r.completion_share,
               r.drop_off]  # fmt: skip
    yield []
    yield [_("question"), _("quiz"), _("answers"), _("difficulty (share right)"),
           _("discrimination (point-biserial)")]  # fmt: skip
    for q in report.questions:
        yield [q.text, q.quiz_title, q.n, q.difficulty, q.discrimination]
    yield []
    gain = report.gain
    yield [_("learners with a pre- and post-test"), gain.with_both]
    if gain.with_both >= 2:
        yield [_("mean gain (points)"), gain.mean_gain]
        yield [_("95 percent interval"), gain.interval[0] if gain.interval else "",
               gain.interval[1] if gain.interval else ""]  # fmt: skip
        yield [_("mean normalised gain"), gain.mean_normalised_gain]
    if report.survey is not None:
        yield []
        yield [_("survey item"), _("answers"), _("mean (1-5)"),
               "1", "2", "3", "4", "5"]  # fmt: skip
        for item in report.survey.items:
            if item.kind != "likert":
                continue
            text = f"{item.text} ({_('retired')})" if item.retired else item.text
            yield [text, item.n, item.mean,
                   *[count for _s, count, _p in item.distribution]]  # fmt: skip
        yield [_("responses"), report.survey.responses]
        if report.survey.comments:
            yield []
            yield [_("comment")]
            for comment in report.survey.comments:
                yield [csv_text(comment)]


@login_required
def course_report_csv(request: HttpRequest, course_id: int) -> HttpResponseBase:
    """The course report as CSV (the same figures and suppression as the page)."""
    scope = _scope_or_error(request, course_id)
    if isinstance(scope, HttpResponse):
        return scope
    report = selectors.course_report(scope)
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in course_report_rows(report)),
        content_type="text/csv; charset=utf-8",
    )
    suffix = f"-cohort-{scope.cohort.pk}" if scope.cohort else ""
    name = f"course-{scope.course.pk}{suffix}-report.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _survey_answers(request: HttpRequest) -> dict[int, Any]:
    return {
        int(key[1:]): request.POST.get(key, "")
        for key in request.POST
        # isascii(): isdigit() alone admits "²", which int() refuses (a 500)
        if key.startswith("i")
        and key[1:].isascii()
        and key[1:].isdigit()
        and len(key) < 14
    }


def _posted_revision(request: HttpRequest) -> int | None:
    raw = request.POST.get("revision", "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None


@login_required
def course_survey(request: HttpRequest, course_id: int) -> HttpResponse:
    """The end-of-course survey: one form, no script; answered once, anonymously."""
    survey = selectors.survey_get_for_user(request.user, course_id)
    if not policies.can_answer_survey(request.user, survey.course):
        return render(request, "403.html", status=403)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            _row, created = survey_service.survey_respond(
                actor=acting_user(request),
                survey=survey,
                answers=_survey_answers(request),
                revision=_posted_revision(request),
            )
        except ValidationError as exc:
            errors = (
                exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            )
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            return redirect("courses-course", course_id=survey.course.pk)
        else:
            if created:
                messages.success(request, _("Thank you: your answers were recorded."))
            else:
                messages.info(request, _("You had already answered this survey."))
            return redirect("courses-course", course_id=survey.course.pk)
    responded = selectors.survey_has_responded(request.user, survey)
    return render(
        request,
        "courses/survey.html",
        {
            "survey": survey,
            "course": survey.course,
            "responded": responded,
            "reached_end": responded
            or selectors.survey_reached_end(request.user, survey.course),
            "errors": errors,
            "rows": [
                (item, request.POST.get(f"i{item.pk}", ""))
                for item in survey.items.all()
            ],
            "scores": [
                (1, _("Strongly disagree")),
                (2, _("Disagree")),
                (3, _("Neither agree nor disagree")),
                (4, _("Agree")),
                (5, _("Strongly agree")),
            ],
            "max_comment": survey_service.MAX_COMMENT,
        },
        status=400 if errors else 200,
    )


# --- Survey editor (course authors) -------------------------------------------------

# What the editor's buttons ask for, with the message shown after each.
_ITEM_ACTIONS = ("save", "up", "down", "retire", "restore", "delete")


def _validation_messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for msgs in exc.message_dict.values() for m in msgs]
    return list(exc.messages)


def _survey_edit_apply(
    request: HttpRequest, editor: selectors.SurveyEditor, form: SurveyItemForm | None
) -> str:
    """Carry out the POSTed action; returns the success message (raises
    ValidationError / PermissionDenied from the services)."""
    actor = acting_user(request)
    action = request.POST.get("action", "")
    survey = editor.survey
    if action == "attach":
        survey_service.survey_attach(actor=actor, course=editor.course)
        return _("Survey attached with the default items: review them below.")
    if survey is None:
        raise ValidationError(_("Attach a survey first."))
    if action == "add":
        assert form is not None  # noqa: S101 - built for "add" above
        survey_service.survey_item_add(
            actor=actor,
            survey=survey,
            kind=form.cleaned_data["kind"] or "likert",
            text=form.cleaned_data["text"],
        )
        return _("Item added.")
    if action in ("close", "open"):
        survey_service.survey_set_open(
            actor=actor, survey=survey, is_open=action == "open"
        )
        return _("Survey opened.") if action == "open" else _("Survey closed.")
    if action == "detach":
        if request.POST.get("confirm") != "yes":
            raise ValidationError(_("Tick the box to confirm removing the survey."))
        survey_service.survey_detach(actor=actor, survey=survey)
        return _("Survey removed from the course.")
    if action not in _ITEM_ACTIONS:
        raise ValidationError(_("Unknown action."))
    item = _editor_item(editor, request.POST.get("item", ""))
    position = [i.pk for i in editor.items].index(item.pk)
    if action == "save":
        assert form is not None  # noqa: S101 - built for "save" above
        survey_service.survey_item_edit(
            actor=actor,
            item=item,
            text=form.cleaned_data["text"],
            kind=form.cleaned_data["kind"] or item.kind,
        )
        return _("Item saved.")
    if action in ("up", "down"):
        survey_service.survey_item_move(
            actor=actor, item=item, position=position + (1 if action == "down" else -1)
        )
        return _("Item moved.")
    if action in ("retire", "restore"):
        survey_service.survey_item_retire(
            actor=actor, item=item, retired=action == "retire"
        )
        return _("Item retired.") if action == "retire" else _("Item asked again.")
    survey_service.survey_item_delete(actor=actor, item=item)
    return _("Item deleted.")


def _editor_item(editor: selectors.SurveyEditor, raw: str) -> Any:
    for item in editor.items:
        if raw.isascii() and raw.isdigit() and int(raw) == item.pk:
            return item
    raise ValidationError(_("This item is not part of this survey."))


@login_required
def course_survey_edit(request: HttpRequest, course_id: int) -> HttpResponse:
    """Attach, edit, close or remove a course's survey (course authors).

    One page, one form per item, no script. Items with answers show their
    wording locked, and can be moved or retired (courses.services.survey).
    """
    try:
        course = selectors.survey_course_for_editing(request.user, course_id)
    except PermissionDenied as exc:
        return render(request, "403.html", {"exception": exc}, status=403)
    editor = selectors.survey_editor(course)
    target: str = ""  # what the errors are about: "new", "survey" or an item id
    errors: list[str] = []
    form: SurveyItemForm | None = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        target = "new" if action == "add" else "survey"
        try:
            if action in _ITEM_ACTIONS:
                # An item of this survey, or the error goes at the page's top.
                target = str(_editor_item(editor, request.POST.get("item", "")).pk)
            if action in ("add", "save"):
                form = SurveyItemForm(request.POST, prefix=target)
            if form is not None and not form.is_valid():
                raise ValidationError(
                    [m for msgs in form.errors.values() for m in msgs]
                )
            done = _survey_edit_apply(request, editor, form)
        except ValidationError as exc:
            errors = _validation_messages(exc)
        except PermissionDenied as exc:
            return render(request, "403.html", {"exception": exc}, status=403)
        else:
            messages.success(request, done)
            return redirect("courses-survey-edit", course_id=course.pk)
        editor = selectors.survey_editor(course)
    rows = []
    for item in editor.items:
        bound = form if form is not None and target == str(item.pk) else None
        rows.append(
            (
                item,
                bound
                or SurveyItemForm(
                    initial={"kind": item.kind, "text": item.text}, prefix=str(item.pk)
                ),
            )
        )
    new_form = (
        form if form is not None and target == "new" else SurveyItemForm(prefix="new")
    )
    return render(
        request,
        "courses/survey_edit.html",
        {
            "course": course,
            "editor": editor,
            "rows": rows,
            "new_form": new_form,
            "target": target,
            "errors": errors,
            "max_items": survey_service.MAX_SURVEY_ITEMS,
        },
        status=400 if errors else 200,
    )


@login_required
def cohort_engagement_gain_csv(
    request: HttpRequest, cohort_id: int
) -> HttpResponseBase:
    """Engagement against gain as CSV: the correlation and bands, and the points.

    As on the report: the cohort's mentors and administrators read the
    correlation and the banded table (bands under 5 hidden); the anonymous
    points (days active, gain) are the administrators' only. Others: 403 for
    the cohort's learners, 404 for anyone outside it.
    """
    from courses.report_scatter import engagement_gain

    cohort = cpd_selectors.cohort_get_for_user(request.user, cohort_id)
    if not policies.can_view_engagement_gain(request.user, cohort):
        return HttpResponse(
            _("Only the cohort's mentors and administrators."), status=403
        )
    eg = engagement_gain(cohort)
    show_points = policies.can_view_engagement_points(request.user, cohort)

    def lines() -> Any:
        out = csv.writer(_Echo())
        yield out.writerow([_("learners with both tests"), eg.n])
        yield out.writerow(
            [
                _("Spearman's rank correlation"),
                round(eg.rho, 3) if eg.rho is not None else _("not enough data"),
            ]
        )
        yield out.writerow([])
        yield out.writerow(
            [_("days active"), _("learners"), _("median knowledge gain")]
        )
        for band in eg.bands:
            if band.learners is None:
                yield out.writerow([str(band.label), _("fewer than 5"), ""])
            else:
                yield out.writerow([str(band.label), band.learners, band.median_gain])
        if show_points:
            yield out.writerow([])
            yield out.writerow([_("days active"), _("knowledge gain")])
            for days, gain in eg.points:
                yield out.writerow([days, gain])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="engagement-gain-{cohort.pk}.csv"'
    )
    response["Cache-Control"] = "private, no-store"
    return response
