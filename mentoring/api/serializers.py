"""Input and output shapes for mentoring."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cpd.api.serializers import UserPublicSerializer
from cpd.models import Image
from mentoring.models import (
    CheckIn,
    CheckInMode,
    Conversation,
    MentorProfile,
    Message,
    Pairing,
    PairingMode,
    Specialty,
)
from mentoring.services.conversations import MAX_MESSAGE_LENGTH


class SpecialtyOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Specialty
        fields = ["id", "name", "slug", "cadres"]


class MentorProfileOutputSerializer(serializers.ModelSerializer):
    user = UserPublicSerializer()
    specialties = SpecialtyOutputSerializer(many=True)
    languages = serializers.ListField(child=serializers.CharField())
    districts = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = MentorProfile
        fields = [
            "id",
            "user",
            "specialties",
            "languages",
            "districts",
            "capacity",
            "availability",
        ]


class MentorProfileInputSerializer(serializers.Serializer):
    specialties = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Specialty.objects.all(), required=False
    )
    languages = serializers.ListField(
        child=serializers.CharField(max_length=8), min_length=1
    )
    districts = serializers.ListField(
        child=serializers.CharField(max_length=120), required=False
    )
    capacity = serializers.IntegerField(min_value=0, max_value=200)
    availability = serializers.CharField(
        max_length=200, required=False, allow_blank=True
    )


class PairingOutputSerializer(serializers.ModelSerializer):
    mentor = UserPublicSerializer()
    learner = UserPublicSerializer()

    class Meta:
        model = Pairing
        fields = [
            "id",
            "cohort",
            "mentor",
            "learner",
            "mode",
            "group_key",
            "group_name",
            "active",
            "created_at",
        ]


class PairingPreviewInputSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(choices=PairingMode.choices)


class PairOutputSerializer(serializers.Serializer):
    learner = serializers.IntegerField()
    mentor = serializers.IntegerField(allow_null=True)


class ProposedPairOutputSerializer(PairOutputSerializer):
    fit = serializers.ListField(child=serializers.CharField())


class PairingPreviewOutputSerializer(serializers.Serializer):
    mode = serializers.CharField()
    kept = serializers.IntegerField()
    pairs = ProposedPairOutputSerializer(many=True)
    unpaired = serializers.ListField(child=serializers.IntegerField())


class PairingConfirmInputSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(choices=PairingMode.choices)
    pairs = PairOutputSerializer(many=True)
    reason = serializers.CharField(max_length=150, required=False, allow_blank=True)


class PairingReassignInputSerializer(serializers.Serializer):
    learner = serializers.IntegerField()
    mentor = serializers.IntegerField(allow_null=True)
    reason = serializers.CharField(max_length=200)


class MentorLoadOutputSerializer(serializers.Serializer):
    mentor = UserPublicSerializer()
    mentees = serializers.IntegerField()
    capacity = serializers.IntegerField()
    messages_received = serializers.IntegerField()
    messages_answered = serializers.IntegerField()
    median_reply_seconds = serializers.SerializerMethodField(
        help_text="null: fewer than 5 replies (not enough data)"
    )
    replies = serializers.IntegerField(help_text="reply times measured (n)")

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_median_reply_seconds(self, obj: object) -> float | None:
        median = getattr(obj, "median_reply", None)
        return median.total_seconds() if median is not None else None


class MentorLoadReportOutputSerializer(serializers.Serializer):
    mentors = MentorLoadOutputSerializer(many=True)
    unpaired = UserPublicSerializer(many=True)
    conversations = serializers.IntegerField()
    messages = serializers.IntegerField()


class ConversationOutputSerializer(serializers.ModelSerializer):
    mentor = UserPublicSerializer()
    learner = UserPublicSerializer(allow_null=True)
    unread = serializers.IntegerField()
    last_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        model = Conversation
        fields = [
            "id",
            "cohort",
            "mentor",
            "learner",
            "group_key",
            "title",
            "unread",
            "last_at",
        ]


class MessagePhotoOutputSerializer(serializers.Serializer):
    """Where a message's photo is served (the file view checks the reader again)."""

    width = serializers.IntegerField()
    height = serializers.IntegerField()
    small_url = serializers.SerializerMethodField()
    full_url = serializers.SerializerMethodField()

    def get_small_url(self, image: Image) -> str:
        return reverse("image-file", args=[image.pk, "small"])

    def get_full_url(self, image: Image) -> str:
        return reverse("image-file", args=[image.pk, "full"])


class MessageOutputSerializer(serializers.ModelSerializer):
    """A message for its readers; views serialise only messages the user reads."""

    author = UserPublicSerializer(allow_null=True)
    image = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = ["id", "author", "body", "body_html", "image", "created_at"]

    @extend_schema_field(MessagePhotoOutputSerializer(allow_null=True))
    def get_image(self, message: Message) -> dict[str, Any] | None:
        image = message.image
        if image is None or image.is_hidden:
            return None
        return MessagePhotoOutputSerializer(image).data


class MessageInputSerializer(serializers.Serializer):
    body = serializers.CharField(
        max_length=MAX_MESSAGE_LENGTH, required=False, allow_blank=True, default=""
    )
    # A FileField, not an ImageField: cpd.images decides by decoding the content.
    image = serializers.FileField(
        required=False, help_text="A photo (multipart); JPEG, PNG, WebP or GIF."
    )
    no_identifiers_confirmed = serializers.BooleanField(
        default=False,
        help_text="Required with a photo: it shows no patient identifiers.",
    )


class ReportInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class CheckInOutputSerializer(serializers.ModelSerializer):
    overdue = serializers.BooleanField(source="is_overdue")

    class Meta:
        model = CheckIn
        fields = [
            "id",
            "conversation",
            "scheduled_for",
            "mode",
            "notes",
            "agreed_actions",
            "done_at",
            "overdue",
        ]


class CheckInLearnerOutputSerializer(CheckInOutputSerializer):
    """Learners see agreed actions, not the mentor's private notes."""

    class Meta(CheckInOutputSerializer.Meta):
        fields = [f for f in CheckInOutputSerializer.Meta.fields if f != "notes"]


class CheckInInputSerializer(serializers.Serializer):
    scheduled_for = serializers.DateTimeField()
    mode = serializers.ChoiceField(choices=CheckInMode.choices)
    agreed_actions = serializers.CharField(
        max_length=2000, required=False, allow_blank=True
    )


class CheckInRecordInputSerializer(serializers.Serializer):
    notes = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    agreed_actions = serializers.CharField(
        max_length=2000, required=False, allow_blank=True
    )
    done = serializers.BooleanField(required=False)


class MenteeOutputSerializer(serializers.Serializer):
    learner = UserPublicSerializer()
    conversation = serializers.IntegerField(source="conversation.pk", allow_null=True)
    lessons_completed = serializers.IntegerField(
        source="progress.lessons_completed", allow_null=True, default=None
    )
    lessons_total = serializers.IntegerField(
        source="progress.lessons_total", allow_null=True, default=None
    )
    latest_quiz_percent = serializers.FloatField(
        source="progress.latest_quiz_percent", allow_null=True, default=None
    )
    knowledge_gain = serializers.FloatField(
        source="progress.knowledge_gain", allow_null=True, default=None
    )
    last_seen = serializers.DateTimeField(allow_null=True)
    unanswered = serializers.IntegerField()
    overdue = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.CharField())
