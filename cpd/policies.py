"""Who may see and do what with organisations, cohorts and members.

Each rule comes in two forms: ``can_<verb>_<object>(user, obj) -> bool`` for one
object and ``<objects>_visible_to(user) -> Q`` to scope querysets. A user's cohort
roles are loaded once and cached on the user object (one query per request or
connection), so checks inside loops cost nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from cpd.models import (
    Cohort,
    Image,
    Invitation,
    JoinLink,
    Membership,
    Organisation,
    Role,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from cpd.models import User

    AnyUser = User | AnonymousUser
else:
    AnyUser = Any

_CACHE_ATTR = "_cpd_roles"


@dataclass(frozen=True)
class Roles:
    """What one user is in each cohort, and which organisations they administer."""

    by_cohort: dict[int, str] = field(default_factory=dict)
    admin_org_ids: frozenset[int] = frozenset()
    superuser: bool = False

    def role_in(self, cohort: Cohort) -> str | None:
        if cohort.organisation_id in self.admin_org_ids:
            return Role.ADMIN
        return self.by_cohort.get(cohort.pk)


_NO_ROLES = Roles()


def roles_of(user: AnyUser) -> Roles:
    """The user's roles, loaded with one query and cached on the user object."""
    if not user.is_authenticated:
        return _NO_ROLES
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    by_cohort = dict(
        Membership.objects.filter(user=user).values_list("cohort_id", "role")
    )
    admin_orgs = frozenset(user.administered_organisations.values_list("id", flat=True))
    roles = Roles(
        by_cohort=by_cohort, admin_org_ids=admin_orgs, superuser=user.is_superuser
    )
    setattr(user, _CACHE_ATTR, roles)
    return roles


def forget_roles(user: AnyUser) -> None:
    """Drop cached roles after the user's memberships change."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


# --- Cohorts -------------------------------------------------------------------------


def cohorts_visible_to(user: AnyUser) -> Q:
    """Cohorts the user is a member of, or whose organisation they administer."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    return Q(pk__in=Membership.objects.filter(user=user).values("cohort_id")) | Q(
        organisation__admins=user
    )


def can_view_cohort(user: AnyUser, cohort: Cohort) -> bool:
    """Members of any role and their organisation's administrators see a cohort."""
    roles = roles_of(user)
    return roles.superuser or roles.role_in(cohort) is not None


def can_manage_cohort(user: AnyUser, cohort: Cohort) -> bool:
    """Cohort administrators (by membership or organisation) manage a cohort."""
    roles = roles_of(user)
    return roles.superuser or roles.role_in(cohort) == Role.ADMIN


def can_view_cohort_report(user: AnyUser, cohort: Cohort) -> bool:
    """Administrators and mentors read a cohort's engagement report."""
    roles = roles_of(user)
    return roles.superuser or roles.role_in(cohort) in (Role.ADMIN, Role.MENTOR)


def can_view_learner_rows(user: AnyUser, cohort: Cohort) -> bool:
    """Per-learner figures and the record's export: administrators only.

    Mentors see the cohort's aggregates here, and their own mentees in mentoring.
    """
    return can_manage_cohort(user, cohort)


# --- The learner report (cpd.learner_report) ------------------------------------
# Who mentors whom lives in ``mentoring``, which cpd cannot import: it hands its
# rule over in ``AppConfig.ready()`` (``register_mentee_rule``), in both forms.


@dataclass(frozen=True)
class MenteeRule:
    """Whether a user mentors a learner in a cohort, in both forms."""

    # (user, cohort) -> Q over Membership rows: the user's mentees there
    q_for_mentor: Callable[[AnyUser, Cohort], Q]
    # (user, cohort, learner id) -> the user mentors this learner there
    is_mentor_of: Callable[[AnyUser, Cohort, int], bool]


_mentee_rules: list[MenteeRule] = []


def register_mentee_rule(
    q_for_mentor: Callable[[AnyUser, Cohort], Q],
    is_mentor_of: Callable[[AnyUser, Cohort, int], bool],
) -> None:
    """Let the app that pairs mentors say who mentors whom; twice is a no-op."""
    rule = MenteeRule(q_for_mentor=q_for_mentor, is_mentor_of=is_mentor_of)
    if rule not in _mentee_rules:
        _mentee_rules.append(rule)


def is_mentor_of(user: AnyUser, cohort: Cohort, learner_id: int) -> bool:
    """The user is a mentor of the cohort and mentors this learner in it."""
    if roles_of(user).role_in(cohort) != Role.MENTOR:
        return False
    return any(rule.is_mentor_of(user, cohort, learner_id) for rule in _mentee_rules)


def can_view_learner_report(user: AnyUser, cohort: Cohort, learner_id: int) -> bool:
    """One learner's report: the learner, their mentor, the cohort's administrators.

    The caller has checked that ``learner_id`` is a learner of the cohort. Other
    mentors and learners of the cohort may not (403: they see the member list
    anyway); people outside the cohort never get this far (404).
    """
    roles = roles_of(user)
    role = roles.role_in(cohort)
    if roles.superuser or role == Role.ADMIN:
        return True
    if role == Role.LEARNER:
        return bool(user.pk == learner_id)
    return is_mentor_of(user, cohort, learner_id)


def learner_reports_visible_to(user: AnyUser, cohort: Cohort) -> Q:
    """Queryset form over the cohort's Membership rows whose report the user reads."""
    roles = roles_of(user)
    role = roles.role_in(cohort)
    if roles.superuser or role == Role.ADMIN:
        return Q(cohort=cohort, role=Role.LEARNER)
    if role == Role.LEARNER:
        return Q(cohort=cohort, role=Role.LEARNER, user_id=user.pk)
    if role != Role.MENTOR:
        return Q(pk__in=[])
    mentees = Q(pk__in=[])
    for rule in _mentee_rules:
        mentees |= rule.q_for_mentor(user, cohort)
    return Q(cohort=cohort, role=Role.LEARNER) & mentees


def can_invite_to_cohort(user: AnyUser, cohort: Cohort) -> bool:
    """Only cohort administrators send invitations."""
    return can_manage_cohort(user, cohort)


def can_accept_invitation(user: AnyUser, invitation: Invitation) -> bool:
    """An invitation belongs to the address it was sent to.

    A signed-in account joins through it only if its email or phone is the
    invitation's. (Signing up from the link makes a new account for that person.)
    An invitation made for an enrolled account (``invitation.user``) is that
    account's only.
    """
    if not user.is_authenticated:
        return False
    if invitation.user_id is not None:
        return bool(user.pk == invitation.user_id)
    email = (getattr(user, "email", "") or "").strip().lower()
    phone = (getattr(user, "phone", "") or "").strip()
    return bool(
        (invitation.email and email == invitation.email.strip().lower())
        or (invitation.phone and phone == invitation.phone.strip())
    )


def can_view_members(user: AnyUser, cohort: Cohort) -> bool:
    """Everyone in a cohort sees who else is in it (for mentions and pairing)."""
    return can_view_cohort(user, cohort)


def can_moderate_cohort(user: AnyUser, cohort: Cohort) -> bool:
    """Mentors and administrators of a cohort moderate its spaces."""
    roles = roles_of(user)
    return roles.superuser or roles.role_in(cohort) in (Role.MENTOR, Role.ADMIN)


def cohorts_moderated_by(user: AnyUser) -> Q:
    """Cohorts where the user is a mentor or an administrator (queryset form)."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    return Q(
        pk__in=Membership.objects.filter(user=user, role=Role.MENTOR).values("cohort")
    ) | Q(organisation__admins=user)


def memberships_visible_to(user: AnyUser) -> Q:
    """Memberships of cohorts the user can see."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    return Q(cohort__in=Cohort.objects.filter(cohorts_visible_to(user)).values("pk"))


# --- Images ---------------------------------------------------------------------


@dataclass(frozen=True)
class PrivateImageRule:
    """Who else may see a private image, in both forms (see the module docstring)."""

    q_for_user: Callable[[AnyUser], Q]
    can_view: Callable[[AnyUser, Image], bool]


# Filled by other apps' AppConfig.ready(); cpd never imports them.
_private_image_rules: list[PrivateImageRule] = []


def register_private_image_rule(
    q_for_user: Callable[[AnyUser], Q],
    can_view: Callable[[AnyUser, Image], bool],
) -> None:
    """Let another app grant readers of private images; registering twice is a no-op.

    ``q_for_user(user)`` filters ``Image`` rows and ``can_view(user, image)`` is its
    object form; both are called for signed-in non-superusers only.
    """
    rule = PrivateImageRule(q_for_user=q_for_user, can_view=can_view)
    if rule not in _private_image_rules:
        _private_image_rules.append(rule)


def _private_images_visible_to(user: AnyUser) -> Q:
    # Private images stay with their owner; other readers come from the rules,
    # and lose a hidden image like the cohort does.
    granted = Q(pk__in=[])
    for rule in _private_image_rules:
        granted |= rule.q_for_user(user)
    return Q(owner=user) | (Q(hidden_at__isnull=True) & granted)


def images_visible_to(user: AnyUser) -> Q:
    """Course images to anyone signed in; cohort images to that cohort's people.

    Hidden images stay visible to their owner and the cohort's moderators only.
    Private images are not cohort images: their owner and the readers granted by
    a registered private-image rule see them (superusers see everything).
    """
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    cohorts = Cohort.objects.filter(cohorts_visible_to(user)).values("pk")
    moderated = Cohort.objects.filter(cohorts_moderated_by(user)).values("pk")
    shared = (
        Q(cohort__isnull=True)
        | Q(cohort__in=cohorts, hidden_at__isnull=True)
        | Q(cohort__in=cohorts, owner=user)
        | Q(cohort__in=moderated)
    )
    return (Q(private=False) & shared) | (
        Q(private=True) & _private_images_visible_to(user)
    )


def can_view_image(user: AnyUser, image: Image) -> bool:
    """Object form of ``images_visible_to``."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if image.private:
        if image.owner_id == user.pk:
            return True
        return not image.is_hidden and any(
            rule.can_view(user, image) for rule in _private_image_rules
        )
    if image.cohort is None:
        return True
    if not can_view_cohort(user, image.cohort):
        return False
    return (
        not image.is_hidden
        or image.owner_id == user.pk
        or can_moderate_cohort(user, image.cohort)
    )


def can_upload_image(user: AnyUser, cohort: Cohort | None) -> bool:
    """Members upload to their cohort; course images need staff."""
    if cohort is None:
        return bool(user.is_authenticated and user.is_staff)
    return can_view_cohort(user, cohort)


def can_hide_image(user: AnyUser, image: Image) -> bool:
    """The cohort's mentors and administrators hide images; private ones, superusers.

    The cohort's moderators do not see private images, so they cannot judge them.
    """
    if image.private:
        return bool(user.is_authenticated and user.is_superuser)
    if image.cohort is None:
        return bool(user.is_authenticated and user.is_staff)
    return can_moderate_cohort(user, image.cohort)


def can_read_audit(user: AnyUser, organisation: Organisation) -> bool:
    """The organisation's administrators (and superusers) read its audit log."""
    roles = roles_of(user)
    return roles.superuser or organisation.pk in roles.admin_org_ids


def can_see_organisation(user: AnyUser, organisation: Organisation) -> bool:
    """Anyone with a role in one of its cohorts, or who administers it."""
    roles = roles_of(user)
    if roles.superuser or organisation.pk in roles.admin_org_ids:
        return True
    return Membership.objects.filter(
        user_id=user.pk or 0, cohort__organisation=organisation
    ).exists()


# --- Administration (cpd.administration) ------------------------------------------
# The administrator's area is scoped to the organisations a user administers
# (Organisation.admins). A cohort's members with the role "admin" manage that
# cohort (edit, members, mentors) as everywhere else, but only organisation
# administrators create, archive and unarchive cohorts and grant or withdraw
# the admin role: a cohort-level delegate cannot make more administrators.
# Organisation administrators always keep their access, so removing the last
# membership-admin locks nobody out and needs no special rule.


def organisations_administered_by(user: AnyUser) -> Q:
    """Organisations whose administrators include the user (queryset form)."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    return Q(admins=user)


def can_administer_organisation(user: AnyUser, organisation: Organisation) -> bool:
    """The organisation's administrators (and superusers) use its admin area."""
    roles = roles_of(user)
    return roles.superuser or organisation.pk in roles.admin_org_ids


def administers_any_organisation(user: AnyUser) -> bool:
    """Whether the layout shows the link to the administrator's area."""
    roles = roles_of(user)
    return roles.superuser or bool(roles.admin_org_ids)


def can_create_cohort(user: AnyUser, organisation: Organisation) -> bool:
    """Only the organisation's administrators create its cohorts."""
    return can_administer_organisation(user, organisation)


def can_edit_cohort(user: AnyUser, cohort: Cohort) -> bool:
    """Cohort administrators (organisation or membership) edit a cohort."""
    return can_manage_cohort(user, cohort)


def can_archive_cohort(user: AnyUser, cohort: Cohort) -> bool:
    """Only the organisation's administrators archive or unarchive a cohort."""
    roles = roles_of(user)
    return roles.superuser or cohort.organisation_id in roles.admin_org_ids


def can_manage_members(user: AnyUser, cohort: Cohort) -> bool:
    """Cohort administrators change members' roles and remove members."""
    return can_manage_cohort(user, cohort)


def can_change_member_role(
    user: AnyUser, membership: Membership, new_role: str
) -> bool:
    """Manage the cohort; granting or withdrawing "admin" needs the organisation."""
    if not can_manage_members(user, membership.cohort):
        return False
    if Role.ADMIN in (membership.role, new_role):
        return can_archive_cohort(user, membership.cohort)
    return True


def can_remove_member(user: AnyUser, membership: Membership) -> bool:
    """Manage the cohort; removing a cohort administrator needs the organisation."""
    if not can_manage_members(user, membership.cohort):
        return False
    if membership.role == Role.ADMIN:
        return can_archive_cohort(user, membership.cohort)
    return True


def cohort_is_writable(cohort: Cohort) -> bool:
    """An archived cohort stays readable and is closed for writing."""
    return cohort.archived_at is None


def ensure_cohort_writable(cohort: Cohort) -> None:
    """Raise PermissionDenied (with the reason) if the cohort is archived.

    Every app's write services call this before writing into a cohort: forum
    posts, room messages, invitations, enrolment, quiz attempts, mentor messages.
    """
    if not cohort_is_writable(cohort):
        raise PermissionDenied(
            _(
                "%(cohort)s is archived: it can be read, but nothing new can be "
                "added to it."
            )
            % {"cohort": cohort.name}
        )


# --- Invitations and join links (cpd.invitations) ---------------------------------


def _cohorts_administered_by(user: AnyUser) -> Q:
    """Cohorts the user administers, by organisation or by an admin membership."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    return Q(
        pk__in=Membership.objects.filter(user=user, role=Role.ADMIN).values("cohort")
    ) | Q(organisation__admins=user)


def invitations_visible_to(user: AnyUser) -> Q:
    """Invitations of cohorts the user administers (no one else sees them)."""
    if user.is_authenticated and user.is_superuser:
        return Q()
    return Q(
        cohort__in=Cohort.objects.filter(_cohorts_administered_by(user)).values("pk")
    )


def join_links_visible_to(user: AnyUser) -> Q:
    """Join links of cohorts the user administers."""
    return invitations_visible_to(user)


def can_manage_invitations(user: AnyUser, cohort: Cohort) -> bool:
    """A cohort's administrators list, resend, revoke and date its invitations."""
    return can_manage_cohort(user, cohort)


def can_manage_invitation(user: AnyUser, invitation: Invitation) -> bool:
    """Object form of ``invitations_visible_to`` for one invitation."""
    return can_manage_cohort(user, invitation.cohort)


def can_manage_join_link(user: AnyUser, link: JoinLink) -> bool:
    """A cohort's administrators create, list and revoke its join links."""
    return can_manage_cohort(user, link.cohort)


def can_use_join_link(user: AnyUser, link: JoinLink) -> bool:
    """Anyone signed in may join through a code (the code is the secret)."""
    return bool(user.is_authenticated and user.is_active)
