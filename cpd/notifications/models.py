"""The inbox, each person's preferences, push subscriptions and the delivery log."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    PUSH = "push", _("Phone notification")


class Mode(models.TextChoices):
    IMMEDIATE = "immediate", _("At once")
    DIGEST = "digest", _("In the daily digest")
    WEEKLY = "weekly", _("In the weekly digest")
    OFF = "off", _("Off")


class Notification(models.Model):
    """One row of a person's inbox: what happened, and where to look."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=40)
    # The cohort the event belongs to: a person who has left it is sent nothing
    # more about it (checked again when each delivery goes out).
    cohort = models.ForeignKey(
        "cpd.Cohort", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    # One notification per event: a retried or duplicated call adds nothing.
    dedupe_key = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    digested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        indexes: ClassVar = [
            models.Index(fields=["user", "-created_at"], name="notif_inbox"),
            models.Index(
                fields=["user"],
                name="notif_unread",
                condition=Q(read_at__isnull=True),
            ),
        ]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["user", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="notif_once_per_event",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.text}"


class Preference(models.Model):
    """A person's choice for one kind on one channel (absent: the kind's default)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=40)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    mode = models.CharField(max_length=10, choices=Mode.choices)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["user", "kind", "channel"], name="notif_pref_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.channel}={self.mode}"


class QuietHours(models.Model):
    """When not to send SMS, push or email (in the person's time zone)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    starts = models.TimeField(_("quiet from"), null=True, blank=True)
    ends = models.TimeField(_("quiet until"), null=True, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")

    def __str__(self) -> str:
        return f"{self.user_id} {self.starts}-{self.ends} {self.time_zone}"


class PushSubscription(models.Model):
    """One browser's web-push endpoint for a person (removed when it expires)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    endpoint = models.URLField(max_length=500, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user_id} {self.endpoint[:40]}"


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")


class Delivery(models.Model):
    """One notification on one channel: sent at most once, with its outcome."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    provider_id = models.CharField(max_length=120, blank=True, db_index=True)
    cost = models.CharField(max_length=20, blank=True)  # as the gateway states it
    error = models.CharField(max_length=300, blank=True)
    # Sends tried so far: a gateway error that sent nothing is tried again later.
    attempts = models.PositiveSmallIntegerField(default=0)
    # The text to send when it is not the notification's own (an SMS digest,
    # written in the person's language when the digest was made).
    body = models.CharField(max_length=480, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="delivery_once_per_channel"
            )
        ]

    def __str__(self) -> str:
        return f"{self.notification_id} {self.channel} {self.status}"


class CohortDefault(models.Model):
    """A cohort administrator's default for one kind on one channel.

    It stands between the kind's default and a person's own choice: a person's
    ``Preference`` still wins.
    """

    cohort = models.ForeignKey("cpd.Cohort", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    mode = models.CharField(max_length=10, choices=Mode.choices)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["cohort", "kind", "channel"], name="notif_cohort_default_once"
            )
        ]

    def __str__(self) -> str:
        return f"cohort {self.cohort_id} {self.kind} {self.channel}={self.mode}"
