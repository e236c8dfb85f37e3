"""Layout context: the cohort switcher and the real-time socket address."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from cpd.models import Cohort
from cpd.policies import cohorts_visible_to

CURRENT_COHORT_KEY = "current_cohort_id"


def layout(request: HttpRequest) -> dict[str, Any]:
    """Cohorts for the switcher (one query, lazily) and the current one."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"realtime_url": settings.REALTIME_URL}
    cohorts = list(
        Cohort.objects.filter(cohorts_visible_to(user))
        .order_by("-starts_on", "name")
        .values("id", "name")[:50]
    )
    current_id = request.session.get(CURRENT_COHORT_KEY)
    current = next((c for c in cohorts if c["id"] == current_id), None)
    if current is None and cohorts:
        current = cohorts[0]
    return {
        "switcher_cohorts": cohorts,
        "current_cohort": current,
        "realtime_url": settings.REALTIME_URL,
    }
