"""REST endpoints for learning: same rules as the pages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from courses import drip, markdown_io, policies, selectors
from courses.api import serializers as s
from courses.completion import completion_for
from courses.models import Attempt, Session
from courses.report_scatter import engagement_gain
from courses.services import checkin, progress, quizzes, sessions
from courses.services import survey as survey_service
from courses.services.exchange import course_import
from cpd import selectors as cpd_selectors
from cpd.auth import acting_user

LANG_PARAMETER = OpenApiParameter(
    "lang",
    OpenApiTypes.STR,
    enum=["en", "fr", "pt", "sw", "ar"],
    description="the content's language (default: yours); the original where "
    "there is no translation",
)


def _reading_language(request: Request) -> str:
    return selectors.content_language(
        request.query_params.get("lang"), getattr(request, "LANGUAGE_CODE", None)
    )


def _attempt_data(attempt: Attempt, language: str) -> dict[str, Any]:
    questions = selectors.attempt_questions(attempt)
    served = selectors.questions_in_language(attempt.quiz, questions, language)
    feedback = None
    if attempt.submitted_at is not None:
        given = {a.question_id: a for a in attempt.answers.all()}
        feedback = [
            {
                "question": q.pk,
                "credit": float(given[q.pk].credit) if q.pk in given else 0.0,
                "your_choices": given[q.pk].choice_ids if q.pk in given else [],
                "your_number": str(given[q.pk].numeric)
                if q.pk in given and given[q.pk].numeric is not None
                else None,
                "right_choices": [c.pk for c in q.choices.all() if c.is_correct],
                "right_number": str(q.numeric_answer)
                if q.numeric_answer is not None
                else None,
                "explanation": q.explanation,
            }
            for q in questions
        ]
    return {
        "id": attempt.pk,
        "quiz_id": attempt.quiz_id,
        "started_at": attempt.started_at,
        "deadline": quizzes.attempt_deadline(attempt),
        "submitted_at": attempt.submitted_at,
        "score_percent": attempt.score_percent,
        "passed": attempt.passed,
        "expired": attempt.expired,
        "questions": questions,
        "feedback": feedback,
        "served": served,
    }


class CourseListApi(ListAPIView):
    """Courses assigned to the user's cohorts, with their progress."""

    serializer_class = s.CourseOutputSerializer
    ordering = ("title", "pk")

    def get_queryset(self):
        return selectors.course_list_for_user(self.request.user)

    @extend_schema(parameters=[LANG_PARAMETER])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = list(self.paginate_queryset(self.get_queryset()) or [])
        selectors.course_titles_in_language(page, _reading_language(request))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class CourseDetailApi(APIView):
    @extend_schema(parameters=[LANG_PARAMETER], responses=s.CourseDetailSerializer)
    def get(self, request: Request, course_id: int) -> Response:
        course = selectors.course_get_for_user(request.user, course_id)
        course.served = selectors.outline_in_language(  # type: ignore[attr-defined]
            course, _reading_language(request)
        )
        drip.mark_closed_modules(request.user, course)
        course.completion = completion_for(request.user, course)  # type: ignore[attr-defined]
        return Response(s.CourseDetailSerializer(course).data)


class LessonDetailApi(APIView):
    """A lesson's content; reading it records a visit."""

    @extend_schema(parameters=[LANG_PARAMETER], responses=s.LessonOutputSerializer)
    def get(self, request: Request, lesson_id: int) -> Response:
        lesson = selectors.lesson_get_for_user(request.user, lesson_id)
        progress.lesson_visit(user=acting_user(request), lesson=lesson)
        lesson.served = selectors.lesson_in_language(  # type: ignore[attr-defined]
            lesson, [], _reading_language(request)
        )
        return Response(s.LessonOutputSerializer(lesson).data)


class LessonCompleteApi(APIView):
    @extend_schema(request=None, responses={200: dict})
    def post(self, request: Request, lesson_id: int) -> Response:
        lesson = selectors.lesson_get_for_user(request.user, lesson_id)
        record = progress.lesson_complete(user=acting_user(request), lesson=lesson)
        return Response({"lesson": lesson.pk, "completed_at": record.completed_at})


class AttemptStartApi(APIView):
    """Start (or resume) an attempt: questions come without their answers."""

    @extend_schema(
        parameters=[LANG_PARAMETER],
        request=None,
        responses={201: s.AttemptOutputSerializer},
    )
    def post(self, request: Request, quiz_id: int) -> Response:
        quiz = selectors.quiz_get_for_user(request.user, quiz_id)
        attempt = quizzes.attempt_start(user=acting_user(request), quiz=quiz)
        data = s.AttemptOutputSerializer(
            _attempt_data(attempt, _reading_language(request))
        ).data
        return Response(data, status=status.HTTP_201_CREATED)


class AttemptDetailApi(APIView):
    @extend_schema(parameters=[LANG_PARAMETER], responses=s.AttemptOutputSerializer)
    def get(self, request: Request, attempt_id: int) -> Response:
        attempt = selectors.attempt_get_for_user(request.user, attempt_id)
        return Response(
            s.AttemptOutputSerializer(
                _attempt_data(attempt, _reading_language(request))
            ).data
        )


class AttemptSubmitApi(APIView):
    """Submit answers once; a repeated submit returns the recorded result."""

    @extend_schema(
        request=s.AttemptSubmitSerializer, responses=s.AttemptOutputSerializer
    )
    def post(self, request: Request, attempt_id: int) -> Response:
        attempt = selectors.attempt_get_for_user(request.user, attempt_id)
        data = s.AttemptSubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answers: dict[int, Any] = {}
        for key, value in data.validated_data["answers"].items():
            if not str(key).isdigit():
                raise ValidationError({"answers": [f"Unknown question id: {key}"]})
            answers[int(key)] = value
        attempt = quizzes.attempt_submit(
            user=acting_user(request), attempt=attempt, answers=answers
        )
        attempt = selectors.attempt_get_for_user(request.user, attempt.pk)
        return Response(
            s.AttemptOutputSerializer(
                _attempt_data(attempt, _reading_language(request))
            ).data
        )


class CertificateListApi(ListAPIView):
    """The user's transcript."""

    serializer_class = s.CertificateOutputSerializer
    ordering = ("-issued_at", "-pk")

    def get_queryset(self):
        return selectors.certificates_for(self.request.user)


class CohortProgressApi(ListAPIView):
    """A cohort's learners' progress, for its mentors and administrators.

    Paged by learner name (keyset cursor); progress is read for the page only.
    """

    serializer_class = s.ProgressRowSerializer
    ordering = ("user__display_name", "pk")

    def get_queryset(self):
        cohort = cpd_selectors.cohort_get_for_user(
            self.request.user, self.kwargs["cohort_id"]
        )
        if not policies.can_view_progress(self.request.user, cohort):
            raise PermissionDenied
        self.cohort = cohort
        return selectors.cohort_learners(cohort)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        members = self.paginate_queryset(self.get_queryset()) or []
        rows = selectors.learner_progress_for_cohort(
            cohort=self.cohort, user_ids=[m.user_id for m in members]
        )
        data = [
            {**rows[m.user_id].__dict__, "display_name": m.user.display_name}
            for m in members
        ]
        return self.get_paginated_response(self.get_serializer(data, many=True).data)


class SessionListApi(ListAPIView):
    """Face-to-face sessions not yet over in the user's cohorts; POST schedules one."""

    serializer_class = s.SessionOutputSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.upcoming_sessions_for(self.request.user)

    @extend_schema(
        request=s.SessionInputSerializer, responses={201: s.SessionOutputSerializer}
    )
    def post(self, request: Request) -> Response:
        data = s.SessionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        cohort = cpd_selectors.cohort_get_for_user(request.user, values.pop("cohort"))
        session = sessions.session_schedule(
            actor=acting_user(request),
            cohort=cohort,
            module_id=values.pop("module", None),
            facilitator_id=values.pop("facilitator", None),
            **values,
        )
        return Response(
            s.SessionOutputSerializer(session).data, status=status.HTTP_201_CREATED
        )


def _session_with_register(request: Request, session_id: int) -> Session:
    """The session, with the register for those who take attendance."""
    session = selectors.session_get_for_user(request.user, session_id)
    can_mark = policies.can_take_attendance(request.user, session.cohort)
    present = selectors.attended_user_ids(session)
    session.can_take_attendance = can_mark  # type: ignore[attr-defined]
    session.register_open = sessions.register_is_open(session)  # type: ignore[attr-defined]
    session.you_attended = request.user.pk in present  # type: ignore[attr-defined]
    session.learners = (  # type: ignore[attr-defined]
        [
            {
                "id": m.user_id,
                "display_name": m.user.display_name,
                "present": m.user_id in present,
            }
            for m in selectors.cohort_learners(session.cohort)
        ]
        if can_mark
        else []
    )
    return session


class SessionDetailApi(APIView):
    """One session; its mentors and administrators also get the register."""

    @extend_schema(responses=s.SessionDetailSerializer)
    def get(self, request: Request, session_id: int) -> Response:
        session = _session_with_register(request, session_id)
        return Response(s.SessionDetailSerializer(session).data)


class SessionAttendanceApi(APIView):
    """Mark one learner present or absent (idempotent)."""

    @extend_schema(
        request=s.AttendanceInputSerializer, responses=s.SessionDetailSerializer
    )
    def post(self, request: Request, session_id: int) -> Response:
        session = selectors.session_get_for_user(request.user, session_id)
        data = s.AttendanceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        sessions.attendance_set(
            actor=acting_user(request),
            session=session,
            learner_id=data.validated_data["learner"],
            present=data.validated_data["present"],
        )
        session = _session_with_register(request, session_id)
        return Response(s.SessionDetailSerializer(session).data)


class SessionCheckInApi(APIView):
    """A learner checks in with a typed code or a scanned QR URL (idempotent).

    201 when this call marked the learner present, 200 when they already
    were; a wrong or expired code is a 400 on ``code``, too many tries a 429.
    """

    @extend_schema(
        request=s.SessionCheckInInputSerializer,
        responses={
            201: s.SessionCheckInOutputSerializer,
            200: s.SessionCheckInOutputSerializer,
        },
    )
    def post(self, request: Request) -> Response:
        data = s.SessionCheckInInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if "code" in values:
            result = checkin.attendance_check_in_by_code(
                actor=acting_user(request), code=values["code"]
            )
        else:
            session = selectors.session_get_for_user(request.user, values["session"])
            result = checkin.attendance_check_in(
                actor=acting_user(request),
                session=session,
                window=values["w"],
                signature=values["s"],
            )
        return Response(
            s.SessionCheckInOutputSerializer(result).data,
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )


class SessionCheckInCodeApi(APIView):
    """The session's current check-in code, for its facilitators (403 otherwise)."""

    @extend_schema(responses=s.SessionCheckInCodeSerializer)
    def get(self, request: Request, session_id: int) -> Response:
        session = selectors.session_get_for_user(request.user, session_id)
        code = checkin.check_in_code_current(
            actor=acting_user(request), session=session
        )
        data = {
            **code.__dict__,
            "url": request.build_absolute_uri(code.path),
            "checked_in": len(selectors.attended_user_ids(session)),
            "learners": selectors.session_learner_count(session),
        }
        return Response(s.SessionCheckInCodeSerializer(data).data)


class CourseMarkdownApi(APIView):
    """A whole course as Markdown, for course authors (staff)."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "lang",
                OpenApiTypes.STR,
                enum=["en", "fr", "pt", "sw", "ar"],
                description="the course in this language: its translation where "
                "there is one, the original text elsewhere (a translator's template)",
            )
        ],
        responses=s.CourseMarkdownSerializer,
    )
    def get(self, request: Request, course_id: int) -> Response:
        course = selectors.course_for_authoring(course_id)
        if not policies.can_author_courses(request.user):
            selectors.course_get_for_user(request.user, course_id)  # 404 if unseen
            raise PermissionDenied
        if course is None:
            raise NotFound
        language = request.query_params.get("lang")
        if language is not None and language not in dict(settings.LANGUAGES):
            raise DRFValidationError({"lang": [_("Not a language of this site.")]})
        text = selectors.course_markdown(course, language)
        return Response(
            {
                "slug": course.slug,
                "markdown": text,
                "problems": markdown_io.problems(text),
            }
        )


class CourseImportApi(APIView):
    """Create (or replace) a course from Markdown, all or nothing; staff only."""

    @extend_schema(
        request=s.CourseImportSerializer, responses={201: s.CourseCreatedSerializer}
    )
    def post(self, request: Request) -> Response:
        data = s.CourseImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        course = course_import(
            text=data.validated_data["markdown"],
            actor=acting_user(request),
            replace=data.validated_data["replace"],
        )
        language = markdown_io.parse(data.validated_data["markdown"]).language
        return Response(
            {
                "id": course.pk,
                "slug": course.slug,
                "title": course.title,
                "language": language,
                "translation": language != course.language,
            },
            status=status.HTTP_201_CREATED,
        )


class CourseReportApi(APIView):
    """A course's report: lessons, questions, gain and satisfaction (aggregates)."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "cohort",
                OpenApiTypes.INT,
                description="only this cohort (one of those you report on)",
            )
        ],
        responses=s.CourseReportOutputSerializer,
    )
    def get(self, request: Request, course_id: int) -> Response:
        scope = selectors.course_report_scope(
            request.user, course_id, request.query_params.get("cohort")
        )
        report = selectors.course_report(scope)
        return Response(s.CourseReportOutputSerializer(report).data)


class CourseSurveyApi(APIView):
    """The end-of-course survey: its items (GET) and the learner's answer (POST).

    A repeated POST records nothing more and answers 200 with recorded=false.
    """

    def _survey(self, request: Request, course_id: int) -> Any:
        survey = selectors.survey_get_for_user(request.user, course_id)
        if not policies.can_answer_survey(request.user, survey.course):
            raise PermissionDenied(_("Only the course's learners answer its survey."))
        return survey

    @extend_schema(responses=s.SurveyOutputSerializer)
    def get(self, request: Request, course_id: int) -> Response:
        survey = self._survey(request, course_id)
        responded = selectors.survey_has_responded(request.user, survey)
        data = {
            "course": survey.course.pk,
            "is_open": survey.is_open,
            "revision": survey.revision,
            "reached_end": responded
            or selectors.survey_reached_end(request.user, survey.course),
            "responded": responded,
            "items": list(survey.items.all()),
        }
        return Response(s.SurveyOutputSerializer(data).data)

    @extend_schema(
        request=s.SurveyAnswerInputSerializer,
        responses={201: s.SurveyAnsweredSerializer, 200: s.SurveyAnsweredSerializer},
    )
    def post(self, request: Request, course_id: int) -> Response:
        survey = self._survey(request, course_id)
        data = s.SurveyAnswerInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answers: dict[int, Any] = {}
        for key, value in data.validated_data["answers"].items():
            if not str(key).isdecimal() or len(str(key)) > 12:
                raise ValidationError({"answers": [f"Unknown item id: {key}"]})
            answers[int(key)] = value
        _row, created = survey_service.survey_respond(
            actor=acting_user(request),
            survey=survey,
            answers=answers,
            revision=data.validated_data.get("revision"),
        )
        return Response(
            {"recorded": created},
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


def _editor_course(request: Request, course_id: int) -> Any:
    """The course whose survey the caller manages: 404 unseen, 403 not an author."""
    return selectors.survey_course_for_editing(request.user, course_id)


def _editor_data(course: Any) -> Any:
    editor = selectors.survey_editor(course)
    if editor.survey is None:
        raise NotFound(_("No survey for this course."))
    return s.SurveyEditorSerializer(editor).data


def _editor_item(course: Any, item_id: int) -> Any:
    editor = selectors.survey_editor(course)
    for item in editor.items:
        if item.pk == item_id and editor.survey is not None:
            item.survey = editor.survey
            return item
    raise NotFound(_("No such item in this course's survey."))


class CourseSurveyManageApi(APIView):
    """A course's survey for its authors: read (GET), attach (POST), open or
    close (PATCH), remove (DELETE, only while nobody has answered).

    Items with answers keep their meaning: see the items endpoints.
    """

    @extend_schema(responses=s.SurveyEditorSerializer)
    def get(self, request: Request, course_id: int) -> Response:
        return Response(_editor_data(_editor_course(request, course_id)))

    @extend_schema(
        request=s.SurveyAttachInputSerializer,
        responses={201: s.SurveyEditorSerializer, 200: s.SurveyEditorSerializer},
    )
    def post(self, request: Request, course_id: int) -> Response:
        course = _editor_course(request, course_id)
        data = s.SurveyAttachInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        items = data.validated_data.get("items")
        _survey, created = survey_service.survey_attach(
            actor=acting_user(request),
            course=course,
            items=None
            if items is None
            else [(item["kind"], item["text"]) for item in items],
            is_open=data.validated_data["is_open"],
        )
        return Response(
            _editor_data(course),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        request=s.SurveyPatchInputSerializer, responses=s.SurveyEditorSerializer
    )
    def patch(self, request: Request, course_id: int) -> Response:
        course = _editor_course(request, course_id)
        data = s.SurveyPatchInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        survey = selectors.survey_editor(course).survey
        if survey is None:
            raise NotFound(_("No survey for this course."))
        survey_service.survey_set_open(
            actor=acting_user(request),
            survey=survey,
            is_open=data.validated_data["is_open"],
        )
        return Response(_editor_data(course))

    @extend_schema(responses={204: None})
    def delete(self, request: Request, course_id: int) -> Response:
        course = _editor_course(request, course_id)
        survey = selectors.survey_editor(course).survey
        if survey is None:
            raise NotFound(_("No survey for this course."))
        survey_service.survey_detach(actor=acting_user(request), survey=survey)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CourseSurveyItemsApi(APIView):
    """Add an item to a course's survey (allowed at any time)."""

    @extend_schema(
        request=s.SurveyItemAddInputSerializer,
        responses={201: s.SurveyEditorSerializer},
    )
    def post(self, request: Request, course_id: int) -> Response:
        course = _editor_course(request, course_id)
        data = s.SurveyItemAddInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        survey = selectors.survey_editor(course).survey
        if survey is None:
            raise NotFound(_("No survey for this course."))
        survey.course = course
        survey_service.survey_item_add(
            actor=acting_user(request),
            survey=survey,
            kind=data.validated_data["kind"],
            text=data.validated_data["text"],
            position=data.validated_data.get("position"),
        )
        return Response(_editor_data(course), status=status.HTTP_201_CREATED)


class CourseSurveyItemApi(APIView):
    """Change one item (PATCH: text, kind, position, retired) or delete it.

    An item someone answered refuses a new text or kind and deletion (400):
    retire it instead; moving and retiring it are allowed.
    """

    @extend_schema(
        request=s.SurveyItemPatchInputSerializer, responses=s.SurveyEditorSerializer
    )
    def patch(self, request: Request, course_id: int, item_id: int) -> Response:
        course = _editor_course(request, course_id)
        item = _editor_item(course, item_id)
        data = s.SurveyItemPatchInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        survey_service.survey_item_update(
            actor=acting_user(request), item=item, **data.validated_data
        )
        return Response(_editor_data(course))

    @extend_schema(responses={204: None})
    def delete(self, request: Request, course_id: int, item_id: int) -> Response:
        course = _editor_course(request, course_id)
        item = _editor_item(course, item_id)
        survey_service.survey_item_delete(actor=acting_user(request), item=item)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CohortEngagementGainApi(APIView):
    """Days active against knowledge gain, with Spearman's rho (points: admins)."""

    @extend_schema(responses=s.CohortEngagementGainOutputSerializer)
    def get(self, request: Request, cohort_id: int) -> Response:
        cohort = cpd_selectors.cohort_get_for_user(request.user, cohort_id)
        if not policies.can_view_engagement_gain(request.user, cohort):
            raise PermissionDenied(_("Only the cohort's mentors and administrators."))
        show_points = policies.can_view_engagement_points(request.user, cohort)
        return Response(
            s.CohortEngagementGainOutputSerializer(
                engagement_gain(cohort), context={"show_points": show_points}
            ).data
        )
