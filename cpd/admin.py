"""Django admin for people, organisations, cohorts, memberships and invitations."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.forms import Form
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from cpd.models import Cohort, Invitation, Membership, Organisation, TaskOutbox, User
from cpd.privacy.registry import renamers


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["display_name"]
    list_display = ["display_name", "email", "phone", "cadre", "district", "is_staff"]
    list_filter = ["cadre", "is_staff", "is_active"]
    search_fields = ["display_name", "email", "phone", "facility", "district"]
    fieldsets = (
        (None, {"fields": ("email", "phone", "password")}),
        (
            _("Profile"),
            {
                "fields": (
                    "display_name",
                    "preferred_language",
                    "cadre",
                    "facility",
                    "district",
                )
            },
        ),
        (
            _("Demographics (with consent)"),
            {"fields": ("demographics_consent", "gender", "age_band")},
        ),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "phone", "display_name", "password1", "password2"),
            },
        ),
    )

    def save_model(
        self, request: HttpRequest, obj: User, form: Form, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        if change and "display_name" in form.changed_data:
            for renamer in renamers().values():  # pages cached with the old name
                renamer(obj)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "country"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["admins"]


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "organisation",
        "starts_on",
        "ends_on",
        "room_retention_days",
    ]
    list_filter = ["organisation"]
    search_fields = ["name"]
    list_select_related = ["organisation"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "cohort", "role", "joined_at"]
    list_filter = ["role", "cohort"]
    search_fields = ["user__display_name", "user__email", "cohort__name"]
    list_select_related = ["user", "cohort"]
    autocomplete_fields = ["user"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["cohort", "role", "email", "phone", "expires_at", "accepted_at"]
    list_filter = ["role", "cohort"]
    readonly_fields = ["token", "sent_at", "accepted_at", "accepted_by"]
    list_select_related = ["cohort"]


@admin.register(TaskOutbox)
class TaskOutboxAdmin(admin.ModelAdmin):
    """Owed tasks: what waits for the broker, and why (read-only)."""

    list_display = ["task", "args", "due_at", "dispatched_at", "attempts", "last_error"]
    list_filter = ["task", ("dispatched_at", admin.EmptyFieldListFilter)]
    readonly_fields = [f.name for f in TaskOutbox._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
