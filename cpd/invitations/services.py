"""Writes for invitations in bulk and cohort join links.

The claim flow (an enrolled account chooses its password from its link), the
invitation SMS, an administrator's resend / revoke / expiry, and join links
with a code and a limit, used atomically.
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cpd import outbox, policies
from cpd.invitations.selectors import join_link_by_code
from cpd.limits import RateLimited, limits, rate_limit_hit, rate_limit_reached
from cpd.models import Cohort, Invitation, JoinLink, Membership, Role, User
from cpd.notifications.services import (
    KIND_INVITATION,
    SMS_SEGMENTS,
    notify,
    sms_send_to,
)
from cpd.services import membership_add

# The most people one join link admits (a workshop room, a conference hall).
JOIN_LINK_MAX_USES = 1000
JOIN_CODE_ACTION = "join_code"


def _invitation_path(invitation: Invitation) -> str:
    return reverse("invitation-open", args=[invitation.token])


def _queue_send(invitation: Invitation) -> None:
    # Lazy for the reason given in cpd.services.invitation_create.
    from cpd.tasks import invitation_send as invitation_send_task

    outbox.enqueue(invitation_send_task, invitation.pk)


def _sms_text(invitation: Invitation) -> str:
    # No role: role labels carry characters outside the GSM alphabet in some
    # languages ("Apprenant·e"), which would halve the room in the segment.
    return _("%(cohort)s: you are invited to join. Open this link:") % {
        "cohort": invitation.cohort.name
    }


def invitation_sms(invitation: Invitation) -> None:
    """Text an invitation's link to its phone, in the invitee's language.

    Caller has marked it sent. An enrolled account (``invitation.user``) gets a
    notification of kind ``invitation`` (SMS at once, exempt from the SMS
    budget), in the caller's transaction; a number without an account gets one
    SMS straight through the notification service's gateway.
    """
    user = invitation.user
    language = (
        invitation.language
        or (user.preferred_language if user is not None else "")
        or settings.LANGUAGE_CODE
    )
    with translation.override(language):
        text = _sms_text(invitation)
    url = _invitation_path(invitation)
    if user is not None:
        sent_at = invitation.sent_at or timezone.now()
        notify(
            user=user,
            kind=KIND_INVITATION,
            text=text,
            url=url,
            # One notification per sending: a resend clears sent_at, so the
            # next key differs; a redelivered task finds sent_at set and stops.
            dedupe_key=f"invitation:{invitation.pk}:{sent_at.timestamp():.6f}",
            cohort=invitation.cohort_id,
        )
        return
    sms_send_to(
        phone=invitation.phone,
        text=text,
        url=url,
        max_segments=SMS_SEGMENTS[KIND_INVITATION],
    )


@transaction.atomic
def invitation_claim(*, invitation: Invitation, password: str) -> Membership:
    """The enrolled person sets their account's password from the link and joins.

    Only for an invitation made for an account (``invitation.user``) that has
    no usable password yet. The invitation is used (accepted) in the same
    transaction; the membership is added if the import left none.
    """
    locked = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("cohort", "user")
        .get(pk=invitation.pk)
    )
    user = locked.user
    if user is None or user.has_usable_password() or not user.is_active:
        raise PermissionDenied(_("This invitation does not set a password."))
    if not locked.is_usable:
        raise ValidationError(_("This invitation has expired or was already used."))
    user.set_password(password)
    user.save(update_fields=["password"])
    membership = membership_add(cohort=locked.cohort, user=user, role=locked.role)
    locked.accepted_at = timezone.now()
    locked.accepted_by = user
    locked.save(update_fields=["accepted_at", "accepted_by"])
    invitation.accepted_at, invitation.accepted_by = locked.accepted_at, user
    return membership


def _managed_invitation(actor: User, invitation: Invitation) -> Invitation:
    if not policies.can_manage_invitation(actor, invitation):
        raise PermissionDenied(_("Only the cohort's administrators can do this."))
    return Invitation.objects.select_for_update().get(pk=invitation.pk)


@transaction.atomic
def invitation_resend(*, actor: User, invitation: Invitation) -> Invitation:
    """Send an invitation again: sent mark cleared, expiry extended if passed.

    Refused for an invitation already used or revoked. The send is queued on
    commit and keeps its at-most-once guarantee (``invitation_send``).
    """
    locked = _managed_invitation(actor, invitation)
    if locked.accepted_at is not None:
        raise ValidationError(_("This person has already joined."))
    if locked.revoked_at is not None:
        raise ValidationError(_("This invitation was revoked."))
    if not locked.email and not locked.phone:
        raise ValidationError(_("This invitation has no email or phone to send to."))
    now = timezone.now()
    locked.sent_at = locked.delivered_at = None
    if locked.expires_at <= now:
        locked.expires_at = now + settings.INVITATION_TTL
    locked.save(update_fields=["sent_at", "delivered_at", "expires_at"])
    _queue_send(locked)
    return locked


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    """Revoke an unused invitation: its link stops working (a repeat is a no-op)."""
    locked = _managed_invitation(actor, invitation)
    if locked.accepted_at is not None:
        raise ValidationError(_("This person has already joined."))
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
    return locked


@transaction.atomic
def invitation_set_expiry(
    *, actor: User, invitation: Invitation, expires_at: dt.datetime
) -> Invitation:
    """Set when an unused, unrevoked invitation expires; it must be in the future."""
    locked = _managed_invitation(actor, invitation)
    if locked.accepted_at is not None:
        raise ValidationError(_("This person has already joined."))
    if locked.revoked_at is not None:
        raise ValidationError(_("This invitation was revoked."))
    if expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("Choose a date in the future.")})
    locked.expires_at = expires_at
    locked.save(update_fields=["expires_at"])
    return locked


# --- Join links ---------------------------------------------------------------------


def join_code_normalise(code: str) -> str:
    """A code as typed (any case, spaces or dashes) in its stored form."""
    return re.sub(r"[\s\-]+", "", code or "").upper()


def join_link_create(
    *,
    actor: User,
    cohort: Cohort,
    max_uses: int,
    expires_at: dt.datetime,
    role: str = Role.LEARNER,
) -> JoinLink:
    """A cohort's administrator shares a join link with a fresh code and a limit."""
    if not policies.can_manage_cohort(actor, cohort):
        raise PermissionDenied(_("Only the cohort's administrators can do this."))
    if role == Role.ADMIN and not policies.can_archive_cohort(actor, cohort):
        # A cohort-level administrator cannot make more administrators.
        raise PermissionDenied(
            _("Only organisation administrators grant or withdraw the admin role.")
        )
    errors: dict[str, str] = {}
    if role not in Role.values:
        errors["role"] = _("Unknown role.")
    if not 1 <= max_uses <= JOIN_LINK_MAX_USES:
        errors["max_uses"] = _("Between 1 and %(n)d people.") % {
            "n": JOIN_LINK_MAX_USES
        }
    if expires_at <= timezone.now():
        errors["expires_at"] = _("Choose a date in the future.")
    if cohort.is_archived:
        errors["cohort"] = _("This cohort is archived.")
    if errors:
        raise ValidationError(errors)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return JoinLink.objects.create(
                    cohort=cohort,
                    role=role,
                    max_uses=max_uses,
                    expires_at=expires_at,
                    created_by=actor,
                )
        except IntegrityError:  # the random code was taken: draw another
            continue
    raise ValidationError(_("Could not make a new code; try again."))


@transaction.atomic
def join_link_revoke(*, actor: User, link: JoinLink) -> JoinLink:
    """Revoke a join link: its code stops working (a repeat is a no-op)."""
    if not policies.can_manage_join_link(actor, link):
        raise PermissionDenied(_("Only the cohort's administrators can do this."))
    locked = JoinLink.objects.select_for_update().get(pk=link.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
    return locked


def _unusable_reason(link: JoinLink) -> str:
    if link.revoked_at is not None:
        return _("This code was withdrawn by the cohort's administrators.")
    if link.expires_at <= timezone.now():
        return _("This code has expired. Ask the facilitator for a new one.")
    if link.cohort.is_archived:
        return _("This cohort is archived and takes no one new.")
    return _("This code is full: all its places are taken.")


def _join_link_find(*, code: str, who: int | str) -> JoinLink:
    """The join link with this code, usable or not; wrong codes are counted."""
    if rate_limit_reached(user_id=who, action=JOIN_CODE_ACTION):
        raise RateLimited(limits()[JOIN_CODE_ACTION][1], JOIN_CODE_ACTION)
    link = join_link_by_code(join_code_normalise(code))
    if link is None:
        rate_limit_hit(user_id=who, action=JOIN_CODE_ACTION)
        raise ValidationError({"code": _("No cohort has this code. Check it.")})
    return link


def join_code_check(*, code: str, who: int | str) -> JoinLink:
    """The usable join link with this code, for someone not signed in yet.

    Wrong codes count against ``who`` (a user id, or the client's address);
    past the limit every attempt is refused (``RateLimited``) before it is
    looked up, so codes cannot be guessed.
    """
    link = _join_link_find(code=code, who=who)
    if not link.is_usable or link.cohort.is_archived:
        raise ValidationError({"code": _unusable_reason(link)})
    return link


def join_link_use(*, actor: User, code: str) -> tuple[Membership, bool]:
    """Join a cohort through a code; returns the membership and whether it is new.

    The link's row is locked for the check and the count, so two people taking
    the last place cannot both have it (the database's check on ``uses`` is
    the backstop). Someone already in the cohort keeps their membership and
    uses no place. Wrong codes are rate-limited per person.
    """
    if not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied(_("Sign in to join."))
    found = _join_link_find(code=code, who=actor.pk)
    try:
        with transaction.atomic():
            link = (
                JoinLink.objects.select_for_update(of=("self",))
                .select_related("cohort")
                .get(pk=found.pk)
            )
            existing = Membership.objects.filter(cohort=link.cohort, user=actor).first()
            if existing is not None:
                return existing, False
            if not link.is_usable or link.cohort.is_archived:
                raise ValidationError({"code": _unusable_reason(link)})
            JoinLink.objects.filter(pk=link.pk).update(uses=F("uses") + 1)
            membership = membership_add(cohort=link.cohort, user=actor, role=link.role)
    except IntegrityError as error:  # the database's limit: the places are gone
        raise ValidationError(
            {"code": _("This code is full: all its places are taken.")}
        ) from error
    return membership, True
