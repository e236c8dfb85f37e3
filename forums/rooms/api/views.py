"""REST endpoints for rooms and their messages (same rules as the pages)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cpd.auth import acting_user
from cpd.models import Image
from cpd.selectors import images_for_attachment
from forums.rooms import events, selectors, services
from forums.rooms.api import serializers as s


def _image(request: Request, image_id: int | None) -> Image | None:
    """The client-sent image id through the one attachment lookup (forums' too).

    Its error names this endpoint's field, ``image``.
    """
    if not image_id:
        return None
    try:
        return images_for_attachment(request.user, [image_id])[0]
    except DjangoValidationError as exc:
        raise ValidationError({"image": exc.message_dict["images"]}) from exc


class RoomListApi(ListAPIView):
    """Rooms of the user's cohorts."""

    serializer_class = s.RoomOutputSerializer
    ordering = ("state", "-kind", "-created_at", "-pk")

    def get_queryset(self):
        return selectors.room_list_for_user(self.request.user)


class RoomDetailApi(APIView):
    """One room; 404 outside its cohort."""

    @extend_schema(responses=s.RoomOutputSerializer)
    def get(self, request: Request, room_id: int) -> Response:
        room = selectors.room_get_for_user(request.user, room_id)
        return Response(s.RoomOutputSerializer(room).data)


class RoomMessagesApi(APIView):
    """Messages by number (``?after=<seq>``, up to 200), and posting one."""

    @extend_schema(
        parameters=[OpenApiParameter("after", int, description="last seq seen")],
        responses=s.RoomMessageListOutputSerializer,
    )
    def get(self, request: Request, room_id: int) -> Response:
        room = selectors.room_get_for_user(request.user, room_id)
        raw = request.query_params.get("after", "0")
        if not raw.isdigit():
            raise ValidationError({"after": [_("Give a message number.")]})
        batch = selectors.room_messages_after(room, int(raw))
        return Response(
            {
                "messages": [events.message_payload(m) for m in batch],
                "state": room.state,
                "last_seq": room.last_seq,
            }
        )

    @extend_schema(
        request=s.RoomMessageInputSerializer,
        responses={
            201: s.RoomMessageOutputSerializer,
            200: s.RoomMessageOutputSerializer,
        },
    )
    def post(self, request: Request, room_id: int) -> Response:
        room = selectors.room_get_for_user(request.user, room_id)
        data = s.RoomMessageInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        image = _image(request, data.validated_data.get("image"))
        before = room.last_seq
        message = services.message_post(
            actor=acting_user(request),
            room=room,
            body=data.validated_data["body"],
            client_key=data.validated_data["client_key"],
            reply_to_seq=data.validated_data.get("reply_to"),
            image=image,
        )
        created = message.seq > before
        return Response(
            events.message_payload(message),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
