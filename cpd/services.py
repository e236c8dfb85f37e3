"""Writes for people, organisations, cohorts, memberships and invitations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import IO, Any

import phonenumbers
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from cpd import audit, cohort_hooks, events, outbox, policies
from cpd.images import image_process
from cpd.models import (
    AdminAction,
    Cohort,
    Image,
    Invitation,
    Membership,
    Organisation,
    Role,
    User,
)
from cpd.privacy.registry import renamers
from cpd.realtime import publish_on_commit, user_group
from cpd.report_cache import report_cache_forget


def organisation_create(
    *, name: str, country: str = "", admins: list[User] | None = None
) -> Organisation:
    """Create an organisation, optionally with its cohort administrators."""
    org = Organisation.objects.create(
        name=name, slug=slugify(name)[:80] or "org", country=country
    )
    if admins:
        org.admins.add(*admins)
    return org


def _clean_phone_region(value: str) -> str:
    region = (value or "").strip().upper()
    if region and region not in phonenumbers.SUPPORTED_REGIONS:
        raise ValidationError(
            {"phone_region": _("Use a two-letter country code, e.g. KE, TZ, UG or MZ.")}
        )
    return region


COHORT_FIELDS = (
    "name",
    "description",
    "starts_on",
    "ends_on",
    "phone_region",
    "room_retention_days",
)


@transaction.atomic
def cohort_create(
    *,
    actor: User,
    organisation: Organisation,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    description: str = "",
    phone_region: str = "",
    room_retention_days: int | None = None,
    course_ids: Sequence[int] = (),
) -> Cohort:
    """Create a cohort in an organisation the actor administers, with its spaces.

    The apps' parts come through ``cpd.cohort_hooks`` in the same transaction:
    its forum and standing room (forums) and its courses (courses).
    """
    if not policies.can_create_cohort(actor, organisation):
        raise PermissionDenied(_("Only the organisation's administrators can do this."))
    cohort = Cohort(
        organisation=organisation,
        name=(name or "").strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        description=description,
        phone_region=_clean_phone_region(phone_region),
        room_retention_days=room_retention_days,
    )
    cohort.full_clean()
    cohort.save()
    cohort_hooks.cohort_created(cohort, actor)
    if course_ids:
        cohort_hooks.courses_set(cohort, list(course_ids), actor)
    audit.audit_write(
        actor=actor,
        organisation=organisation,
        cohort=cohort,
        action=AdminAction.COHORT_CREATED,
        detail=cohort.name,
    )
    return cohort


@transaction.atomic
def cohort_update(
    *,
    actor: User,
    cohort: Cohort,
    course_ids: Sequence[int] | None = None,
    **fields: Any,
) -> Cohort:
    """Change a cohort's details (and, given ``course_ids``, exactly its courses).

    Only the fields in ``COHORT_FIELDS``; an archived cohort is unarchived first.
    """
    if not policies.can_edit_cohort(actor, cohort):
        raise PermissionDenied(_("Only the cohort's administrators can do this."))
    policies.ensure_cohort_writable(cohort)
    unknown = set(fields) - set(COHORT_FIELDS)
    if unknown:
        raise ValidationError(_("Not editable: %s") % ", ".join(sorted(unknown)))
    if "phone_region" in fields:
        fields["phone_region"] = _clean_phone_region(fields["phone_region"])
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
    changed = [k for k, v in fields.items() if getattr(cohort, k) != v]
    for key in changed:
        setattr(cohort, key, fields[key])
    cohort.full_clean()
    if changed:
        cohort.save(update_fields=changed)
    if course_ids is not None:
        cohort_hooks.courses_set(cohort, list(course_ids), actor)
        changed.append("courses")
    if changed:
        audit.audit_write(
            actor=actor,
            organisation=cohort.organisation,
            cohort=cohort,
            action=AdminAction.COHORT_UPDATED,
            detail=", ".join(changed),
        )
    return cohort


@transaction.atomic
def membership_add(*, cohort: Cohort, user: User, role: str) -> Membership:
    """Put a user in a cohort in a role; an existing membership keeps its role.

    An archived cohort takes nobody new (PermissionDenied).
    """
    policies.ensure_cohort_writable(cohort)
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    membership, created = Membership.objects.get_or_create(
        cohort=cohort, user=user, defaults={"role": role}
    )
    if created:
        policies.forget_roles(user)
        report_cache_forget([cohort.pk])
        publish_on_commit(user_group(user.pk), events.membership_created(membership))
    return membership


def invitation_create(
    *,
    actor: User,
    cohort: Cohort,
    role: str,
    email: str = "",
    phone: str = "",
    language: str = "",
) -> Invitation:
    """Create an invitation; queue its email (or SMS) once the transaction commits."""
    if not policies.can_invite_to_cohort(actor, cohort):
        raise PermissionDenied(_("Only the cohort's administrators can invite."))
    policies.ensure_cohort_writable(cohort)
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    if role == Role.ADMIN and not policies.can_archive_cohort(actor, cohort):
        # A cohort-level administrator cannot make more administrators.
        raise PermissionDenied(
            _("Only organisation administrators grant or withdraw the admin role.")
        )
    invitation = Invitation(
        cohort=cohort,
        role=role,
        email=email.strip().lower(),
        phone=phone.strip(),
        language=language,
        created_by=actor,
        expires_at=timezone.now() + settings.INVITATION_TTL,
    )
    invitation.full_clean()
    invitation.save()
    if invitation.email or invitation.phone:
        # The one import of tasks from services, and lazy on purpose: cpd.tasks
        # imports this module at its top (tasks are thin entry points over
        # services). Enqueuing by name instead (app.signature or send_task) would
        # need no import, but in the embedded mode (CELERY_TASK_ALWAYS_EAGER)
        # Celery runs a task in-process only if it is registered, and nothing else
        # imports cpd.tasks in a web process: the email would sit in the broker.
        from cpd.tasks import invitation_send as invitation_send_task

        outbox.enqueue(invitation_send_task, invitation.pk)
    return invitation


def invitation_send(*, invitation_id: int) -> bool:
    """Send the invitation link once; return False if already sent or unusable.

    By email when it has one, otherwise by SMS to its phone
    (``cpd.invitations.services.invitation_sms``). The invitation is marked
    sent and committed *before* the message goes out, so a redelivered task (a
    worker killed mid-send) never sends it twice; a send that fails clears the
    mark again for the task's retry. Once the email service or the gateway has
    taken it, ``delivered_at`` is set: a send marked but never taken (the
    worker killed in between) is shown to administrators as "not confirmed",
    to resend. For an enrolled account the SMS is a notification written in
    the transaction of the mark (at most once too, with its own delivery log).
    """
    from cpd.invitations.services import invitation_sms

    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("cohort", "user")
            .filter(pk=invitation_id)
            .first()
        )
        if invitation is None or invitation.sent_at or not invitation.is_usable:
            return False
        if not invitation.email and not invitation.phone:
            return False
        invitation.sent_at = timezone.now()
        if not invitation.email and invitation.user is not None:
            # A notification, in this transaction: its delivery log takes over.
            invitation.delivered_at = invitation.sent_at
            invitation.save(update_fields=["sent_at", "delivered_at"])
            invitation_sms(invitation)
            return True
        invitation.save(update_fields=["sent_at"])
    link = settings.SITE_URL.rstrip("/") + reverse(
        "invitation-open", args=[invitation.token]
    )
    try:
        if invitation.email:
            with translation.override(invitation.language or settings.LANGUAGE_CODE):
                _invitation_email(invitation, link)
        else:
            invitation_sms(invitation)
    except Exception:
        Invitation.objects.filter(pk=invitation.pk).update(sent_at=None)
        raise
    Invitation.objects.filter(pk=invitation.pk).update(delivered_at=timezone.now())
    return True


def _invitation_email(invitation: Invitation, link: str) -> None:
    send_mail(
        subject=_("You are invited to %(cohort)s") % {"cohort": invitation.cohort},
        message=_(
            "You have been invited to join %(cohort)s as %(role)s.\n\n"
            "Open this link on your phone to create your account:\n%(link)s\n"
        )
        % {
            "cohort": invitation.cohort,
            "role": invitation.get_role_display(),
            "link": link,
        },
        from_email=None,
        recipient_list=[invitation.email],
    )


@transaction.atomic
def invitation_accept(
    *, invitation: Invitation, user: User, signed_up_from_link: bool = False
) -> Membership:
    """Use an invitation: the user joins its cohort in its role (single use).

    An existing account must be the invitation's address; an account just made
    from the link (``signed_up_from_link``) is its person.
    """
    if not signed_up_from_link and not policies.can_accept_invitation(user, invitation):
        raise PermissionDenied(
            _("This invitation was sent to someone else. Sign in with that account.")
        )
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not locked.is_usable:
        raise ValidationError(_("This invitation has expired or was already used."))
    membership = membership_add(cohort=locked.cohort, user=user, role=locked.role)
    locked.accepted_at = timezone.now()
    locked.accepted_by = user
    locked.save(update_fields=["accepted_at", "accepted_by"])
    return membership


def user_update_profile(*, user: User, **fields: Any) -> User:
    """Update the editable profile fields of a user, validated."""
    unknown = set(fields) - set(User.PROFILE_FIELDS)
    if unknown:
        raise ValidationError(_("Not editable: %s") % ", ".join(sorted(unknown)))
    renamed = "display_name" in fields and fields["display_name"] != user.display_name
    for name, value in fields.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password"])
    user.save()
    if renamed:  # pages cached with the old name (a thread's posts) go
        for renamer in renamers().values():
            renamer(user)
    return user


def image_upload(
    *,
    actor: User,
    cohort: Cohort | None,
    file: IO[bytes],
    no_identifiers_confirmed: bool,
    private: bool = False,
) -> Image:
    """Store a re-encoded, metadata-free image in a cohort the actor belongs to.

    ``private`` keeps it from the cohort (see ``policies.images_visible_to``). The
    files are written before the row: a caller whose transaction may still roll
    back calls ``image_files_delete`` when it does.
    """
    if not policies.can_upload_image(actor, cohort):
        raise PermissionDenied(_("You cannot upload images here."))
    if cohort is not None:
        policies.ensure_cohort_writable(cohort)
    if not no_identifiers_confirmed:
        raise ValidationError(
            {
                "no_identifiers_confirmed": _(
                    "Confirm that the image shows no patient name, face, number "
                    "or other identifier."
                )
            }
        )
    processed = image_process(file)
    image = Image(
        owner=actor,
        cohort=cohort,
        width=processed.width,
        height=processed.height,
        no_identifiers_confirmed=True,
        private=private,
    )
    image.full.save(processed.full.name or "full.jpg", processed.full, save=False)
    image.small.save(processed.small.name or "small.jpg", processed.small, save=False)
    try:
        image.save()
    except BaseException:
        image_files_delete(image=image)  # no row names them: do not leave them
        raise
    return image


def image_files_delete(*, image: Image) -> None:
    """Remove an image's stored files (its row was rolled back or is being deleted)."""
    for field in (image.full, image.small):
        if field.name:
            field.storage.delete(field.name)


def image_hide(*, actor: User, image: Image, reason: str) -> Image:
    """A moderator hides an image (for example one that shows a patient)."""
    if not policies.can_hide_image(actor, image):
        raise PermissionDenied(
            _("Only the cohort's mentors and administrators can hide.")
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the image is hidden.")})
    image.hidden_at = timezone.now()
    image.hidden_by = actor
    image.hidden_reason = reason.strip()[:200]
    image.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    return image


def api_token_for(*, user: User) -> Token:
    """The user's API token, created on first sign-in through the API."""
    token, _created = Token.objects.get_or_create(user=user)
    return token
