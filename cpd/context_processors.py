"""Layout context: the cohort switcher and the real-time socket address."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Exists
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from cpd.models import Cohort, Organisation
from cpd.policies import cohorts_visible_to

CURRENT_COHORT_KEY = "current_cohort_id"


def layout(request: HttpRequest) -> dict[str, Any]:
    """Cohorts for the switcher (one query, lazily) and the current one."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"realtime_url": settings.REALTIME_URL}
    # Whether the user administers an organisation (the layout's link to the
    # administrator's area) rides on the switcher's query: no query of its own.
    admins = Organisation.admins.through.objects.filter(user_id=user.pk)
    cohorts = list(
        Cohort.objects.filter(cohorts_visible_to(user))
        .annotate(administers=Exists(admins))
        .order_by("-starts_on", "name")
        .values("id", "name", "administers")[:50]
    )
    if user.is_superuser:
        administers: Any = True
    elif cohorts:
        administers = cohorts[0]["administers"]
    else:  # evaluated only if the template asks (one query for a cohortless user)
        administers = admins.exists
    current_id = request.session.get(CURRENT_COHORT_KEY)
    current = next((c for c in cohorts if c["id"] == current_id), None)
    if current is None and cohorts:
        current = cohorts[0]
    return {
        "switcher_cohorts": cohorts,
        "administers": administers,
        "current_cohort": current,
        "realtime_url": settings.REALTIME_URL,
        "outbox_user": outbox_user_id(user.pk),
    }


def outbox_user_id(user_pk: int) -> str:
    """The browser outbox's key for one user (static/js/app.js): stable, not guessable.

    Entries written offline are stored under it, so on a shared phone one user's
    saved posts are neither shown to nor sent by another.
    """
    return salted_hmac("cpd.outbox.user", str(user_pk)).hexdigest()[:32]


def outbox_key(user_pk: int) -> bytes:
    """The AES-GCM key (32 bytes) that encrypts one user's browser outbox.

    Derived from ``SECRET_KEY``, so the server holds it for every user without a
    table, and only that user's session is given it (``cpd.offline.outbox_key_view``).
    """
    return salted_hmac("cpd.outbox.key", str(user_pk), algorithm="sha256").digest()


def data_saver(request: HttpRequest) -> dict[str, Any]:
    """Data saver on: the ``Save-Data: on`` header or the user's setting (no query)."""
    if request.headers.get("Save-Data", "").strip().lower() == "on":
        return {"data_saver": True}
    user = getattr(request, "user", None)
    return {"data_saver": bool(user is not None and getattr(user, "data_saver", False))}
