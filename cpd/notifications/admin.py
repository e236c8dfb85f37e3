"""The delivery log and inboxes in Django admin (read-only)."""

from django.contrib import admin
from django.http import HttpRequest

from cpd.notifications.models import Delivery, Notification


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnly):
    list_display = [
        "notification",
        "channel",
        "status",
        "provider_id",
        "cost",
        "updated_at",
    ]
    list_filter = ["channel", "status"]
    search_fields = ["provider_id"]
    list_select_related = ["notification"]


@admin.register(Notification)
class NotificationAdmin(ReadOnly):
    list_display = ["user", "kind", "text", "created_at", "read_at"]
    list_filter = ["kind"]
    list_select_related = ["user"]
