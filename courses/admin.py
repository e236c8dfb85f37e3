"""Authoring in Django admin: courses with ordered modules, lessons and quizzes."""

from django.contrib import admin
from django.utils.html import format_html

from courses.models import (
    Attempt,
    Attendance,
    Certificate,
    Choice,
    Course,
    CourseAssignment,
    Lesson,
    Module,
    Question,
    Quiz,
    Session,
)


class ModuleInline(admin.TabularInline):
    model = Module
    extra = 0
    fields = ["title", "order"]


class AssignmentInline(admin.TabularInline):
    model = CourseAssignment
    extra = 0


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["title", "cpd_hours", "requires_post_test"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ModuleInline, AssignmentInline]
    search_fields = ["title"]


class LessonInline(admin.StackedInline):
    model = Lesson
    extra = 0
    fields = ["title", "order", "estimated_minutes", "body", "media_url"]


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ["title", "course", "order"]
    list_filter = ["course"]
    inlines = [LessonInline]


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ["title", "module", "order", "estimated_minutes"]
    list_filter = ["module__course"]
    readonly_fields = ["preview"]
    fields = [
        "module",
        "title",
        "order",
        "estimated_minutes",
        "body",
        "media_url",
        "preview",
    ]

    @admin.display(description="Preview (as learners see it)")
    def preview(self, lesson: Lesson) -> str:
        return format_html('<div style="max-width:360px">{}</div>', lesson.body_html)


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 2


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "quiz", "kind", "order"]
    list_filter = ["quiz", "kind"]
    inlines = [ChoiceInline]


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 0
    show_change_link = True


@admin.register(Quiz)
class QuizAdmin(admin.ModelAdmin):
    list_display = ["title", "course", "kind", "pass_percent", "max_attempts"]
    list_filter = ["course", "kind"]
    inlines = [QuestionInline]


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = ["quiz", "user", "started_at", "submitted_at", "score_percent"]
    list_select_related = ["quiz", "user"]
    readonly_fields = ["question_ids", "started_at", "submitted_at", "score_percent"]


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["code", "user", "course", "hours", "issued_at", "revoked_at"]
    list_select_related = ["user", "course"]
    search_fields = ["code", "user__display_name"]


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    readonly_fields = ["marked_by", "marked_at"]


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["title", "cohort", "starts_at", "place"]
    list_filter = ["cohort"]
    inlines = [AttendanceInline]
