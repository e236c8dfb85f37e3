"""Mentor profile writes."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cpd.models import User
from mentoring import policies
from mentoring.models import MentorProfile, Specialty


@transaction.atomic
def mentor_profile_save(
    *,
    actor: User,
    user: User,
    specialties: Iterable[Specialty],
    languages: list[str],
    districts: list[str],
    capacity: int,
    availability: str = "",
) -> MentorProfile:
    """Create or update a mentor's profile (the mentor themself, or a superuser)."""
    if not policies.can_edit_mentor_profile(actor, user.pk):
        raise PermissionDenied(_("You can only edit your own mentor profile."))
    if capacity < 0:
        raise ValidationError({"capacity": _("Capacity cannot be negative.")})
    if not languages:
        raise ValidationError({"languages": _("Choose at least one language.")})
    profile, _created = MentorProfile.objects.update_or_create(
        user=user,
        defaults={
            "languages": sorted(set(languages)),
            "districts": sorted({d.strip() for d in districts if d.strip()}),
            "capacity": capacity,
            "availability": availability.strip(),
        },
    )
    profile.specialties.set(list(specialties))
    return profile
