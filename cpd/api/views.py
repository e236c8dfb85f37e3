"""REST endpoints for the current user, cohorts, members, invitations and tokens."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cpd import policies, selectors, services
from cpd.api import serializers as s


class MeApi(APIView):
    """The signed-in user; PATCH edits one's own profile."""

    @extend_schema(responses=s.UserOutputSerializer)
    def get(self, request: Request) -> Response:
        return Response(s.UserOutputSerializer(request.user).data)

    @extend_schema(request=s.ProfileInputSerializer, responses=s.UserOutputSerializer)
    def patch(self, request: Request) -> Response:
        data = s.ProfileInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_update_profile(user=request.user, **data.validated_data)
        return Response(s.UserOutputSerializer(user).data)


class CohortListApi(GenericAPIView):
    """Cohorts the user may see."""

    serializer_class = s.CohortOutputSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.cohort_list_for_user(self.request.user)

    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        data = self.get_serializer(page, many=True).data
        return self.get_paginated_response(data)


class CohortDetailApi(APIView):
    """One cohort; 404 for cohorts the user is not part of."""

    @extend_schema(responses=s.CohortOutputSerializer)
    def get(self, request: Request, cohort_id: int) -> Response:
        cohort = selectors.cohort_get_for_user(request.user, cohort_id)
        return Response(
            s.CohortOutputSerializer(cohort, context={"request": request}).data
        )


class CohortMemberListApi(GenericAPIView):
    """Members of a cohort the user belongs to."""

    serializer_class = s.MembershipOutputSerializer

    def get(self, request: Request, cohort_id: int) -> Response:
        cohort = selectors.cohort_get_for_user(request.user, cohort_id)
        page = self.paginate_queryset(selectors.cohort_members(cohort))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class InvitationCreateApi(APIView):
    """Administrators invite a person to a cohort by email or phone."""

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
            actor=request.user, cohort=cohort, **data.validated_data
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

    def get_throttles(self):  # type: ignore[no-untyped-def]
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
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
