"""Exports of a person's data, erasure requests and the privacy audit trail."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cpd.models import Organisation


class CertificatesOnErasure(models.TextChoices):
    KEEP = "keep", _("Keep verifiable, with the name removed")
    REVOKE = "revoke", _("Revoke")


class OrganisationPrivacy(models.Model):
    """An organisation's privacy choices (one row, created when first changed)."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="privacy"
    )
    certificates_on_erasure = models.CharField(
        _("certificates of an erased person"),
        max_length=10,
        choices=CertificatesOnErasure.choices,
        default=CertificatesOnErasure.KEEP,
    )

    class Meta:
        verbose_name = _("organisation privacy settings")
        verbose_name_plural = _("organisation privacy settings")

    def __str__(self) -> str:
        return f"{self.organisation} · {self.certificates_on_erasure}"


def _token() -> str:
    return secrets.token_urlsafe(32)


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")


class DataExport(models.Model):
    """A ZIP of everything the platform holds about one person; its link expires."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    token = models.CharField(max_length=64, unique=True, default=_token)
    status = models.CharField(
        max_length=10, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    file = models.FileField(upload_to="privacy/exports/", blank=True)
    size_bytes = models.PositiveBigIntegerField(default=0)
    requested_at = models.DateTimeField(default=timezone.now)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")
        indexes = [models.Index(fields=["user", "-requested_at"])]

    def __str__(self) -> str:
        return f"export {self.pk} of {self.user_id} ({self.status})"

    @property
    def is_downloadable(self) -> bool:
        return (
            self.status == ExportStatus.READY
            and self.expires_at is not None
            and self.expires_at > timezone.now()
        )


class ErasureStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    CANCELLED = "cancelled", _("Cancelled")
    DONE = "done", _("Erased")


class ErasureRequest(models.Model):
    """A person asked to be erased; an admin confirms or ``due_at`` passes."""

    # The row outlives the erasure (it is the record that it happened); the user
    # row stays too, deactivated and emptied.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=ErasureStatus.choices, default=ErasureStatus.PENDING
    )
    requested_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    done_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("erasure request")
        verbose_name_plural = _("erasure requests")
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status="pending"),
                name="erasure_one_pending_per_user",
            )
        ]
        indexes = [
            models.Index(
                fields=["due_at"],
                name="erasure_pending_due",
                condition=Q(status="pending"),
            )
        ]

    def __str__(self) -> str:
        return f"erasure {self.pk} of {self.user_id} ({self.status})"

    @property
    def is_pending(self) -> bool:
        return self.status == ErasureStatus.PENDING


class AuditAction(models.TextChoices):
    EXPORT_REQUESTED = "export_requested", _("Export requested")
    EXPORT_READY = "export_ready", _("Export ready")
    EXPORT_DOWNLOADED = "export_downloaded", _("Export downloaded")
    ERASURE_REQUESTED = "erasure_requested", _("Erasure requested")
    ERASURE_CANCELLED = "erasure_cancelled", _("Erasure cancelled")
    ERASURE_CONFIRMED = "erasure_confirmed", _("Erasure confirmed")
    ERASURE_DONE = "erasure_done", _("Erased")


class PrivacyAudit(models.Model):
    """Who did what to whose data, when: written by services, never edited."""

    # Ids, not foreign keys: the record must not change when people do.
    actor_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject_id = models.PositiveBigIntegerField()
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("privacy audit entry")
        verbose_name_plural = _("privacy audit")
        indexes = [models.Index(fields=["subject_id", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.action} of {self.subject_id} by {self.actor_id}"


class PrivacyNotice(models.Model):
    """A cohort's privacy notice; publishing a new version asks everyone again."""

    cohort = models.ForeignKey(
        "cpd.Cohort", on_delete=models.CASCADE, related_name="privacy_notices"
    )
    version = models.PositiveIntegerField()
    text = models.TextField(_("notice"))
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["cohort_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "version"], name="privacy_notice_version_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.cohort_id} v{self.version}"


class NoticeAcceptance(models.Model):
    """A person accepted one version of a cohort's notice (kept as evidence)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    notice = models.ForeignKey(
        PrivacyNotice, on_delete=models.PROTECT, related_name="acceptances"
    )
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "notice"], name="notice_accepted_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} accepted {self.notice_id}"
