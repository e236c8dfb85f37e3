"""Input and output shapes of the forums API."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from forums.models import Forum, Post, Report, Thread


class ForumOutputSerializer(serializers.ModelSerializer):
    cohort = serializers.IntegerField(source="cohort_id")
    cohort_name = serializers.CharField(source="cohort.name")
    thread_count = serializers.IntegerField()
    unread_count = serializers.IntegerField()

    class Meta:
        model = Forum
        fields = ["id", "title", "description", "cohort", "cohort_name"] + [
            "thread_count",
            "unread_count",
        ]


class ThreadOutputSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.display_name", default=None)
    tags: serializers.SlugRelatedField = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="name"
    )
    url = serializers.SerializerMethodField()

    class Meta:
        model = Thread
        fields = [
            "id",
            "forum",
            "title",
            "author",
            "tags",
            "is_pinned",
            "is_locked",
            "accepted_post",
            "reply_count",
            "created_at",
            "last_post_at",
            "url",
        ]

    def get_url(self, thread: Thread) -> str:
        return reverse("forums-thread", args=[thread.pk])


class PostOutputSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.display_name", default=None)
    body = serializers.SerializerMethodField()
    body_html = serializers.SerializerMethodField()
    image_ids = serializers.SerializerMethodField()
    is_hidden = serializers.BooleanField()

    class Meta:
        model = Post
        fields = [
            "id",
            "thread",
            "author",
            "body",
            "body_html",
            "image_ids",
            "no_identifiers_confirmed",
            "created_at",
            "edited_at",
            "is_hidden",
            "hidden_reason",
        ]

    def _shown(self, post: Post) -> bool:
        return not post.is_hidden or bool(self.context.get("show_hidden"))

    def get_body(self, post: Post) -> str:
        return post.body if self._shown(post) else ""

    def get_body_html(self, post: Post) -> str:
        return post.body_html if self._shown(post) else ""

    def get_image_ids(self, post: Post) -> list[int]:
        return [i.pk for i in post.images.all()] if self._shown(post) else []


class ThreadCreateInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=160)
    body = serializers.CharField(max_length=20_000)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, default=list
    )
    image_ids = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list
    )
    no_identifiers_confirmed = serializers.BooleanField(default=False)
    idempotency_key = serializers.CharField(max_length=64)


class PostCreateInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=20_000)
    image_ids = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list
    )
    no_identifiers_confirmed = serializers.BooleanField(default=False)
    idempotency_key = serializers.CharField(max_length=64)


class PostEditInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=20_000)


class FlagInputSerializer(serializers.Serializer):
    on = serializers.BooleanField()


class ReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class HideInputSerializer(serializers.Serializer):
    hidden = serializers.BooleanField()
    reason = serializers.CharField(max_length=200, required=False, default="")


class AcceptInputSerializer(serializers.Serializer):
    post = serializers.IntegerField(allow_null=True)


class MoveInputSerializer(serializers.Serializer):
    forum = serializers.IntegerField()
    reason = serializers.CharField(max_length=200, required=False, default="")


class ReportOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Report
        fields = ["id", "post", "reason", "created_at", "resolved_at"]


class SearchHitOutputSerializer(serializers.Serializer):
    post = serializers.IntegerField(source="post.pk")
    thread = serializers.IntegerField(source="post.thread_id")
    thread_title = serializers.CharField(source="post.thread.title")
    forum = serializers.IntegerField(source="post.thread.forum_id")
    snippet_html = serializers.CharField(source="snippet")
    rank = serializers.FloatField()


class SocialReplyTimeSerializer(serializers.Serializer):
    n = serializers.IntegerField(help_text="questions with a reply of this kind")
    median_hours = serializers.FloatField(
        allow_null=True, help_text="null: fewer than 2 (not enough data)"
    )


class SocialLinkSerializer(serializers.Serializer):
    replier = serializers.CharField(source="source.name")
    thread_starter = serializers.CharField(source="target.name")
    replier_is_mentor = serializers.BooleanField(source="source.mentor")
    thread_starter_is_mentor = serializers.BooleanField(source="target.mentor")
    replies = serializers.IntegerField()


class ReplyLinkOutputSerializer(serializers.Serializer):
    replier_id = serializers.IntegerField(source="source_id")
    replier = serializers.CharField(source="source_name")
    replier_is_mentor = serializers.BooleanField(source="source_mentor")
    thread_starter_id = serializers.IntegerField(source="target_id")
    thread_starter = serializers.CharField(source="target_name")
    thread_starter_is_mentor = serializers.BooleanField(source="target_mentor")
    replies = serializers.IntegerField()


class CohortSocialReportOutputSerializer(serializers.Serializer):
    cohort = serializers.IntegerField(source="cohort.pk")
    enough_data = serializers.BooleanField()
    people = serializers.IntegerField(help_text="learners and mentors of the cohort")
    learners = serializers.IntegerField()
    connected = serializers.IntegerField(help_text="people with a reply link")
    learners_connected = serializers.IntegerField()
    learners_connected_share = serializers.FloatField(allow_null=True)
    links = serializers.IntegerField(help_text="distinct pairs: A replied to B")
    replies = serializers.IntegerField()
    density = serializers.FloatField(allow_null=True)
    questions = serializers.IntegerField()
    mentor_reply = SocialReplyTimeSerializer()
    peer_reply = SocialReplyTimeSerializer()
    top_pairs = serializers.SerializerMethodField(
        help_text="named reply links, for the cohort's administrators only"
    )

    @extend_schema_field(SocialLinkSerializer(many=True, allow_null=True))
    def get_top_pairs(self, report: Any) -> Any:
        if not self.context.get("with_names"):
            return None
        return SocialLinkSerializer(report.top_pairs, many=True).data
