"""REST endpoints: a cohort's invitations (list, resend, revoke, expiry), its join
links (create, list, revoke), and joining by code. Same policies as the pages."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cpd import policies, selectors
from cpd.auth import acting_user
from cpd.invitations import selectors as inv_selectors
from cpd.invitations import services as inv_services
from cpd.invitations.services import JOIN_LINK_MAX_USES
from cpd.models import Cohort, Invitation, JoinLink, Role


def managed_cohort(request: Request, cohort_id: int) -> Cohort:
    """The cohort if the user administers it: 404 unseen, 403 for other members."""
    cohort = selectors.cohort_get_for_user(request.user, cohort_id)
    if not policies.can_manage_invitations(request.user, cohort):
        raise PermissionDenied(_("Only the cohort's administrators."))
    return cohort


class JoinedBySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()


class InvitationListOutputSerializer(serializers.ModelSerializer):
    status = serializers.CharField(
        help_text="pending, sent, unconfirmed, joined, expired, revoked"
    )
    # A plain string: the choice set (with "") would clash in the schema with
    # the input's language enum.
    language = serializers.CharField(help_text="the invitee's language, or empty")
    joined_by = JoinedBySerializer(source="accepted_by", allow_null=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = [
            "id",
            "role",
            "email",
            "phone",
            "language",
            "status",
            "created_at",
            "sent_at",
            "delivered_at",
            "expires_at",
            "accepted_at",
            "revoked_at",
            "joined_by",
            "url",
        ]

    def get_url(self, invitation: Invitation) -> str:
        path = reverse("invitation-open", args=[invitation.token])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class CohortInvitationListApi(ListAPIView):
    """A cohort's invitations with their status; ``?status=`` filters (admins)."""

    serializer_class = InvitationListOutputSerializer
    ordering = ("-created_at", "-pk")

    def get_queryset(self) -> Any:
        cohort = managed_cohort(self.request, self.kwargs["cohort_id"])
        return inv_selectors.cohort_invitation_list(
            self.request.user,
            cohort,
            status=self.request.query_params.get("status", ""),
        )


def _invitation_out(request: Request, cohort: Cohort, invitation_id: int) -> Response:
    invitation = inv_selectors.invitation_get_for_admin(
        request.user, cohort, invitation_id
    )
    return Response(
        InvitationListOutputSerializer(invitation, context={"request": request}).data
    )


class InvitationResendApi(APIView):
    """Send an invitation again (its expiry extended if it had passed)."""

    @extend_schema(request=None, responses=InvitationListOutputSerializer)
    def post(self, request: Request, cohort_id: int, invitation_id: int) -> Response:
        cohort = managed_cohort(request, cohort_id)
        invitation = inv_selectors.invitation_get_for_admin(
            request.user, cohort, invitation_id
        )
        inv_services.invitation_resend(
            actor=acting_user(request), invitation=invitation
        )
        return _invitation_out(request, cohort, invitation_id)


class InvitationRevokeApi(APIView):
    """Revoke an unused invitation."""

    @extend_schema(request=None, responses=InvitationListOutputSerializer)
    def post(self, request: Request, cohort_id: int, invitation_id: int) -> Response:
        cohort = managed_cohort(request, cohort_id)
        invitation = inv_selectors.invitation_get_for_admin(
            request.user, cohort, invitation_id
        )
        inv_services.invitation_revoke(
            actor=acting_user(request), invitation=invitation
        )
        return _invitation_out(request, cohort, invitation_id)


class InvitationExpiryInputSerializer(serializers.Serializer):
    expires_at = serializers.DateTimeField()


class InvitationExpiryApi(APIView):
    """Set when an invitation expires (a moment in the future)."""

    @extend_schema(
        request=InvitationExpiryInputSerializer,
        responses=InvitationListOutputSerializer,
    )
    def post(self, request: Request, cohort_id: int, invitation_id: int) -> Response:
        cohort = managed_cohort(request, cohort_id)
        invitation = inv_selectors.invitation_get_for_admin(
            request.user, cohort, invitation_id
        )
        data = InvitationExpiryInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        inv_services.invitation_set_expiry(
            actor=acting_user(request),
            invitation=invitation,
            expires_at=data.validated_data["expires_at"],
        )
        return _invitation_out(request, cohort, invitation_id)


class JoinLinkOutputSerializer(serializers.ModelSerializer):
    usable = serializers.BooleanField(source="is_usable")
    url = serializers.SerializerMethodField()

    class Meta:
        model = JoinLink
        fields = [
            "id",
            "code",
            "role",
            "max_uses",
            "uses",
            "expires_at",
            "revoked_at",
            "created_at",
            "usable",
            "url",
        ]

    def get_url(self, link: JoinLink) -> str:
        path = reverse("join-open", args=[link.code])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class JoinLinkInputSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices, default=Role.LEARNER)
    max_uses = serializers.IntegerField(min_value=1, max_value=JOIN_LINK_MAX_USES)
    expires_at = serializers.DateTimeField()


class CohortJoinLinkListApi(ListAPIView):
    """GET: a cohort's join links; POST: share a new one (administrators)."""

    serializer_class = JoinLinkOutputSerializer
    ordering = ("-created_at", "-pk")

    def get_queryset(self) -> Any:
        cohort = managed_cohort(self.request, self.kwargs["cohort_id"])
        return inv_selectors.cohort_join_link_list(self.request.user, cohort)

    @extend_schema(
        request=JoinLinkInputSerializer, responses={201: JoinLinkOutputSerializer}
    )
    def post(self, request: Request, cohort_id: int) -> Response:
        cohort = managed_cohort(request, cohort_id)
        data = JoinLinkInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        link = inv_services.join_link_create(
            actor=acting_user(request), cohort=cohort, **data.validated_data
        )
        return Response(
            JoinLinkOutputSerializer(link, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class JoinLinkRevokeApi(APIView):
    """Withdraw a join link's code."""

    @extend_schema(request=None, responses=JoinLinkOutputSerializer)
    def post(self, request: Request, cohort_id: int, link_id: int) -> Response:
        cohort = managed_cohort(request, cohort_id)
        link = inv_selectors.join_link_get_for_admin(request.user, cohort, link_id)
        link = inv_services.join_link_revoke(actor=acting_user(request), link=link)
        return Response(
            JoinLinkOutputSerializer(link, context={"request": request}).data
        )


class JoinInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40)


class JoinOutputSerializer(serializers.Serializer):
    cohort = serializers.IntegerField(source="cohort_id")
    role = serializers.CharField()
    joined = serializers.BooleanField()


class JoinApi(APIView):
    """Join a cohort with a code (any case, spaces and dashes ignored).

    201 when the person joined, 200 when they were in the cohort already (no
    place used); 400 with a ``code`` error for an unknown, full, expired or
    revoked code; 429 after too many wrong codes.
    """

    @extend_schema(
        request=JoinInputSerializer,
        responses={200: JoinOutputSerializer, 201: JoinOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        data = JoinInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership, joined = inv_services.join_link_use(
            actor=acting_user(request), code=data.validated_data["code"]
        )
        out = JoinOutputSerializer(
            {
                "cohort_id": membership.cohort_id,
                "role": membership.role,
                "joined": joined,
            }
        )
        return Response(
            out.data, status=status.HTTP_201_CREATED if joined else status.HTTP_200_OK
        )
