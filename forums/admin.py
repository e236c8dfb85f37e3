"""Django admin for forums: for superusers fixing data, not daily moderation."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from forums.models import Forum, ModerationLog, Post, Report, Tag, Thread
from forums.services.revision import threads_changed


@admin.register(Forum)
class ForumAdmin(admin.ModelAdmin):
    list_display = ["title", "cohort", "is_default", "position"]
    list_filter = ["cohort"]


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "forum",
        "author",
        "is_pinned",
        "is_locked",
        "last_post_at",
    ]
    list_select_related = ["forum", "forum__cohort", "author"]
    search_fields = ["title"]
    raw_id_fields = ["author", "accepted_post"]

    def save_model(
        self, request: HttpRequest, obj: Thread, form: Any, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        threads_changed([obj.pk])  # the accepted answer shows in the post list


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["pk", "thread", "author", "created_at", "hidden_at"]
    list_select_related = ["thread", "author"]
    raw_id_fields = ["thread", "author", "hidden_by", "images", "mentions"]
    readonly_fields = ["body_html"]

    # A fix here changes what the thread page shows: its cached post list goes.
    def save_model(
        self, request: HttpRequest, obj: Post, form: Any, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        threads_changed([obj.thread_id])

    def delete_model(self, request: HttpRequest, obj: Post) -> None:
        super().delete_model(request, obj)
        threads_changed([obj.thread_id])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Post]) -> None:
        thread_ids = set(queryset.values_list("thread_id", flat=True))
        super().delete_queryset(request, queryset)
        threads_changed(thread_ids)


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["post", "reporter", "reason", "created_at", "resolved_at"]
    raw_id_fields = ["post", "reporter", "resolved_by"]


@admin.register(ModerationLog)
class ModerationLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "cohort", "actor", "action", "reason"]
    list_filter = ["action"]

    def has_change_permission(self, request, obj=None):
        return False  # the log is evidence: read-only


admin.site.register(Tag)
