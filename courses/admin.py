"""Authoring in Django admin: courses with ordered modules, lessons and quizzes.

Courses also go in and out as Markdown: "Import from Markdown" on the course
list, and the "Download as Markdown" action (see courses.markdown_io).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from courses import markdown_io, selectors
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
    Survey,
    SurveyItem,
)
from courses.services.exchange import course_import
from courses.services.lessons import lesson_body_with_image
from courses.services.survey import survey_attach_default, survey_revision_raise
from cpd.images import image_process
from cpd.services import image_upload


class ModuleInline(admin.TabularInline):
    model = Module
    extra = 0
    fields = ["title", "order", "opens_after_days"]


class AssignmentInline(admin.TabularInline):
    model = CourseAssignment
    extra = 0


class MarkdownImportForm(forms.Form):
    file = forms.FileField(
        label="Course file (.md)",
        help_text=gettext_lazy(
            "One course, or a translation of one, in the Markdown format described "
            "in docs/courses.md."
        ),
    )
    replace = forms.BooleanField(
        required=False,
        label="Replace the course with the same slug (only if no learner used it)",
    )


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "cpd_hours",
        "requires_post_test",
        "sessions_required",
        "languages",
    ]
    readonly_fields = ["translation_status"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ModuleInline, AssignmentInline]
    search_fields = ["title"]
    actions = ["download_markdown", "attach_default_survey"]
    change_list_template = "admin/courses/course/change_list.html"

    def get_urls(self) -> list[URLPattern]:
        extra = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_markdown),
                name="courses_course_import",
            ),
            path(
                "<int:course_id>/markdown/<str:language>/",
                self.admin_site.admin_view(self.translation_markdown),
                name="courses_course_translation_markdown",
            ),
        ]
        return extra + super().get_urls()

    @admin.display(description=_("Languages"))
    def languages(self, course: Course) -> str:
        """The original language first, then the translations (no query)."""
        others = [c for c in course.translated_languages if c != course.language]
        first = _("%(language)s (original)") % {"language": course.language}
        return " · ".join([first, *others])

    @admin.display(description=_("Translations"))
    def translation_status(self, course: Course) -> str:
        if course.pk is None:
            return "—"
        return render_to_string(
            "admin/courses/course/translation_status.html",
            {
                "course": course,
                "status": selectors.course_translation_status(course),
            },
        )

    def translation_markdown(
        self, request: HttpRequest, course_id: int, language: str
    ) -> HttpResponse:
        """The course in ``language`` as Markdown: a translation, or its template."""
        course = selectors.course_for_authoring(course_id)
        if course is None or language not in dict(settings.LANGUAGES):
            raise Http404
        if not self.has_view_permission(request, course):
            raise PermissionDenied
        response = HttpResponse(
            selectors.course_markdown(course, language),
            content_type="text/markdown; charset=utf-8",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{course.slug}.{language}.md"'
        )
        return response

    @admin.action(description="Download as Markdown")
    def download_markdown(
        self, request: HttpRequest, queryset: QuerySet[Course]
    ) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(
                request, "Choose one course to download.", messages.WARNING
            )
            return None
        course = queryset.get()
        text = selectors.course_markdown(course)
        for problem in markdown_io.problems(text):
            self.message_user(
                request, f"Would not import as it is: {problem}", messages.WARNING
            )
        response = HttpResponse(
            text,
            content_type="text/markdown; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{course.slug}.md"'
        return response

    @admin.action(description="Attach the default end-of-course survey")
    def attach_default_survey(
        self, request: HttpRequest, queryset: QuerySet[Course]
    ) -> None:
        for course in queryset:
            survey_attach_default(actor=request.user, course=course)  # type: ignore[arg-type]
        self.message_user(
            request,
            "Each chosen course has a survey; edit it from the course report "
            "(Edit the survey) or at /courses/<id>/survey/edit/.",
        )

    def import_markdown(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = MarkdownImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            if form.cleaned_data["replace"] and not (
                self.has_change_permission(request)
                and self.has_delete_permission(request)
            ):
                raise PermissionDenied  # replacing deletes the old content
            raw = form.cleaned_data["file"].read()
            try:
                course = course_import(
                    text=raw.decode("utf-8-sig"),
                    actor=request.user,  # type: ignore[arg-type]
                    replace=form.cleaned_data["replace"],
                )
            except UnicodeDecodeError:
                form.add_error("file", "The file is not UTF-8 text.")
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error("file", message)
            else:
                self.message_user(request, _imported_message(course, raw))
                return redirect(
                    reverse("admin:courses_course_change", args=[course.pk])
                )
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "title": "Import a course from Markdown",
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(
            request,
            "admin/courses/course/import.html",
            context,
            status=400 if form.errors else 200,
        )


def _imported_message(course: Course, raw: bytes) -> str:
    language = markdown_io.parse(raw.decode("utf-8-sig")).language
    if language == course.language:
        return f"Imported “{course.title}”."
    return _("Imported the %(language)s translation of “%(title)s”.") % {
        "language": dict(settings.LANGUAGES)[language],
        "title": course.title,
    }


class LessonInline(admin.StackedInline):
    model = Lesson
    extra = 0
    fields = ["title", "order", "estimated_minutes", "body", "media_url"]


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ["title", "course", "order", "opens_after_days"]
    list_filter = ["course"]
    inlines = [LessonInline]


class LessonForm(forms.ModelForm):
    """The lesson, plus an optional picture appended to its body on save."""

    media_url = forms.URLField(
        required=False, assume_scheme="https", label="Audio or video link"
    )
    add_image = forms.FileField(
        required=False,
        label="Add a picture",
        help_text="Resized for phones; shown small, linking to the full size.",
    )
    image_alt = forms.CharField(
        required=False, max_length=120, label="What the picture shows"
    )
    no_identifiers_confirmed = forms.BooleanField(
        required=False, label="The picture shows no patient identifiers"
    )

    class Meta:
        model = Lesson
        fields = ["module", "title", "order", "estimated_minutes", "body", "media_url"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("add_image")
        if upload is not None:
            if not data.get("no_identifiers_confirmed"):
                self.add_error(
                    "no_identifiers_confirmed",
                    "Confirm that the picture shows no patient name, face or number.",
                )
            if not data.get("image_alt"):
                self.add_error("image_alt", "Say what the picture shows.")
            try:
                image_process(upload)
            except ValidationError as exc:
                self.add_error("add_image", exc)
            upload.seek(0)
        return data


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    form = LessonForm
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
        "add_image",
        "image_alt",
        "no_identifiers_confirmed",
        "preview",
    ]

    def save_model(
        self, request: HttpRequest, obj: Lesson, form: forms.ModelForm, change: bool
    ) -> None:
        upload = form.cleaned_data.get("add_image")
        if upload is not None:
            obj.body = lesson_body_with_image(
                body=obj.body,
                image=image_upload(
                    actor=request.user,  # type: ignore[arg-type]
                    cohort=None,
                    file=upload,
                    no_identifiers_confirmed=True,
                ),
                alt=form.cleaned_data["image_alt"],
            )
        super().save_model(request, obj, form, change)

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


class SurveyItemInline(admin.TabularInline):
    """Once people answered, the wording is read-only here too: the survey
    editor page (courses-survey-edit) retires and adds items instead."""

    model = SurveyItem
    extra = 1
    fields = ["order", "kind", "text", "retired"]

    def _answered(self, obj: Survey | None) -> bool:
        return obj is not None and selectors.survey_has_responses(obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if self._answered(obj):
            return ["kind", "text", "retired"]
        return []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._answered(obj) and super().has_delete_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._answered(obj) and super().has_add_permission(request, obj)


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    """The survey's statements; answers are not here (anonymous: see the report)."""

    list_display = ["course", "is_open", "created_at"]
    list_select_related = ["course"]
    fields = ["course", "is_open", "editor"]
    readonly_fields = ["editor"]
    inlines = [SurveyItemInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A survey stays with its course: moved, its answers (about this
        # course) would be reported as another course's.
        return ["course", "editor"] if obj is not None else ["editor"]

    def save_formset(
        self, request: HttpRequest, form: Any, formset: Any, change: bool
    ) -> None:
        super().save_formset(request, form, formset, change)
        if change and formset.has_changed():
            # What respondents see changed: pages showing the old wording are
            # refused (courses.services.survey, the revision rule).
            survey_revision_raise(survey=form.instance)

    @admin.display(description="Survey editor")
    def editor(self, obj: Survey) -> str:
        if obj.pk is None:
            return "-"
        url = reverse("courses-survey-edit", args=[obj.course_id])
        return format_html('<a href="{}">{}</a>', url, "Edit on the survey page")
