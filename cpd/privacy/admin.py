from django.contrib import admin

from cpd.privacy.models import (
    DataExport,
    ErasureRequest,
    OrganisationPrivacy,
    PrivacyAudit,
)


@admin.register(OrganisationPrivacy)
class OrganisationPrivacyAdmin(admin.ModelAdmin):
    list_display = ["organisation", "certificates_on_erasure"]


@admin.register(DataExport)
class DataExportAdmin(admin.ModelAdmin):
    list_display = ["pk", "user", "status", "requested_at", "expires_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in DataExport._meta.fields]


@admin.register(ErasureRequest)
class ErasureRequestAdmin(admin.ModelAdmin):
    list_display = ["pk", "user", "status", "requested_at", "due_at", "done_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in ErasureRequest._meta.fields]


@admin.register(PrivacyAudit)
class PrivacyAuditAdmin(admin.ModelAdmin):
    """Append-only: nobody adds, edits or deletes audit rows here."""

    list_display = ["created_at", "action", "actor_id", "subject_id"]
    list_filter = ["action"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
