"""Output and input shapes for people and cohorts."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cpd.images import image_check
from cpd.models import Cadre, Cohort, Image, Membership, Role, User


class UserOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "phone",
            "display_name",
            "preferred_language",
            "cadre",
            "facility",
            "district",
            "data_saver",
        ]


class UserPublicSerializer(serializers.ModelSerializer):
    """What fellow cohort members see of a person."""

    class Meta:
        model = User
        fields = ["id", "display_name", "cadre", "district"]


def _languages() -> list[tuple[str, str]]:
    return [(code, str(name)) for code, name in settings.LANGUAGES]


class ProfileInputSerializer(serializers.Serializer):
    display_name = serializers.CharField(max_length=80, required=False)
    preferred_language = serializers.ChoiceField(choices=[], required=False)
    cadre = serializers.ChoiceField(choices=Cadre.choices, required=False)
    facility = serializers.CharField(max_length=120, required=False, allow_blank=True)
    district = serializers.CharField(max_length=120, required=False, allow_blank=True)
    data_saver = serializers.BooleanField(required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        language = self.fields["preferred_language"]
        if isinstance(language, serializers.ChoiceField):
            language.choices = _languages()


class CohortOutputSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.name")
    learner_count = serializers.IntegerField()
    mentor_count = serializers.IntegerField()
    my_role = serializers.SerializerMethodField()

    class Meta:
        model = Cohort
        fields = [
            "id",
            "name",
            "organisation",
            "description",
            "starts_on",
            "ends_on",
            "learner_count",
            "mentor_count",
            "my_role",
        ]

    def get_my_role(self, cohort: Cohort) -> str | None:
        from cpd.policies import roles_of

        return roles_of(self.context["request"].user).role_in(cohort)


class MembershipOutputSerializer(serializers.ModelSerializer):
    user = UserPublicSerializer()

    class Meta:
        model = Membership
        fields = ["id", "role", "joined_at", "user"]


class InvitationInputSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    phone = serializers.RegexField(
        r"^\+[1-9]\d{6,14}$", required=False, allow_blank=True, default=""
    )
    language = serializers.ChoiceField(
        choices=[code for code, _name in settings.LANGUAGES],
        required=False,
        allow_blank=True,
        default="",
        help_text="the invitee's language: their email and sign-up page",
    )

    def validate(self, attrs: dict) -> dict:
        if not attrs.get("email") and not attrs.get("phone"):
            raise serializers.ValidationError(
                "Give an email address or a phone number."
            )
        return attrs


class InvitationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    role = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()
    expires_at = serializers.DateTimeField()
    url = serializers.CharField()


class TokenInputSerializer(serializers.Serializer):
    login = serializers.CharField(max_length=254, help_text="Email or phone number")
    password = serializers.CharField(max_length=128, style={"input_type": "password"})


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField()


class ImageInputSerializer(serializers.Serializer):
    file = serializers.FileField()
    cohort = serializers.IntegerField(required=False, allow_null=True, default=None)
    no_identifiers_confirmed = serializers.BooleanField(default=False)

    def validate_file(self, value: UploadedFile) -> UploadedFile:
        # Header only: too big, wrong type or too many pixels is an error on
        # ``file``; the service decodes (and checks again) after the policy check.
        image_check(value)
        return value


class ImageOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    small_url = serializers.SerializerMethodField()
    full_url = serializers.SerializerMethodField()

    def get_small_url(self, image: Image) -> str:
        return reverse("image-file", args=[image.pk, "small"])

    def get_full_url(self, image: Image) -> str:
        return reverse("image-file", args=[image.pk, "full"])


class ImageHideInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class ReportWeekSerializer(serializers.Serializer):
    week_starting = serializers.DateField()
    active_learners = serializers.IntegerField()


class ReportGroupSerializer(serializers.Serializer):
    group = serializers.CharField(source="label")
    learners = serializers.IntegerField(
        allow_null=True,
        help_text="null: not shown (fewer than 5 learners, or protects another)",
    )
    active_share = serializers.FloatField(allow_null=True)
    social_share = serializers.FloatField(allow_null=True)
    protects = serializers.BooleanField(
        help_text="hidden although 5 or more: it would give away a smaller group"
    )
    mean_gain = serializers.FloatField(
        allow_null=True,
        help_text=(
            "mean post-test minus pre-test (points) of the group's learners with"
            " both; null: hidden, fewer than 5 such learners, or gain_protects"
        ),
    )
    gain_n = serializers.IntegerField(
        allow_null=True,
        help_text="learners with both tests; 0: none; null: not shown (1 to 4)",
    )
    gain_protects = serializers.BooleanField(
        help_text="gain hidden although 5 or more: it would give away another's"
    )


class ReportLearnerSerializer(serializers.Serializer):
    user_id = serializers.IntegerField()
    name = serializers.CharField()
    days_active = serializers.IntegerField()
    sessions = serializers.IntegerField()
    minutes = serializers.IntegerField()
    social = serializers.IntegerField()
    lessons_completed = serializers.IntegerField()
    attended = serializers.IntegerField()
    last_active = serializers.DateTimeField(allow_null=True)


class CohortReportOutputSerializer(serializers.Serializer):
    cohort = serializers.IntegerField(source="cohort.pk")
    learners = serializers.IntegerField()
    enough_data = serializers.BooleanField()
    weeks = serializers.SerializerMethodField()
    active_learners = serializers.IntegerField()
    median_days_active = serializers.FloatField(allow_null=True)
    median_sessions = serializers.FloatField(allow_null=True)
    median_minutes = serializers.FloatField(allow_null=True)
    posted_share = serializers.FloatField(allow_null=True)
    quiet_learners = serializers.IntegerField()
    attended_share = serializers.FloatField(allow_null=True)
    by_cadre = ReportGroupSerializer(many=True)
    by_district = ReportGroupSerializer(many=True)
    by_facility = ReportGroupSerializer(many=True)
    by_gender = ReportGroupSerializer(
        many=True,
        help_text="consenting learners only; the others in a 'not shared' group",
    )
    by_age_band = ReportGroupSerializer(
        many=True,
        help_text="consenting learners only; the others in a 'not shared' group",
    )
    rows = serializers.SerializerMethodField(
        help_text="one row per learner, for the cohort's administrators only"
    )

    @extend_schema_field(ReportWeekSerializer(many=True))
    def get_weeks(self, report: Any) -> list[dict[str, Any]]:
        return [
            {"week_starting": week, "active_learners": n} for week, n in report.weeks
        ]

    @extend_schema_field(ReportLearnerSerializer(many=True, allow_null=True))
    def get_rows(self, report: Any) -> list[dict[str, Any]] | None:
        if not self.context.get("show_rows"):
            return None
        return ReportLearnerSerializer(report.rows, many=True).data  # type: ignore[return-value]

    # Other apps' figures (cpd.report_parts), e.g. mentor_contact, cpd_hours.
    parts = serializers.SerializerMethodField(
        help_text=(
            "other apps' aggregates by part: mentor_contact (share with a "
            "mentor, medians of messages, check-ins and time to first reply, "
            "with n), cpd_hours (certificates, total and median hours)"
        )
    )

    @extend_schema_field(
        serializers.DictField(
            child=serializers.DictField(child=serializers.JSONField())
        )
    )
    def get_parts(self, report: Any) -> dict[str, Any]:
        return self.context.get("parts", {})
