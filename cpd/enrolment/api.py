"""/api/ endpoints of spreadsheet enrolment: upload, read, rows, confirm, cancel.

An upload answers 201 with the preview's counts (or 400 with ``file`` errors);
confirming answers 202: the rows are applied by a Celery task, whose progress
``GET /api/enrolments/{id}/`` reports.
"""

from __future__ import annotations

from typing import Any

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cpd import selectors as cpd_selectors
from cpd.auth import acting_user
from cpd.enrolment import policies, reading, selectors, services
from cpd.enrolment.models import EnrolmentImport, EnrolmentRow


class UploadInputSerializer(serializers.Serializer):
    file = serializers.FileField()

    def validate_file(self, value: Any) -> Any:
        if too_large := reading.size_error(value.size):
            raise serializers.ValidationError(too_large)
        return value


class EnrolmentOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = EnrolmentImport
        fields = [
            "id",
            "cohort",
            "filename",
            "status",
            "encoding",
            "delimiter",
            "columns",
            "ignored_columns",
            "blank_rows",
            "rows_total",
            "rows_done",
            "verdicts",
            "outcomes",
            "same_as",
            "created_at",
            "confirmed_at",
            "finished_at",
            "error",
            "stopped_at_row",
        ]
        read_only_fields = fields


class RowOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = EnrolmentRow
        fields = [
            "number",
            "name",
            "email",
            "phone",
            "role",
            "cadre",
            "facility",
            "district",
            "language",
            "mentor",
            "verdict",
            "message",
            "changes",
            "outcome",
            "outcome_message",
            "user",
        ]
        read_only_fields = fields


class EnrolmentUploadApi(APIView):
    """Upload a CSV or XLSX (multipart ``file``): checked, not applied."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request=UploadInputSerializer, responses={201: EnrolmentOutputSerializer}
    )
    def post(self, request: Request, cohort_id: int) -> Response:
        cohort = cpd_selectors.cohort_get_for_user(request.user, cohort_id)
        if not policies.can_enrol(request.user, cohort):
            raise PermissionDenied(policies.enrol_refusal(request.user, cohort))
        data = UploadInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        enrolment = services.enrolment_check(
            actor=acting_user(request),
            cohort=cohort,
            filename=upload.name or "",
            data=upload.read(),
        )
        return Response(
            EnrolmentOutputSerializer(enrolment).data, status=status.HTTP_201_CREATED
        )


class EnrolmentListApi(ListAPIView):
    """A cohort's enrolment files, newest first (administrators)."""

    serializer_class = EnrolmentOutputSerializer

    def get_queryset(self):
        cohort = cpd_selectors.cohort_get_for_user(
            self.request.user, self.kwargs["cohort_id"]
        )
        if not policies.can_list_enrolments(self.request.user, cohort):
            raise PermissionDenied(_("Only the cohort's administrators."))
        return selectors.enrolments_for_cohort(self.request.user, cohort)


class EnrolmentDetailApi(APIView):
    """One file's status, counts and progress."""

    @extend_schema(responses={200: EnrolmentOutputSerializer})
    def get(self, request: Request, enrolment_id: int) -> Response:
        enrolment = selectors.enrolment_get_for_user(request.user, enrolment_id)
        return Response(EnrolmentOutputSerializer(enrolment).data)


class EnrolmentRowListApi(ListAPIView):
    """Every row in the file's order; ``?verdict=error`` or ``?outcome=skipped``."""

    serializer_class = RowOutputSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("verdict", str, required=False),
            OpenApiParameter("outcome", str, required=False),
        ]
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        enrolment = selectors.enrolment_get_for_user(
            self.request.user, self.kwargs["enrolment_id"]
        )
        return selectors.enrolment_rows(
            enrolment,
            verdict=self.request.query_params.get("verdict", ""),
            outcome=self.request.query_params.get("outcome", ""),
        )


class EnrolmentConfirmApi(APIView):
    """Start applying a checked file: 202, then poll the file for progress."""

    @extend_schema(request=None, responses={202: EnrolmentOutputSerializer})
    def post(self, request: Request, enrolment_id: int) -> Response:
        enrolment = selectors.enrolment_get_for_user(request.user, enrolment_id)
        enrolment = services.enrolment_confirm(
            actor=acting_user(request), enrolment=enrolment
        )
        return Response(
            EnrolmentOutputSerializer(enrolment).data, status=status.HTTP_202_ACCEPTED
        )


class EnrolmentCancelApi(APIView):
    """Drop a checked file without applying it."""

    @extend_schema(request=None, responses={200: EnrolmentOutputSerializer})
    def post(self, request: Request, enrolment_id: int) -> Response:
        enrolment = selectors.enrolment_get_for_user(request.user, enrolment_id)
        enrolment = services.enrolment_cancel(
            actor=acting_user(request), enrolment=enrolment
        )
        return Response(EnrolmentOutputSerializer(enrolment).data)


urlpatterns = [
    path(
        "cohorts/<int:cohort_id>/enrolments/",
        EnrolmentListApi.as_view(),
        name="api-enrolment-list",
    ),
    path(
        "cohorts/<int:cohort_id>/enrolments/upload/",
        EnrolmentUploadApi.as_view(),
        name="api-enrolment-upload",
    ),
    path(
        "enrolments/<int:enrolment_id>/",
        EnrolmentDetailApi.as_view(),
        name="api-enrolment-detail",
    ),
    path(
        "enrolments/<int:enrolment_id>/rows/",
        EnrolmentRowListApi.as_view(),
        name="api-enrolment-rows",
    ),
    path(
        "enrolments/<int:enrolment_id>/confirm/",
        EnrolmentConfirmApi.as_view(),
        name="api-enrolment-confirm",
    ),
    path(
        "enrolments/<int:enrolment_id>/cancel/",
        EnrolmentCancelApi.as_view(),
        name="api-enrolment-cancel",
    ),
]
