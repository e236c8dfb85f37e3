"""JSON endpoints: the inbox, marking read, preferences and push subscriptions."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cpd import selectors as cpd_selectors
from cpd.auth import acting_user
from cpd.notifications import policies, selectors, services
from cpd.notifications.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    Mode,
    Notification,
)


class NotificationOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "text", "url", "created_at", "read_at"]


class PreferenceSerializer(serializers.Serializer):
    kind = serializers.CharField()
    channel = serializers.ChoiceField(choices=Channel.choices)
    mode = serializers.ChoiceField(choices=Mode.choices)


class PushSubscriptionInputSerializer(serializers.Serializer):
    endpoint = serializers.URLField(max_length=500)
    p256dh = serializers.CharField(max_length=200)
    auth = serializers.CharField(max_length=100)


class NotificationListApi(ListAPIView):
    """The signed-in person's notifications, newest first (paged)."""

    serializer_class = NotificationOutputSerializer

    def get_queryset(self) -> Any:
        return selectors.inbox(self.request.user)


class NotificationReadApi(APIView):
    """Mark one of one's own notifications read (404 for anyone else's)."""

    @extend_schema(request=None, responses=NotificationOutputSerializer)
    def post(self, request: Request, notification_id: int) -> Response:
        notification = selectors.notification_get_for_user(
            request.user,
            notification_id,
        )
        services.mark_read(actor=acting_user(request), notification=notification)
        return Response(NotificationOutputSerializer(notification).data)


class MarkedOutputSerializer(serializers.Serializer):
    marked = serializers.IntegerField()


class NotificationReadAllApi(APIView):
    @extend_schema(request=None, responses=MarkedOutputSerializer)
    def post(self, request: Request) -> Response:
        return Response({"marked": services.mark_all_read(actor=acting_user(request))})


class PreferenceApi(APIView):
    """Each kind and channel with the person's mode; PUT a list to change some."""

    @extend_schema(responses=PreferenceSerializer(many=True))
    def get(self, request: Request) -> Response:
        rows = [
            {"kind": kind.name, "channel": channel, "mode": mode}
            for kind, modes in selectors.preferences_table(request.user)
            for channel, mode in modes.items()
        ]
        return Response(PreferenceSerializer(rows, many=True).data)

    @extend_schema(
        request=PreferenceSerializer(many=True),
        responses=PreferenceSerializer(many=True),
    )
    def put(self, request: Request) -> Response:
        data = PreferenceSerializer(data=request.data, many=True)
        data.is_valid(raise_exception=True)
        try:
            services.preferences_set(
                actor=acting_user(request),
                choices={
                    (r["kind"], r["channel"]): r["mode"] for r in data.validated_data
                },
            )
        except KeyError as error:
            raise serializers.ValidationError(
                {"kind": [f"unknown kind {error}"]}
            ) from error
        return self.get(request)


class PushSubscriptionApi(APIView):
    """Register (POST) or forget (DELETE) this browser's web-push endpoint."""

    @extend_schema(request=PushSubscriptionInputSerializer, responses={201: None})
    def post(self, request: Request) -> Response:
        data = PushSubscriptionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.push_subscribe(actor=acting_user(request), **data.validated_data)
        return Response(status=status.HTTP_201_CREATED)

    @extend_schema(request=PushSubscriptionInputSerializer, responses={204: None})
    def delete(self, request: Request) -> Response:
        data = request.data if isinstance(request.data, dict) else {}
        endpoint = str(data.get("endpoint", ""))
        services.push_unsubscribe(actor=acting_user(request), endpoint=endpoint)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _admin_cohort(request: Request, cohort_id: int) -> Any:
    """The cohort if the user administers it (404 unseen, 403 by role)."""
    cohort = cpd_selectors.cohort_get_for_user(request.user, cohort_id)
    if not policies.can_manage_cohort_notifications(request.user, cohort):
        raise PermissionDenied(_("Only the cohort's administrators."))
    return cohort


class CohortDefaultApi(APIView):
    """A cohort's default mode per kind and channel; PUT a list to change some."""

    @extend_schema(responses=PreferenceSerializer(many=True))
    def get(self, request: Request, cohort_id: int) -> Response:
        cohort = _admin_cohort(request, cohort_id)
        rows = [
            {"kind": kind.name, "channel": channel, "mode": mode}
            for kind, modes in selectors.cohort_defaults_table(cohort)
            for channel, mode in modes.items()
        ]
        return Response(PreferenceSerializer(rows, many=True).data)

    @extend_schema(
        request=PreferenceSerializer(many=True),
        responses=PreferenceSerializer(many=True),
    )
    def put(self, request: Request, cohort_id: int) -> Response:
        cohort = _admin_cohort(request, cohort_id)
        data = PreferenceSerializer(data=request.data, many=True)
        data.is_valid(raise_exception=True)
        services.cohort_defaults_set(
            actor=acting_user(request),
            cohort=cohort,
            choices={(r["kind"], r["channel"]): r["mode"] for r in data.validated_data},
        )
        return self.get(request, cohort_id)


class DeliveryOutputSerializer(serializers.ModelSerializer):
    recipient = serializers.CharField(source="notification.user.display_name")
    kind = serializers.CharField(source="notification.kind")
    text = serializers.CharField(source="notification.text")

    class Meta:
        model = Delivery
        fields = [
            "id",
            "recipient",
            "kind",
            "text",
            "channel",
            "status",
            "provider_id",
            "cost",
            "error",
            "created_at",
            "updated_at",
        ]


class DeliveryFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=DeliveryStatus.choices, required=False)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)


class DeliveryLogApi(ListAPIView):
    """A cohort's delivery log for its administrators, newest first (paged)."""

    serializer_class = DeliveryOutputSerializer

    @extend_schema(parameters=[DeliveryFilterSerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        cohort = _admin_cohort(self.request, self.kwargs["cohort_id"])
        filters = DeliveryFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.delivery_log(
            self.request.user,
            cohort,
            status=filters.validated_data.get("status", ""),
            channel=filters.validated_data.get("channel", ""),
        )
