"""Forum REST endpoints: same selectors, policies and services as the pages."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cpd.auth import acting_user
from cpd.selectors import cohort_get_for_user, images_for_attachment
from forums import policies, selectors
from forums.api import serializers as s
from forums.models import Post, Thread
from forums.report import reply_links, social_report_kept
from forums.services import engagement, moderation, posting


def _show_hidden(request: Request, thread: Thread) -> bool:
    return policies.can_moderate_forum(request.user, thread.forum)


class ForumListApi(ListAPIView):
    """Forums of my cohorts with thread and unread counts."""

    serializer_class = s.ForumOutputSerializer
    ordering = ("cohort__name", "position", "pk")

    def get_queryset(self):
        return selectors.forum_list_for_user(self.request.user)


class ThreadListApi(GenericAPIView):
    """GET a forum's threads (pinned first); POST opens one (idempotent by key)."""

    ordering = ("-is_pinned", "-last_post_at", "-pk")

    @extend_schema(
        parameters=[OpenApiParameter("tag", OpenApiTypes.STR)],
        responses=s.ThreadOutputSerializer(many=True),
    )
    def get(self, request: Request, forum_id: int) -> Response:
        forum = selectors.forum_get_for_user(request.user, forum_id)
        qs = selectors.thread_list(
            request.user, forum, tag=request.query_params.get("tag", "")
        )
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(
            s.ThreadOutputSerializer(page, many=True).data
        )

    @extend_schema(
        request=s.ThreadCreateInputSerializer,
        responses={201: s.ThreadOutputSerializer, 200: s.ThreadOutputSerializer},
    )
    def post(self, request: Request, forum_id: int) -> Response:
        forum = selectors.forum_get_for_user(request.user, forum_id)
        data = s.ThreadCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        thread, created = posting.thread_create(
            actor=acting_user(request),
            forum=forum,
            title=v["title"],
            body=v["body"],
            tags=v["tags"],
            idempotency_key=v["idempotency_key"],
            images=images_for_attachment(request.user, v["image_ids"]),
            no_identifiers_confirmed=v["no_identifiers_confirmed"],
        )
        return Response(
            s.ThreadOutputSerializer(thread).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class ThreadDetailApi(APIView):
    """One thread I can see."""

    @extend_schema(responses=s.ThreadOutputSerializer)
    def get(self, request: Request, thread_id: int) -> Response:
        thread = selectors.thread_get_for_user(request.user, thread_id)
        return Response(s.ThreadOutputSerializer(thread).data)


class PostListApi(GenericAPIView):
    """GET a thread's posts; POST replies (idempotent by key)."""

    ordering = ("created_at", "pk")

    @extend_schema(responses=s.PostOutputSerializer(many=True))
    def get(self, request: Request, thread_id: int) -> Response:
        thread = selectors.thread_get_for_user(request.user, thread_id)
        page = self.paginate_queryset(selectors.thread_posts(request.user, thread))
        ctx = {"show_hidden": _show_hidden(request, thread)}
        return self.get_paginated_response(
            s.PostOutputSerializer(page, many=True, context=ctx).data
        )

    @extend_schema(
        request=s.PostCreateInputSerializer,
        responses={201: s.PostOutputSerializer, 200: s.PostOutputSerializer},
    )
    def post(self, request: Request, thread_id: int) -> Response:
        thread = selectors.thread_get_for_user(request.user, thread_id)
        data = s.PostCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        post, created = posting.post_create(
            actor=acting_user(request),
            thread=thread,
            body=v["body"],
            idempotency_key=v["idempotency_key"],
            images=images_for_attachment(request.user, v["image_ids"]),
            no_identifiers_confirmed=v["no_identifiers_confirmed"],
        )
        return Response(
            s.PostOutputSerializer(post).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


def _post(request: Request, post_id: int) -> Post:
    return selectors.post_get_for_user(request.user, post_id)


class PostEditApi(APIView):
    """The author edits a post (history kept); DELETE soft-deletes it."""

    @extend_schema(request=s.PostEditInputSerializer, responses=s.PostOutputSerializer)
    def patch(self, request: Request, post_id: int) -> Response:
        post = _post(request, post_id)
        data = s.PostEditInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        post = posting.post_edit(
            actor=acting_user(request), post=post, body=data.validated_data["body"]
        )
        return Response(s.PostOutputSerializer(post).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, post_id: int) -> Response:
        post = _post(request, post_id)
        posting.post_delete(actor=acting_user(request), post=post)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PostHelpfulApi(APIView):
    """Set or clear my helpful mark on a post."""

    @extend_schema(request=s.FlagInputSerializer, responses=s.FlagInputSerializer)
    def post(self, request: Request, post_id: int) -> Response:
        post = _post(request, post_id)
        data = s.FlagInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        on = engagement.helpful_set(
            actor=acting_user(request), post=post, helpful=data.validated_data["on"]
        )
        return Response({"on": on})


class ThreadFollowApi(APIView):
    """Follow or unfollow a thread."""

    @extend_schema(request=s.FlagInputSerializer, responses=s.FlagInputSerializer)
    def post(self, request: Request, thread_id: int) -> Response:
        thread = selectors.thread_get_for_user(request.user, thread_id)
        data = s.FlagInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        on = engagement.follow_set(
            actor=acting_user(request),
            thread=thread,
            following=data.validated_data["on"],
        )
        return Response({"on": on})


class ThreadAcceptApi(APIView):
    """A mentor or the thread's author sets the accepted answer (null clears)."""

    @extend_schema(request=s.AcceptInputSerializer, responses=s.ThreadOutputSerializer)
    def post(self, request: Request, thread_id: int) -> Response:
        thread = selectors.thread_get_for_user(request.user, thread_id)
        data = s.AcceptInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        post_id = data.validated_data["post"]
        post = _post(request, post_id) if post_id is not None else None
        thread = engagement.answer_accept(
            actor=acting_user(request), thread=thread, post=post
        )
        return Response(s.ThreadOutputSerializer(thread).data)


class PostReportApi(APIView):
    """Report someone else's post to the moderators."""

    @extend_schema(
        request=s.ReasonInputSerializer, responses={201: s.ReportOutputSerializer}
    )
    def post(self, request: Request, post_id: int) -> Response:
        post = _post(request, post_id)
        data = s.ReasonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = moderation.report_create(
            actor=acting_user(request),
            post=post,
            reason=data.validated_data["reason"],
        )
        return Response(
            s.ReportOutputSerializer(report).data, status=status.HTTP_201_CREATED
        )


class PostHideApi(APIView):
    """A moderator hides a post with a reason, or unhides it."""

    @extend_schema(request=s.HideInputSerializer, responses=s.PostOutputSerializer)
    def post(self, request: Request, post_id: int) -> Response:
        post = _post(request, post_id)
        data = s.HideInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        actor = acting_user(request)
        if v["hidden"]:
            post = moderation.post_hide(actor=actor, post=post, reason=v["reason"])
        else:
            post = moderation.post_unhide(actor=actor, post=post, reason=v["reason"])
        return Response(
            s.PostOutputSerializer(post, context={"show_hidden": True}).data
        )


class ThreadPinApi(APIView):
    """A moderator pins or unpins a thread."""

    @extend_schema(request=s.FlagInputSerializer, responses=s.ThreadOutputSerializer)
    def post(self, request: Request, thread_id: int) -> Response:
        thread = selectors.thread_get_for_user(request.user, thread_id)
        data = s.FlagInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        thread = moderation.thread_pin(
            actor=acting_user(request), thread=thread, pinned=data.validated_data["on"]
        )
        return Response(s.ThreadOutputSerializer(thread).data)


class ThreadLockApi(APIView):
    """A moderator locks or reopens a thread."""

    @extend_schema(request=s.FlagInputSerializer, responses=s.ThreadOutputSerializer)
    def post(self, request: Request, thread_id: int) -> Response:
        thread = selectors.thread_get_for_user(request.user, thread_id)
        data = s.FlagInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        thread = moderation.thread_lock(
            actor=acting_user(request), thread=thread, locked=data.validated_data["on"]
        )
        return Response(s.ThreadOutputSerializer(thread).data)


class ThreadMoveApi(APIView):
    """A moderator moves a thread to another forum of the same cohort."""

    @extend_schema(request=s.MoveInputSerializer, responses=s.ThreadOutputSerializer)
    def post(self, request: Request, thread_id: int) -> Response:
        thread = selectors.thread_get_for_user(request.user, thread_id)
        data = s.MoveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        target = selectors.forum_get_for_user(
            request.user, data.validated_data["forum"]
        )
        thread = moderation.thread_move(
            actor=acting_user(request),
            thread=thread,
            forum=target,
            reason=data.validated_data["reason"],
        )
        return Response(s.ThreadOutputSerializer(thread).data)


class ReportQueueApi(ListAPIView):
    """Open reports in the cohorts I moderate."""

    serializer_class = s.ReportOutputSerializer
    ordering = ("-created_at", "-pk")

    def get_queryset(self) -> Any:
        if not selectors.moderates_any(self.request.user):
            raise ApiPermissionDenied(_("Only mentors and administrators moderate."))
        return selectors.reports_open_for(self.request.user)


class SearchApi(APIView):
    """Full-text search over posts I can see; ranked on PostgreSQL."""

    @extend_schema(
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, required=True),
            OpenApiParameter("tag", OpenApiTypes.STR),
            OpenApiParameter("forum", OpenApiTypes.INT),
        ],
        responses=s.SearchHitOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        forum = request.query_params.get("forum", "")
        hits = selectors.search(
            request.user,
            request.query_params.get("q", ""),
            tag=request.query_params.get("tag", "")[:40],
            forum_id=int(forum) if forum.isdigit() else None,
        )
        return Response(s.SearchHitOutputSerializer(hits, many=True).data)


class CohortSocialReportApi(APIView):
    """The cohort report's reply network and reply times (names: admins only)."""

    @extend_schema(responses=s.CohortSocialReportOutputSerializer)
    def get(self, request: Request, cohort_id: int) -> Response:
        cohort = cohort_get_for_user(request.user, cohort_id)
        if not policies.can_view_social_report(request.user, cohort):
            raise ApiPermissionDenied(
                _("Only the cohort's mentors and administrators.")
            )
        with_names = policies.can_view_social_names(request.user, cohort)
        return Response(
            s.CohortSocialReportOutputSerializer(
                social_report_kept(cohort, with_names=with_names),
                context={"with_names": with_names},
            ).data
        )


class ReplyLinkPagination(LimitOffsetPagination):
    """Pages of a cohort's reply links (aggregated rows: no keyset to page on)."""

    default_limit = 500
    max_limit = 5000


class CohortReplyLinksApi(ListAPIView):
    """Every reply link of the cohort's network, heaviest first (admins only).

    By name, as the drawing (``can_view_social_names``): the cohort's mentors
    and learners get a 403, anyone else a 404. Paged by limit and offset.
    """

    serializer_class = s.ReplyLinkOutputSerializer
    pagination_class = ReplyLinkPagination

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return []  # the schema needs no rows
        cohort = cohort_get_for_user(self.request.user, self.kwargs["cohort_id"])
        if not policies.can_view_social_names(self.request.user, cohort):
            raise ApiPermissionDenied(_("Only the cohort's administrators."))
        return reply_links(cohort)
