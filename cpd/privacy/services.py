"""Writes for privacy: exports of a person's data and their erasure.

Each app's part comes from ``cpd.privacy.registry`` (registered in its
``AppConfig.ready()``); this module owns the people app's part (profile,
memberships, images, sign-in traces) and the order of things.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import zipfile
from typing import Any

from allauth.account.models import EmailAddress
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q, Value
from django.db.models.functions import Replace
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from cpd import outbox
from cpd.models import (
    Activity,
    ActivityDaily,
    Image,
    Invitation,
    Membership,
    Organisation,
    User,
)
from cpd.notifications.models import (
    Notification,
    Preference,
    PushSubscription,
    QuietHours,
)
from cpd.policies import forget_roles
from cpd.privacy import policies, registry
from cpd.privacy.models import (
    AuditAction,
    CertificatesOnErasure,
    DataExport,
    ErasureRequest,
    ErasureStatus,
    ExportStatus,
    OrganisationPrivacy,
    PrivacyAudit,
)
from cpd.report_cache import report_cache_forget

logger = logging.getLogger(__name__)

EXPORT_TTL = dt.timedelta(days=7)
# A new export within this window returns the last one instead of building again.
EXPORT_MIN_INTERVAL = dt.timedelta(hours=1)
ERASURE_GRACE = dt.timedelta(days=14)
ERASED_EMAIL_DOMAIN = "erased.invalid"


def audit_record(
    *, actor: User | None, subject_id: int, action: str, **detail: Any
) -> PrivacyAudit:
    """Append one audit row (who, whom, what, when); rows are never edited."""
    return PrivacyAudit.objects.create(
        actor_id=actor.pk if actor else None,
        subject_id=subject_id,
        action=action,
        detail=detail,
    )


# --- Export --------------------------------------------------------------------------


def export_request(*, actor: User) -> DataExport:
    """Ask for an export of one's data; the ZIP is built by a task after commit.

    A pending export, or one made within ``EXPORT_MIN_INTERVAL``, is returned
    instead of a new one (a button pressed twice builds one ZIP).
    """
    if not policies.can_request_export(actor):
        raise PermissionDenied(_("Sign in to export your data."))
    with transaction.atomic():
        # Lock the person's row: two taps at once must not make two exports.
        User.objects.select_for_update().filter(pk=actor.pk).first()
        recent = (
            DataExport.objects.filter(user=actor)
            .filter(
                Q(status=ExportStatus.PENDING)
                | Q(
                    status=ExportStatus.READY,
                    requested_at__gt=timezone.now() - EXPORT_MIN_INTERVAL,
                )
            )
            .first()
        )
        if recent is not None:
            return recent
        export = DataExport.objects.create(user=actor)
        audit_record(
            actor=actor,
            subject_id=actor.pk,
            action=AuditAction.EXPORT_REQUESTED,
            export=export.pk,
        )
        # Lazy: cpd.privacy.tasks imports this module (see cpd.services).
        from cpd.privacy.tasks import export_build as export_build_task

        outbox.enqueue(export_build_task, export.pk)
    return export


def _json(data: Any) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def _profile_part(user: User) -> registry.ExportPart:
    images = list(Image.objects.filter(owner=user).order_by("pk"))
    profile = {
        "id": user.pk,
        "email": user.email,
        "phone": user.phone,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        **{name: getattr(user, name) for name in User.PROFILE_FIELDS},
        "images": [
            {
                "id": image.pk,
                "file": f"images/{image.pk}.jpg",
                "cohort_id": image.cohort_id,
                "private": image.private,
                "created_at": image.created_at,
            }
            for image in images
        ],
    }
    return registry.ExportPart(data=profile, images=images)


def _record_part(user: User) -> registry.ExportPart:
    """The person's learning-record statements (what reports are computed from)."""
    return registry.ExportPart(
        data={
            "statements": list(
                Activity.objects.filter(actor=user)
                .order_by("timestamp", "pk")
                .values(
                    "verb",
                    "object_type",
                    "object_id",
                    "cohort_id",
                    "course_id",
                    "score",
                    "success",
                    "duration_seconds",
                    "timestamp",
                )
            )
        }
    )


def _notifications_part(user: User) -> registry.ExportPart:
    return registry.ExportPart(
        data={
            "inbox": list(
                Notification.objects.filter(user=user)
                .order_by("created_at", "pk")
                .values("kind", "text", "url", "created_at", "read_at")
            ),
            "preferences": list(
                Preference.objects.filter(user=user).values("kind", "channel", "mode")
            ),
            "quiet_hours": list(
                QuietHours.objects.filter(user=user).values(
                    "starts", "ends", "time_zone"
                )
            ),
            "devices": PushSubscription.objects.filter(user=user).count(),
        }
    )


def _memberships_part(user: User) -> registry.ExportPart:
    rows = Membership.objects.filter(user=user).select_related("cohort__organisation")
    return registry.ExportPart(
        data={
            "memberships": [
                {
                    "cohort": m.cohort.name,
                    "organisation": m.cohort.organisation.name,
                    "role": m.role,
                    "joined_at": m.joined_at,
                }
                for m in rows
            ],
            "administers": list(
                user.administered_organisations.values_list("name", flat=True)
            ),
        }
    )


def export_parts(user: User) -> dict[str, registry.ExportPart]:
    """Every section of a person's export: profile, memberships, then each app's."""
    parts = {
        "profile": _profile_part(user),
        "memberships": _memberships_part(user),
        "learning_record": _record_part(user),
        "notifications": _notifications_part(user),
    }
    for section, exporter in registry.exporters().items():
        parts[section] = exporter(user)
    return parts


def export_zip(user: User) -> bytes:
    """The ZIP bytes: one JSON file per section plus every image once."""
    buffer = io.BytesIO()
    parts = export_parts(user)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        images: dict[int, Image] = {}
        for section, part in parts.items():
            archive.writestr(f"{section}.json", _json(part.data))
            images.update({image.pk: image for image in part.images})
        for pk, image in sorted(images.items()):
            try:
                with image.full.open("rb") as handle:
                    # Already JPEG-compressed: store, do not deflate again.
                    archive.writestr(
                        f"images/{pk}.jpg", handle.read(), zipfile.ZIP_STORED
                    )
            except (FileNotFoundError, OSError):
                logger.warning("image %s has no file; left out of the export", pk)
    return buffer.getvalue()


def export_link(export: DataExport) -> str:
    """The absolute download link of an export (it asks for sign-in)."""
    return settings.SITE_URL.rstrip("/") + reverse(
        "privacy-export-download", args=[export.token]
    )


def export_build(*, export_id: int) -> bool:
    """Build a pending export's ZIP, mark it ready and email the link once.

    Idempotent: an export that is no longer pending is left alone, and a run
    that loses the race to another deletes the file it wrote.
    """
    export = (
        DataExport.objects.select_related("user")
        .filter(pk=export_id, status=ExportStatus.PENDING)
        .first()
    )
    if export is None:
        return False
    try:
        content = export_zip(export.user)
    except Exception:  # one broken section must not leave the export pending
        logger.exception("export %s failed", export.pk)
        DataExport.objects.filter(pk=export.pk, status=ExportStatus.PENDING).update(
            status=ExportStatus.FAILED
        )
        return False
    name = export.file.storage.save(
        f"privacy/exports/{export.token}.zip", ContentFile(content)
    )
    now = timezone.now()
    with transaction.atomic():
        claimed = DataExport.objects.filter(
            pk=export.pk, status=ExportStatus.PENDING
        ).update(
            status=ExportStatus.READY,
            file=name,
            size_bytes=len(content),
            ready_at=now,
            expires_at=now + EXPORT_TTL,
        )
        if not claimed:
            export.file.storage.delete(name)
            return False
        audit_record(
            actor=None,
            subject_id=export.user_id,
            action=AuditAction.EXPORT_READY,
            export=export.pk,
            bytes=len(content),
        )
    export.refresh_from_db()
    export_notify(export=export)
    return True


def export_notify(*, export: DataExport) -> bool:
    """Email the person that their export is ready (once; only with an email)."""
    if export.notified_at or not export.user.email or not export.is_downloadable:
        return False
    assert export.expires_at is not None  # noqa: S101 - is_downloadable says so
    send_mail(
        subject=_("Your data export is ready"),
        message=_(
            "The copy of your data you asked for is ready.\n\n"
            "Download it (sign in first) before %(expires)s:\n%(link)s\n"
        )
        % {
            "expires": f"{export.expires_at:%Y-%m-%d %H:%M} UTC",
            "link": export_link(export),
        },
        from_email=None,
        recipient_list=[export.user.email],
    )
    DataExport.objects.filter(pk=export.pk).update(notified_at=timezone.now())
    return True


def export_downloaded(*, actor: User, export: DataExport) -> None:
    """Record a download in the audit (the view streams the file)."""
    if not policies.can_download_export(actor, export):
        raise PermissionDenied(_("This link has expired."))
    audit_record(
        actor=actor,
        subject_id=export.user_id,
        action=AuditAction.EXPORT_DOWNLOADED,
        export=export.pk,
    )


def exports_expire() -> int:
    """Delete the files of exports whose link has expired; return how many."""
    expired = list(
        DataExport.objects.filter(
            status=ExportStatus.READY, expires_at__lte=timezone.now()
        )
    )
    for export in expired:
        if export.file.name:
            export.file.storage.delete(export.file.name)
    DataExport.objects.filter(pk__in=[e.pk for e in expired]).update(
        status=ExportStatus.EXPIRED, file=""
    )
    return len(expired)


# --- Erasure -------------------------------------------------------------------------


def erasure_request(*, actor: User) -> ErasureRequest:
    """Ask to be erased; done when an admin confirms or after ``ERASURE_GRACE``."""
    if not policies.can_request_erasure(actor):
        raise PermissionDenied(_("Sign in to ask for erasure."))
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=actor.pk).first()
        pending = ErasureRequest.objects.filter(
            user=actor, status=ErasureStatus.PENDING
        ).first()
        if pending is not None:
            return pending
        request = ErasureRequest.objects.create(
            user=actor, due_at=timezone.now() + ERASURE_GRACE
        )
        audit_record(
            actor=actor,
            subject_id=actor.pk,
            action=AuditAction.ERASURE_REQUESTED,
            request=request.pk,
            due_at=request.due_at.isoformat(),
        )
    return request


def erasure_cancel(*, actor: User, request: ErasureRequest) -> ErasureRequest:
    """The person withdraws their pending request."""
    if not policies.can_cancel_erasure(actor, request):
        raise PermissionDenied(
            _("Only a waiting request of your own can be cancelled.")
        )
    with transaction.atomic():
        updated = ErasureRequest.objects.filter(
            pk=request.pk, status=ErasureStatus.PENDING
        ).update(status=ErasureStatus.CANCELLED)
        if updated:
            audit_record(
                actor=actor,
                subject_id=request.user_id,
                action=AuditAction.ERASURE_CANCELLED,
                request=request.pk,
            )
    request.refresh_from_db()
    return request


def erasure_confirm(*, actor: User, request: ErasureRequest) -> ErasureRequest:
    """An admin of the person's organisation confirms; a task erases after commit."""
    if not policies.can_confirm_erasure(actor, request):
        raise PermissionDenied(
            _("Only an administrator of this person's organisation can confirm.")
        )
    with transaction.atomic():
        updated = ErasureRequest.objects.filter(
            pk=request.pk, status=ErasureStatus.PENDING, confirmed_by__isnull=True
        ).update(confirmed_by=actor)
        if updated:
            audit_record(
                actor=actor,
                subject_id=request.user_id,
                action=AuditAction.ERASURE_CONFIRMED,
                request=request.pk,
            )
            from cpd.privacy.tasks import erasure_perform as erasure_perform_task

            outbox.enqueue(erasure_perform_task, request.pk)
    request.refresh_from_db()
    return request


def _certificate_choice(user: User) -> str:
    """Revoke if any of the person's organisations chose so; else keep."""
    org_ids = set(
        Membership.objects.filter(user=user).values_list(
            "cohort__organisation_id", flat=True
        )
    ) | set(user.administered_organisations.values_list("id", flat=True))
    revoke = OrganisationPrivacy.objects.filter(
        organisation_id__in=org_ids,
        certificates_on_erasure=CertificatesOnErasure.REVOKE,
    ).exists()
    return (
        registry.CertificateChoice.REVOKE if revoke else registry.CertificateChoice.KEEP
    )


def _erase_people_part(user: User) -> dict[str, int]:
    """The people app's rows: memberships, images, invitations, sign-in traces."""
    counts: dict[str, int] = {}
    files: list[str] = []
    images = list(Image.objects.filter(owner=user))
    for image in images:
        files += [str(f.name) for f in (image.full, image.small) if f.name]
    counts["images"] = Image.objects.filter(pk__in=[i.pk for i in images]).delete()[0]
    exports = list(DataExport.objects.filter(user=user).exclude(file=""))
    files += [str(e.file.name) for e in exports]
    counts["exports"] = DataExport.objects.filter(user=user).delete()[0]
    # The cohort reports kept (cpd.report_cache) hold their name and figures.
    report_cache_forget(
        Membership.objects.filter(user=user).values_list("cohort_id", flat=True)
    )
    counts["memberships"] = Membership.objects.filter(user=user).delete()[0]
    # The learning record and the inbox are the person's own: they go.
    counts["learning_record"] = (
        Activity.objects.filter(actor=user).delete()[0]
        + ActivityDaily.objects.filter(actor=user).delete()[0]
    )
    counts["notifications"] = Notification.objects.filter(user=user).delete()[0]
    # Others' notifications quote the name ("Faith replied to …"): scrub it.
    name = (user.display_name or "").strip()
    if len(name) >= 3:
        counts["notifications_scrubbed"] = Notification.objects.filter(
            text__contains=name
        ).update(text=Replace("text", Value(name), Value(str(_("Former member")))))
    for model in (Preference, QuietHours, PushSubscription):
        model.objects.filter(user=user).delete()
    Organisation.admins.through.objects.filter(user_id=user.pk).delete()
    addressed = Q(email__iexact=user.email) if user.email else Q(pk__in=[])
    if user.phone:
        addressed |= Q(phone=user.phone)
    counts["invitations"] = Invitation.objects.filter(addressed).delete()[0]
    Invitation.objects.filter(created_by=user).update(created_by=None)
    Invitation.objects.filter(accepted_by=user).update(accepted_by=None)
    Token.objects.filter(user=user).delete()
    EmailAddress.objects.filter(user=user).delete()
    names = [n for n in (user.email, user.phone) if n]
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        model.objects.filter(username__in=names).delete()
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
    ).update(object_repr=f"user {user.pk}", change_message="")
    # Files go once the rows are gone for good (a rollback keeps both).
    transaction.on_commit(lambda: _files_delete(files))
    return counts


def _files_delete(names: list[str]) -> None:
    storage = Image._meta.get_field("full").storage
    for name in names:
        storage.delete(name)


def _anonymise_user(user: User) -> None:
    user.email = f"erased-{user.pk}@{ERASED_EMAIL_DOMAIN}"
    user.phone = None
    user.display_name = ""
    user.preferred_language = settings.LANGUAGE_CODE
    user.cadre = ""
    user.facility = ""
    user.district = ""
    user.demographics_consent = False
    user.gender = ""
    user.age_band = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.last_login = None
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    forget_roles(user)


def erasure_perform(*, request_id: int, actor: User | None = None) -> bool:
    """Erase the person of a pending request (confirmed, or due); idempotent.

    Every app's eraser runs in one transaction with the anonymisation of the
    account, so a failure leaves the person as they were and the request pending.
    """
    with transaction.atomic():
        request = (
            ErasureRequest.objects.select_for_update()
            .select_related("user")
            .filter(pk=request_id, status=ErasureStatus.PENDING)
            .first()
        )
        if request is None:
            return False
        if request.confirmed_by_id is None and request.due_at > timezone.now():
            return False  # neither confirmed nor due: not yet
        user = request.user
        context = registry.ErasureContext(certificates=_certificate_choice(user))
        counts: dict[str, dict[str, int]] = {}
        for section, eraser in registry.erasers().items():
            counts[section] = eraser(user, context)
        counts["people"] = _erase_people_part(user)
        _anonymise_user(user)
        request.status = ErasureStatus.DONE
        request.done_at = timezone.now()
        request.counts = counts
        request.save(update_fields=["status", "done_at", "counts"])
        audit_record(
            actor=actor or request.confirmed_by,
            subject_id=user.pk,
            action=AuditAction.ERASURE_DONE,
            request=request.pk,
            reason="confirmed" if request.confirmed_by_id else "grace period",
            certificates=context.certificates,
            counts=counts,
        )
    return True


def privacy_sweep() -> dict[str, int]:
    """Periodic: erase requests whose grace period passed; expire export files."""
    due = list(
        ErasureRequest.objects.filter(
            status=ErasureStatus.PENDING, due_at__lte=timezone.now()
        ).values_list("pk", flat=True)[:100]
    )
    erased = sum(erasure_perform(request_id=pk) for pk in due)
    return {"erased": erased, "exports_expired": exports_expire()}


def organisation_privacy_set(
    *, actor: User, organisation: Organisation, certificates_on_erasure: str
) -> OrganisationPrivacy:
    """An organisation's admin chooses what erasure does to certificates."""
    if not policies.can_manage_organisation_privacy(actor, organisation):
        raise PermissionDenied(_("Only the organisation's administrators can do this."))
    if certificates_on_erasure not in CertificatesOnErasure.values:
        raise ValidationError({"certificates_on_erasure": _("Choose keep or revoke.")})
    row, _created = OrganisationPrivacy.objects.update_or_create(
        organisation=organisation,
        defaults={"certificates_on_erasure": certificates_on_erasure},
    )
    return row


def notices_accept(*, actor: User, notice_ids: list[int]) -> int:
    """Record that the person accepted these notices (their own cohorts' only)."""
    from cpd.privacy.models import NoticeAcceptance, PrivacyNotice

    notices = PrivacyNotice.objects.filter(
        pk__in=notice_ids, cohort__memberships__user=actor
    ).distinct()
    created = NoticeAcceptance.objects.bulk_create(
        [NoticeAcceptance(user=actor, notice=n) for n in notices],
        ignore_conflicts=True,
    )
    return len(created)


def notice_publish(*, actor: User, cohort: Any, text: str) -> Any:
    """Publish the next version of a cohort's notice (its administrators only)."""
    from cpd.policies import can_manage_cohort
    from cpd.privacy.models import PrivacyNotice

    if not can_manage_cohort(actor, cohort):
        raise PermissionDenied(_("Only the cohort's administrators can."))
    if not text.strip():
        raise ValidationError({"text": _("Write the notice.")})
    with transaction.atomic():
        last = (
            PrivacyNotice.objects.select_for_update()
            .filter(cohort=cohort)
            .order_by("-version")
            .first()
        )
        return PrivacyNotice.objects.create(
            cohort=cohort, version=(last.version if last else 0) + 1, text=text.strip()
        )
