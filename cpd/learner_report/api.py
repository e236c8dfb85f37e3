"""REST endpoint: one learner's report in a cohort (same policy as the page)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cpd import policies, selectors
from cpd.learner_report import selectors as lr
from cpd.learner_report.views import page_number


class LearnerReportWeekSerializer(serializers.Serializer):
    week_starting = serializers.DateField()
    days_active = serializers.IntegerField()


class LearnerTimelineEntrySerializer(serializers.Serializer):
    timestamp = serializers.DateTimeField()
    verb = serializers.CharField()
    text = serializers.CharField(help_text="the verb in plain words")
    detail = serializers.CharField(help_text="test kind, score, minutes read")


class LearnerReportOutputSerializer(serializers.Serializer):
    cohort = serializers.IntegerField(source="cohort.pk")
    learner = serializers.IntegerField(source="learner.pk")
    name = serializers.CharField(source="learner.display_name")
    enough_data = serializers.BooleanField(
        help_text="false: no statement in the last eight weeks"
    )
    weeks = serializers.SerializerMethodField()
    days_active = serializers.IntegerField()
    sessions = serializers.IntegerField(help_text="sign-ins")
    minutes = serializers.IntegerField(help_text="time on lessons")
    lessons_opened = serializers.IntegerField()
    lessons_completed = serializers.IntegerField()
    quizzes = serializers.IntegerField(help_text="quiz attempts submitted")
    attended = serializers.IntegerField(help_text="face-to-face sessions attended")
    threads = serializers.IntegerField()
    replies = serializers.IntegerField()
    helpful = serializers.IntegerField()
    accepted = serializers.IntegerField()
    room_messages = serializers.IntegerField()
    mentor_messages = serializers.IntegerField()
    checkins = serializers.IntegerField()
    social = serializers.IntegerField()
    last_active = serializers.DateTimeField(allow_null=True)
    parts = serializers.SerializerMethodField(
        help_text=(
            "other apps' figures by part: courses (lessons, pre/post and gain, "
            "attendance), cpd_hours (hours, certificates), mentor_contact "
            "(messages, check-ins, time to first mentor reply)"
        )
    )
    timeline = serializers.SerializerMethodField()
    timeline_page = serializers.SerializerMethodField()
    timeline_more = serializers.SerializerMethodField()

    @extend_schema_field(LearnerReportWeekSerializer(many=True))
    def get_weeks(self, report: Any) -> list[dict[str, Any]]:
        return [{"week_starting": w, "days_active": n} for w, n in report.weeks]

    @extend_schema_field(
        serializers.DictField(
            child=serializers.DictField(child=serializers.JSONField())
        )
    )
    def get_parts(self, report: Any) -> dict[str, Any]:
        return self.context["parts"]

    @extend_schema_field(LearnerTimelineEntrySerializer(many=True))
    def get_timeline(self, report: Any) -> list[dict[str, Any]]:
        return LearnerTimelineEntrySerializer(  # type: ignore[return-value]
            self.context["timeline"], many=True
        ).data

    @extend_schema_field(OpenApiTypes.INT)
    def get_timeline_page(self, report: Any) -> int:
        return self.context["page"]

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_timeline_more(self, report: Any) -> bool:
        return self.context["more"]


class LearnerReportApi(APIView):
    """One learner's report: the learner, their mentor, the cohort's administrators.

    404 for people outside the cohort and for ids that are not its learners;
    403 for the cohort's other mentors and learners.
    """

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "page", OpenApiTypes.INT, description="page of the timeline (25 each)"
            )
        ],
        responses=LearnerReportOutputSerializer,
    )
    def get(self, request: Request, cohort_id: int, user_id: int) -> Response:
        page = page_number(request.query_params.get("page"))
        if page is None:
            raise ValidationError({"page": _("The page must be a positive number.")})
        cohort = selectors.cohort_get_for_user(request.user, cohort_id)
        learner = lr.learner_get_for_report(request.user, cohort, user_id)
        if not policies.can_view_learner_report(request.user, cohort, learner.pk):
            raise PermissionDenied(
                _("Only the learner, their mentor and the cohort's administrators.")
            )
        report = lr.learner_report(cohort, learner)
        timeline, more = lr.learner_timeline(cohort, learner.pk, page=page)
        return Response(
            LearnerReportOutputSerializer(
                report,
                context={
                    "parts": lr.learner_parts(cohort, learner.pk),
                    "timeline": timeline,
                    "page": page,
                    "more": more,
                },
            ).data
        )
