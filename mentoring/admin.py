"""Django admin for mentoring (superusers). Message bodies are not listed here."""

from django.contrib import admin

from mentoring.models import (
    CheckIn,
    Conversation,
    MentorProfile,
    Pairing,
    PairingChange,
    Specialty,
)


@admin.register(Specialty)
class SpecialtyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "cadres"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(MentorProfile)
class MentorProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "capacity", "languages", "districts"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["specialties"]
    search_fields = ["user__display_name", "user__email"]


@admin.register(Pairing)
class PairingAdmin(admin.ModelAdmin):
    list_display = ["cohort", "mentor", "learner", "mode", "group_name", "active"]
    list_filter = ["active", "mode"]
    list_select_related = ["cohort", "mentor", "learner"]
    raw_id_fields = ["cohort", "mentor", "learner", "created_by"]


@admin.register(PairingChange)
class PairingChangeAdmin(admin.ModelAdmin):
    """The audit log is read-only."""

    list_display = [
        "created_at",
        "cohort",
        "learner",
        "old_mentor",
        "new_mentor",
        "actor",
    ]
    list_select_related = ["cohort", "learner", "old_mentor", "new_mentor", "actor"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    """Conversations exist and who takes part; bodies stay private."""

    list_display = ["pk", "cohort", "mentor", "learner", "title", "created_at"]
    list_select_related = ["cohort", "mentor", "learner"]
    raw_id_fields = ["cohort", "mentor", "learner"]


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin):
    list_display = [
        "scheduled_for",
        "mode",
        "conversation",
        "done_at",
        "reminder_sent_at",
    ]
    list_filter = ["mode"]
    raw_id_fields = ["conversation", "created_by"]
