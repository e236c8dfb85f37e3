"""Shapes of courses, lessons, quizzes, attempts and certificates in the API."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from courses.models import (
    Certificate,
    Choice,
    Course,
    Lesson,
    Module,
    Question,
    Quiz,
    Session,
    SurveyItemKind,
)


class ServedLanguageSerializer(serializers.Serializer):
    """Which language the content came in (``?lang=`` or your language asked)."""

    requested = serializers.CharField(help_text="The language asked for.")
    served = serializers.CharField(help_text="The language of the text served.")
    original = serializers.CharField(help_text="The course's original language.")
    fell_back = serializers.BooleanField(
        help_text="True when some or all of the text is not in the language asked "
        "for and comes in the original language instead."
    )
    available = serializers.ListField(
        child=serializers.CharField(), help_text="Languages this content exists in."
    )


class CourseOutputSerializer(serializers.ModelSerializer):
    language = serializers.CharField(
        read_only=True, help_text="The language the course was written in."
    )
    lesson_count = serializers.IntegerField()
    done_count = serializers.IntegerField()

    class Meta:
        model = Course
        fields = [
            "id",
            "title",
            "summary",
            "cpd_hours",
            "requires_post_test",
            "sessions_required",
            "language",
            "lesson_count",
            "done_count",
        ]


class LessonBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Lesson
        fields = ["id", "title", "estimated_minutes"]


class ModuleSerializer(serializers.ModelSerializer):
    lessons = LessonBriefSerializer(many=True)
    opens_on = serializers.DateField(
        allow_null=True,
        default=None,
        help_text="Set while the module is still closed for you (drip opening).",
    )

    class Meta:
        model = Module
        fields = ["id", "title", "opens_on", "lessons"]


class QuizBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Quiz
        fields = [
            "id",
            "title",
            "kind",
            "pass_percent",
            "max_attempts",
            "time_limit_minutes",
        ]


class CompletionSerializer(serializers.Serializer):
    lessons_done = serializers.IntegerField()
    lessons_total = serializers.IntegerField()
    post_test_required = serializers.BooleanField()
    post_test_passed = serializers.BooleanField()
    sessions_required = serializers.IntegerField()
    sessions_attended = serializers.IntegerField()
    complete = serializers.BooleanField()


class CourseDetailSerializer(CourseOutputSerializer):
    modules = ModuleSerializer(many=True)
    quizzes = QuizBriefSerializer(many=True)
    completion = CompletionSerializer(
        help_text="Your standing on each completion rule."
    )
    served = ServedLanguageSerializer(help_text="The language of the outline's text.")

    class Meta(CourseOutputSerializer.Meta):
        fields = [
            *CourseOutputSerializer.Meta.fields,
            "modules",
            "quizzes",
            "completion",
            "served",
        ]


class LessonOutputSerializer(serializers.ModelSerializer):
    course = serializers.IntegerField(source="module.course_id")
    served = ServedLanguageSerializer(help_text="The language of the lesson's text.")

    class Meta:
        model = Lesson
        fields = [
            "id",
            "course",
            "title",
            "body_html",
            "estimated_minutes",
            "media_url",
            "served",
        ]


class ChoicePublicSerializer(serializers.ModelSerializer):
    """An option without saying whether it is right."""

    class Meta:
        model = Choice
        fields = ["id", "text"]


class QuestionPublicSerializer(serializers.ModelSerializer):
    choices = ChoicePublicSerializer(many=True)

    class Meta:
        model = Question
        fields = ["id", "kind", "text", "choices"]


class AttemptOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    quiz = serializers.IntegerField(source="quiz_id")
    started_at = serializers.DateTimeField()
    deadline = serializers.DateTimeField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    score_percent = serializers.DecimalField(
        max_digits=5, decimal_places=1, allow_null=True
    )
    passed = serializers.BooleanField()
    expired = serializers.BooleanField()
    questions = QuestionPublicSerializer(many=True)
    feedback = serializers.ListField(child=serializers.DictField(), allow_null=True)
    served = ServedLanguageSerializer(
        help_text="The language of the questions and options."
    )


class AttemptSubmitSerializer(serializers.Serializer):
    answers = serializers.DictField(
        child=serializers.JSONField(),
        help_text="question id → list of choice ids, or a number",
    )


class CertificateOutputSerializer(serializers.ModelSerializer):
    course = serializers.CharField(source="course.title")
    verify_path = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = ["code", "course", "hours", "issued_at", "verify_path"]

    def get_verify_path(self, certificate: Certificate) -> str:
        from django.urls import reverse

        return reverse("courses-verify", args=[certificate.code])


class ProgressRowSerializer(serializers.Serializer):
    user_id = serializers.IntegerField()
    display_name = serializers.CharField()
    lessons_completed = serializers.IntegerField()
    lessons_total = serializers.IntegerField()
    last_activity = serializers.DateTimeField(allow_null=True)
    latest_quiz_percent = serializers.FloatField(allow_null=True)
    pre_percent = serializers.FloatField(allow_null=True)
    post_percent = serializers.FloatField(allow_null=True)
    knowledge_gain = serializers.FloatField(allow_null=True)
    credits_earned = serializers.DecimalField(max_digits=7, decimal_places=1)
    sessions_attended = serializers.IntegerField()
    sessions_held = serializers.IntegerField(
        help_text="The cohort's face-to-face sessions that have started."
    )


class SessionOutputSerializer(serializers.ModelSerializer):
    cohort_name = serializers.CharField(source="cohort.name")

    class Meta:
        model = Session
        fields = [
            "id",
            "title",
            "place",
            "starts_at",
            "ends_at",
            "cohort",
            "cohort_name",
            "module",
        ]


class SessionLearnerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()
    present = serializers.BooleanField()


class SessionDetailSerializer(SessionOutputSerializer):
    facilitator_name = serializers.CharField(
        source="facilitator.display_name", default=None, allow_null=True
    )
    you_attended = serializers.BooleanField()
    can_take_attendance = serializers.BooleanField()
    register_open = serializers.BooleanField(
        help_text="Attendance can be taken from an hour before the start."
    )
    learners = SessionLearnerSerializer(
        many=True, help_text="The cohort's learners; only for who takes attendance."
    )

    class Meta(SessionOutputSerializer.Meta):
        fields = [
            *SessionOutputSerializer.Meta.fields,
            "facilitator_name",
            "you_attended",
            "can_take_attendance",
            "register_open",
            "learners",
        ]


class AttendanceInputSerializer(serializers.Serializer):
    learner = serializers.IntegerField(min_value=1)
    present = serializers.BooleanField()


class SessionCheckInInputSerializer(serializers.Serializer):
    code = serializers.CharField(
        max_length=20,
        required=False,
        help_text="The short code typed from the screen (names no session).",
    )
    session = serializers.IntegerField(
        min_value=1, required=False, help_text="With w and s, from a scanned QR URL."
    )
    w = serializers.IntegerField(
        min_value=0, required=False, help_text="The QR URL's window number."
    )
    s = serializers.CharField(
        max_length=64, required=False, help_text="The QR URL's signature."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        scanned = [name for name in ("session", "w", "s") if name in attrs]
        if "code" in attrs:
            return attrs
        if not scanned:
            raise serializers.ValidationError(
                {"code": _("Type the code, or scan the QR code.")}
            )
        missing = {
            name: [_("Required with a scanned code.")]
            for name in ("session", "w", "s")
            if name not in attrs
        }
        if missing:
            raise serializers.ValidationError(missing)
        return attrs


class SessionCheckInOutputSerializer(serializers.Serializer):
    session = serializers.IntegerField(source="session.pk")
    session_title = serializers.CharField(source="session.title")
    present = serializers.BooleanField(default=True)
    created = serializers.BooleanField(
        help_text="False when the learner was already checked in (nothing changed)."
    )


class SessionCheckInCodeSerializer(serializers.Serializer):
    session = serializers.IntegerField(source="session_id")
    window = serializers.IntegerField()
    signature = serializers.CharField()
    code = serializers.CharField(help_text="The short code learners may type.")
    url = serializers.CharField(help_text="What the QR code encodes.")
    seconds_left = serializers.IntegerField(
        help_text="Until the next window's code replaces this one."
    )
    checked_in = serializers.IntegerField()
    learners = serializers.IntegerField()


class SessionInputSerializer(serializers.Serializer):
    cohort = serializers.IntegerField(min_value=1)
    title = serializers.CharField(max_length=200)
    place = serializers.CharField(max_length=200)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    module = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    facilitator = serializers.IntegerField(min_value=1, required=False, allow_null=True)


class CourseMarkdownSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    markdown = serializers.CharField(
        help_text="The course in the format of docs/courses.md."
    )
    problems = serializers.ListField(
        child=serializers.CharField(),
        help_text="Why this file would not import as it is (e.g. a draft "
        "module without lessons); empty when it would.",
    )


class CourseImportSerializer(serializers.Serializer):
    markdown = serializers.CharField(
        max_length=2_000_000,
        trim_whitespace=False,
        help_text="A whole course as Markdown.",
    )
    replace = serializers.BooleanField(
        default=False,
        help_text="Replace the course with the same slug while no learner used it.",
    )


class CourseCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    title = serializers.CharField()
    language = serializers.CharField(help_text="The language the file was in.")
    translation = serializers.BooleanField(
        help_text="True when the file was stored as a translation of the course."
    )


class CourseReportLessonSerializer(serializers.Serializer):
    lesson_id = serializers.IntegerField()
    title = serializers.CharField()
    module_id = serializers.IntegerField()
    module_title = serializers.CharField()
    position = serializers.IntegerField()
    suppressed = serializers.BooleanField(
        help_text="fewer than 5 learners reached it: its figures are null"
    )
    reach = serializers.IntegerField(allow_null=True)
    reach_share = serializers.FloatField(allow_null=True)
    median_seconds = serializers.FloatField(allow_null=True)
    completed = serializers.IntegerField(allow_null=True)
    completion_share = serializers.FloatField(allow_null=True)
    drop_off = serializers.FloatField(
        allow_null=True,
        help_text="% of the previous lesson's readers who never opened this one",
    )


class CourseReportQuestionSerializer(serializers.Serializer):
    question_id = serializers.IntegerField()
    quiz_title = serializers.CharField()
    quiz_kind = serializers.CharField()
    text = serializers.CharField()
    n = serializers.IntegerField(help_text="first attempts that drew the question")
    difficulty = serializers.FloatField(
        allow_null=True, help_text="% answered fully right; null under 5 answers"
    )
    discrimination = serializers.FloatField(
        allow_null=True,
        help_text="point-biserial r with the rest score; null under 5 answers "
        "or without spread",
    )


class CourseReportGainSerializer(serializers.Serializer):
    with_both = serializers.IntegerField()
    pre_only = serializers.IntegerField()
    post_only = serializers.IntegerField()
    mean_gain = serializers.FloatField(allow_null=True)
    mean_normalised_gain = serializers.FloatField(allow_null=True)
    interval = serializers.ListField(
        child=serializers.FloatField(), allow_null=True, min_length=2, max_length=2
    )


class SurveyItemResultSerializer(serializers.Serializer):
    item_id = serializers.IntegerField()
    text = serializers.CharField()
    kind = serializers.CharField()
    retired = serializers.BooleanField(
        help_text="no longer asked; the answers it had still count"
    )
    n = serializers.IntegerField()
    mean = serializers.FloatField(allow_null=True, help_text="null under 5 answers")
    distribution = serializers.SerializerMethodField()

    @extend_schema_field(
        serializers.DictField(
            child=serializers.IntegerField(),
            help_text="answers per score 1-5; empty under 5 answers",
        )
    )
    def get_distribution(self, item: Any) -> dict[str, int]:
        return {str(score): n for score, n, _p in item.distribution}


class SurveyResultsSerializer(serializers.Serializer):
    survey_id = serializers.IntegerField()
    is_open = serializers.BooleanField()
    responses = serializers.IntegerField(
        help_text="responses counted: whole batches of 5, in the order they came"
    )
    waiting = serializers.IntegerField(
        help_text="responses not counted yet (1 to 4): they count when 5 are in"
    )
    enough_data = serializers.BooleanField()
    items = SurveyItemResultSerializer(many=True)
    comments = serializers.ListField(
        child=serializers.CharField(),
        allow_null=True,
        help_text="administrators only, from 5 responses; null otherwise",
    )


class CourseReportOutputSerializer(serializers.Serializer):
    course = serializers.IntegerField(source="course.pk")
    cohort = serializers.IntegerField(
        source="scope.cohort.pk", allow_null=True, default=None
    )
    cohorts = serializers.SerializerMethodField()
    learners = serializers.IntegerField()
    enough_data = serializers.BooleanField()
    lessons = CourseReportLessonSerializer(many=True)
    questions = CourseReportQuestionSerializer(many=True)
    most_failed = CourseReportQuestionSerializer(many=True)
    gain = CourseReportGainSerializer()
    survey = SurveyResultsSerializer(allow_null=True)

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_cohorts(self, report: Any) -> list[int]:
        return list(report.scope.cohort_ids)


class SurveyItemPublicSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    text = serializers.CharField()


class SurveyOutputSerializer(serializers.Serializer):
    course = serializers.IntegerField()
    is_open = serializers.BooleanField()
    revision = serializers.IntegerField(
        help_text="send it back with the answers: a survey changed since refuses them"
    )
    reached_end = serializers.BooleanField(
        help_text="the learner finished the course (may answer)"
    )
    responded = serializers.BooleanField()
    items = SurveyItemPublicSerializer(many=True)


class SurveyAnswerInputSerializer(serializers.Serializer):
    answers = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=2000),
        help_text='item id -> score "1".."5" (each statement) or text (optional)',
    )
    revision = serializers.IntegerField(
        required=False,
        min_value=0,
        help_text="the revision the answers were given to (from GET); optional",
    )


# --- Survey editing (course authors) ---------------------------------------------


class SurveyEditItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=SurveyItemKind.choices)
    text = serializers.CharField()
    order = serializers.IntegerField(help_text="position from 0")
    retired = serializers.BooleanField(help_text="no longer asked, still reported")
    answered = serializers.BooleanField(
        help_text="someone answered it: its text and kind are locked, and it can "
        "be retired but not deleted"
    )


class SurveyEditorSerializer(serializers.Serializer):
    course = serializers.IntegerField(source="course.pk")
    is_open = serializers.BooleanField(source="survey.is_open")
    revision = serializers.IntegerField(source="survey.revision")
    responses = serializers.IntegerField()
    items = SurveyEditItemSerializer(many=True)


class SurveyItemInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SurveyItemKind.choices, default="likert")
    text = serializers.CharField(max_length=200)


class SurveyAttachInputSerializer(serializers.Serializer):
    items = SurveyItemInputSerializer(
        many=True,
        required=False,
        help_text="the survey's items; omitted: the default items",
    )
    is_open = serializers.BooleanField(default=True)


class SurveyPatchInputSerializer(serializers.Serializer):
    is_open = serializers.BooleanField()


class SurveyItemAddInputSerializer(SurveyItemInputSerializer):
    position = serializers.IntegerField(
        required=False, min_value=0, max_value=1000, help_text="from 0; default: last"
    )


class SurveyItemPatchInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SurveyItemKind.choices, required=False)
    text = serializers.CharField(max_length=200, required=False)
    position = serializers.IntegerField(required=False, min_value=0, max_value=1000)
    retired = serializers.BooleanField(required=False)


class SurveyAnsweredSerializer(serializers.Serializer):
    recorded = serializers.BooleanField(
        help_text="false: answered before; nothing was changed"
    )


class EngagementGainBandSerializer(serializers.Serializer):
    days_active = serializers.CharField(source="label")
    learners = serializers.IntegerField(
        allow_null=True, help_text="null: fewer than 5 learners (not shown)"
    )
    median_gain = serializers.FloatField(allow_null=True)


class CohortEngagementGainOutputSerializer(serializers.Serializer):
    cohort = serializers.IntegerField(source="cohort.pk")
    n = serializers.IntegerField(help_text="learners with a pre- and a post-test")
    enough_data = serializers.BooleanField()
    spearman_rho = serializers.FloatField(
        source="rho",
        allow_null=True,
        help_text="null: fewer than 5 pairs, or no variation (not enough data)",
    )
    bands = EngagementGainBandSerializer(many=True)
    points = serializers.SerializerMethodField(
        help_text="[days active, gain] per learner, anonymous and sorted; "
        "for the cohort's administrators only"
    )

    @extend_schema_field(
        serializers.ListField(
            child=serializers.ListField(child=serializers.FloatField()),
            allow_null=True,
        )
    )
    def get_points(self, report: Any) -> list[list[float]] | None:
        if not self.context.get("show_points"):
            return None
        return [[days, gain] for days, gain in report.points]
