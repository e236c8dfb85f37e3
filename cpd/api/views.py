"""REST endpoints for the current user, cohorts, members, invitations and tokens."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cpd import policies, report_parts, reports, selectors, services
from cpd.api import serializers as s
from cpd.auth import acting_user
from cpd.invitations.api import CohortInvitationListApi


class ApiRootApi(APIView):
    """Where to start: links to the current user, their cohorts and the schema."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: dict})
    def get(self, request: Request) -> Response:
        def link(name: str) -> str:
            return request.build_absolute_uri(reverse(name))

        return Response(
            {
                "me": link("api-me"),
                "cohorts": link("api-cohort-list"),
                "token": link("api-token"),
                "schema": link("api-schema"),
                "docs": link("api-docs"),
            }
        )


class MeApi(APIView):
    """The signed-in user; PATCH edits one's own profile."""

    @extend_schema(responses=s.UserOutputSerializer)
    def get(self, request: Request) -> Response:
        return Response(s.UserOutputSerializer(request.user).data)

    @extend_schema(request=s.ProfileInputSerializer, responses=s.UserOutputSerializer)
    def patch(self, request: Request) -> Response:
        data = s.ProfileInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_update_profile(
            user=acting_user(request), **data.validated_data
        )
        return Response(s.UserOutputSerializer(user).data)


class CohortListApi(ListAPIView):
    """Cohorts the user may see."""

    serializer_class = s.CohortOutputSerializer
    ordering = ("-starts_on", "name", "pk")

    def get_queryset(self):
        return selectors.cohort_list_for_user(self.request.user)


class CohortDetailApi(APIView):
    """One cohort; 404 for cohorts the user is not part of."""

    @extend_schema(responses=s.CohortOutputSerializer)
    def get(self, request: Request, cohort_id: int) -> Response:
        cohort = selectors.cohort_get_for_user(request.user, cohort_id)
        return Response(
            s.CohortOutputSerializer(cohort, context={"request": request}).data
        )


class CohortReportApi(APIView):
    """A cohort's engagement report (mentors and administrators; rows: admins)."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "rows",
                OpenApiTypes.BOOL,
                description="include one row per learner (administrators only)",
            )
        ],
        responses=s.CohortReportOutputSerializer,
    )
    def get(self, request: Request, cohort_id: int) -> Response:
        cohort = selectors.cohort_get_for_user(request.user, cohort_id)
        if not policies.can_view_cohort_report(request.user, cohort):
            raise PermissionDenied(_("Only the cohort's mentors and administrators."))
        report = reports.cohort_report(cohort)
        show_rows = request.query_params.get("rows") in {"1", "true"} and (
            policies.can_view_learner_rows(request.user, cohort)
        )
        return Response(
            s.CohortReportOutputSerializer(
                report,
                context={
                    "show_rows": show_rows,
                    "parts": report_parts.cohort_parts(cohort),
                },
            ).data
        )


class CohortMemberListApi(ListAPIView):
    """Members of a cohort the user belongs to; 404 for anyone else."""

    serializer_class = s.MembershipOutputSerializer
    ordering = ("role", "user__display_name", "pk")

    def get_queryset(self):
        cohort = selectors.cohort_get_for_user(
            self.request.user, self.kwargs["cohort_id"]
        )
        return selectors.cohort_members(cohort)


class InvitationCreateApi(CohortInvitationListApi):
    """Administrators invite a person to a cohort by email or phone (POST).

    GET lists the cohort's invitations with their status (``?status=``).
    """

    @extend_schema(
        request=s.InvitationInputSerializer,
        responses={201: s.InvitationOutputSerializer},
    )
    def post(self, request: Request, cohort_id: int) -> Response:
        cohort = selectors.cohort_get_for_user(request.user, cohort_id)
        if not policies.can_invite_to_cohort(request.user, cohort):
            raise PermissionDenied(_("Only the cohort's administrators can invite."))
        data = s.InvitationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = services.invitation_create(
            actor=acting_user(request), cohort=cohort, **data.validated_data
        )
        url = request.build_absolute_uri(
            reverse("invitation-open", args=[invitation.token])
        )
        out = s.InvitationOutputSerializer(
            {
                "id": invitation.pk,
                "role": invitation.role,
                "email": invitation.email,
                "phone": invitation.phone,
                "expires_at": invitation.expires_at,
                "url": url,
            }
        )
        return Response(out.data, status=status.HTTP_201_CREATED)


class TokenCreateApi(APIView):
    """Exchange email-or-phone and password for an API token (throttled)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_scope = "token"

    def get_throttles(self):
        from rest_framework.throttling import ScopedRateThrottle

        return [ScopedRateThrottle()]

    @extend_schema(request=s.TokenInputSerializer, responses=s.TokenOutputSerializer)
    def post(self, request: Request) -> Response:
        data = s.TokenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        login = data.validated_data["login"].strip()
        key = "email" if "@" in login else "phone"
        user = authenticate(
            request._request, password=data.validated_data["password"], **{key: login}
        )
        if getattr(request._request, "axes_locked_out", False):
            return Response(
                {"detail": _("Too many failed sign-in attempts. Wait 5 minutes.")},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        if user is None:
            return Response(
                {"non_field_errors": [_("The login or password is not right.")]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response({"token": services.api_token_for(user=user).key})


class ImageUploadApi(APIView):
    """Upload an image (multipart) to a cohort; it comes back re-encoded."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request=s.ImageInputSerializer, responses={201: s.ImageOutputSerializer}
    )
    def post(self, request: Request) -> Response:
        data = s.ImageInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cohort_id = data.validated_data["cohort"]
        cohort = (
            selectors.cohort_get_for_user(request.user, cohort_id)
            if cohort_id is not None
            else None
        )
        image = services.image_upload(
            actor=acting_user(request),
            cohort=cohort,
            file=data.validated_data["file"],
            no_identifiers_confirmed=data.validated_data["no_identifiers_confirmed"],
        )
        return Response(
            s.ImageOutputSerializer(image).data, status=status.HTTP_201_CREATED
        )


class ImageHideApi(APIView):
    """A cohort's mentor or administrator hides an image."""

    @extend_schema(
        request=s.ImageHideInputSerializer, responses=s.ImageOutputSerializer
    )
    def post(self, request: Request, image_id: int) -> Response:
        image = selectors.image_get_for_user(request.user, image_id)
        data = s.ImageHideInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        image = services.image_hide(
            actor=acting_user(request),
            image=image,
            reason=data.validated_data["reason"],
        )
        return Response(s.ImageOutputSerializer(image).data)
