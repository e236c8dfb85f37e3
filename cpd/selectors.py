"""Reads for cohorts and members, always scoped through cpd.policies."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from cpd.models import Cohort, Image, Invitation, Membership, Organisation, Role
from cpd.policies import (
    AnyUser,
    can_see_organisation,
    cohorts_visible_to,
    images_visible_to,
    roles_of,
)


def cohort_list_for_user(user: AnyUser) -> QuerySet[Cohort]:
    """Cohorts the user may see, with organisation and member counts in one query."""
    return (
        Cohort.objects.filter(cohorts_visible_to(user))
        .select_related("organisation")
        .annotate(
            learner_count=Count(
                "memberships", filter=Q(memberships__role=Role.LEARNER), distinct=True
            ),
            mentor_count=Count(
                "memberships", filter=Q(memberships__role=Role.MENTOR), distinct=True
            ),
        )
        .order_by("-starts_on", "name")
    )


def cohort_get_for_user(user: AnyUser, cohort_id: int) -> Cohort:
    """One visible cohort, or Http404 whether it is missing or forbidden."""
    cohort = cohort_list_for_user(user).filter(pk=cohort_id).first()
    if cohort is None:
        raise Http404("No such cohort.")
    return cohort


def cohort_members(cohort: Cohort) -> QuerySet[Membership]:
    """A cohort's memberships with their users, mentors first."""
    return (
        Membership.objects.filter(cohort=cohort)
        .select_related("user")
        .order_by("role", "user__display_name")
    )


def cohort_invitations_open(cohort: Cohort) -> QuerySet[Invitation]:
    """Invitations of a cohort not yet used."""
    return Invitation.objects.filter(cohort=cohort, accepted_at__isnull=True).order_by(
        "-created_at"
    )


def invitation_by_token(token: str) -> Invitation | None:
    """The invitation with this token, or None for a malformed or unknown one."""
    if (
        not token
        or len(token) > 64
        or not token.replace("-", "").replace("_", "").isalnum()
    ):
        return None
    return (
        Invitation.objects.select_related("cohort", "cohort__organisation", "user")
        .filter(token=token)
        .first()
    )


def role_label(user: AnyUser, cohort: Cohort) -> str | None:
    """The user's role in the cohort, from the cached roles (no query)."""
    return roles_of(user).role_in(cohort)


def image_get_for_user(user: AnyUser, image_id: int) -> Image:
    """One image the user may see, or Http404 (missing and forbidden alike)."""
    image = Image.objects.filter(images_visible_to(user), pk=image_id).first()
    if image is None:
        raise Http404("No such image.")
    return image


def images_for_attachment(user: AnyUser, image_ids: list[int]) -> list[Image]:
    """The user's own visible images with these ids, in the order given.

    The one lookup for an image id sent by a client (forum posts, room
    messages): an id the user did not upload, cannot see, or that does not
    exist is a field error on ``images``, never a silent drop. The caller's
    service still checks that each image belongs where it is attached.
    """
    wanted = list(dict.fromkeys(image_ids))
    if not wanted:
        return []
    found = {
        image.pk: image
        for image in Image.objects.filter(
            images_visible_to(user), owner_id=user.pk, pk__in=wanted
        )
    }
    if len(found) != len(wanted):
        raise ValidationError({"images": _("Attach only images you uploaded.")})
    return [found[pk] for pk in wanted]


def organisation_get_for_user(user: AnyUser, organisation_id: int) -> Organisation:
    """An organisation the user has a role in, or Http404 (missing and unseen alike)."""
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None or not can_see_organisation(user, organisation):
        raise Http404("No such organisation.")
    return organisation
