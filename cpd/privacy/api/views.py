"""REST endpoints for privacy: one's exports and erasure, admins' confirmations."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cpd.auth import acting_user
from cpd.privacy import policies, selectors, services
from cpd.privacy.api import serializers as s
from cpd.privacy.models import ErasureRequest


class ExportListCreateApi(APIView):
    """GET one's latest exports; POST asks for a new one (202: being prepared)."""

    @extend_schema(responses=s.ExportOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        exports = selectors.export_list_for_user(request.user)
        return Response(
            s.ExportOutputSerializer(
                exports, many=True, context={"request": request}
            ).data
        )

    @extend_schema(request=None, responses={202: s.ExportOutputSerializer})
    def post(self, request: Request) -> Response:
        export = services.export_request(actor=acting_user(request))
        export.refresh_from_db()  # an eager task may have finished it already
        return Response(
            s.ExportOutputSerializer(export, context={"request": request}).data,
            status=status.HTTP_202_ACCEPTED,
        )


class ErasureApi(APIView):
    """GET one's waiting erasure request (404 if none); POST asks; DELETE cancels."""

    @extend_schema(responses={200: s.ErasureOutputSerializer, 404: None})
    def get(self, request: Request) -> Response:
        pending = selectors.erasure_pending_for_user(request.user)
        if pending is None:
            raise NotFound(_("No erasure request is waiting."))
        return Response(s.ErasureOutputSerializer(pending).data)

    @extend_schema(
        request=s.ErasureInputSerializer, responses={201: s.ErasureOutputSerializer}
    )
    def post(self, request: Request) -> Response:
        data = s.ErasureInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        erasure = services.erasure_request(actor=acting_user(request))
        return Response(
            s.ErasureOutputSerializer(erasure).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(responses={204: None, 404: None})
    def delete(self, request: Request) -> Response:
        pending = selectors.erasure_pending_for_user(request.user)
        if pending is None:
            raise NotFound(_("No erasure request is waiting."))
        services.erasure_cancel(actor=acting_user(request), request=pending)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ErasureQueueApi(ListAPIView[ErasureRequest]):
    """Administrators: waiting erasure requests of their organisations' people."""

    serializer_class = s.ErasureOutputSerializer

    def get_queryset(self):
        return selectors.erasure_queue_for_admin(self.request.user)


class ErasureConfirmApi(APIView):
    """An administrator of the person's organisation confirms their erasure."""

    @extend_schema(request=None, responses=s.ErasureOutputSerializer)
    def post(self, request: Request, request_id: int) -> Response:
        erasure = selectors.erasure_get_for_user(request.user, request_id)
        if not policies.can_confirm_erasure(request.user, erasure):
            raise PermissionDenied(
                _("Only an administrator of this person's organisation can confirm.")
            )
        erasure = services.erasure_confirm(actor=acting_user(request), request=erasure)
        return Response(s.ErasureOutputSerializer(erasure).data)


class OrganisationPrivacyApi(APIView):
    """An organisation's admins read and set what erasure does to certificates."""

    @extend_schema(responses=s.OrganisationPrivacyOutputSerializer)
    def get(self, request: Request, organisation_id: int) -> Response:
        organisation = selectors.organisation_get_for_admin(
            request.user, organisation_id
        )
        choices = dict(selectors.organisations_with_privacy_for_admin(request.user))
        return Response(
            {
                "organisation": organisation.pk,
                "certificates_on_erasure": choices[organisation],
            }
        )

    @extend_schema(
        request=s.OrganisationPrivacyInputSerializer,
        responses=s.OrganisationPrivacyOutputSerializer,
    )
    def put(self, request: Request, organisation_id: int) -> Response:
        organisation = selectors.organisation_get_for_admin(
            request.user, organisation_id
        )
        data = s.OrganisationPrivacyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.organisation_privacy_set(
            actor=acting_user(request),
            organisation=organisation,
            **data.validated_data,
        )
        return Response(s.OrganisationPrivacyOutputSerializer(row).data)
