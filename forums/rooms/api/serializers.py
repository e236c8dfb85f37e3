"""Shapes of rooms and room messages in the REST API."""

from __future__ import annotations

from rest_framework import serializers

from forums.rooms.models import Room
from forums.rooms.services import MAX_MESSAGE_CHARS


class RoomOutputSerializer(serializers.ModelSerializer):
    cohort = serializers.IntegerField(source="cohort_id")
    cohort_name = serializers.CharField(source="cohort.name")

    class Meta:
        model = Room
        fields = [
            "id",
            "cohort",
            "cohort_name",
            "kind",
            "title",
            "case_summary",
            "state",
            "last_seq",
            "archived_thread_id",
            "created_at",
        ]


class RoomMessageOutputSerializer(serializers.Serializer):
    """Same fields as the WebSocket's message event."""

    kind = serializers.CharField()
    id = serializers.IntegerField()
    seq = serializers.IntegerField()
    author = serializers.CharField(allow_null=True)
    author_id = serializers.IntegerField(allow_null=True)
    html = serializers.CharField()
    hidden = serializers.BooleanField()
    reply_to = serializers.IntegerField(allow_null=True)
    image = serializers.IntegerField(allow_null=True)
    client_key = serializers.CharField()
    created_at = serializers.DateTimeField()


class RoomMessageListOutputSerializer(serializers.Serializer):
    messages = RoomMessageOutputSerializer(many=True)
    state = serializers.CharField()
    last_seq = serializers.IntegerField()


class RoomMessageInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=MAX_MESSAGE_CHARS, allow_blank=True)
    client_key = serializers.CharField(max_length=64)
    reply_to = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    image = serializers.IntegerField(required=False, allow_null=True, min_value=1)
