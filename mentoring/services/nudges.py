"""A nudge for a learner who has gone quiet, with a copy to their mentor.

"Quiet" is read from the learning record (cpd.record): no statement for
``INACTIVE_DAYS``. The learner and their active mentor hear of it once per
quiet spell (the dedupe key carries the day the spell started).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from cpd.models import Activity
from cpd.notifications.services import notify_many
from mentoring.models import Pairing

KIND_NUDGE = "mentoring.inactive"
KIND_NUDGE_MENTOR = "mentoring.mentee_inactive"
INACTIVE_DAYS = 7


def inactive_nudges(*, now: dt.datetime | None = None) -> int:
    """Nudge each paired learner quiet for INACTIVE_DAYS; returns how many."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=INACTIVE_DAYS)
    pairs = list(
        Pairing.objects.filter(active=True).select_related(
            "cohort", "learner", "mentor"
        )
    )
    if not pairs:
        return 0
    last = dict(
        Activity.objects.filter(actor_id__in=[p.learner_id for p in pairs])
        .values("actor_id")
        .annotate(last=Max("timestamp"))
        .values_list("actor_id", "last")
    )
    nudged = 0
    for pair in pairs:
        seen = last.get(pair.learner_id)
        if seen is None or seen >= since:
            continue  # never started (not a drift), or active
        spell = seen.date().isoformat()
        notify_many(
            user_ids=[pair.learner_id],
            kind=KIND_NUDGE,
            message=gettext_noop(
                "We miss you in %(cohort)s: a five-minute lesson is waiting."
            ),
            params={"cohort": pair.cohort.name},
            url=reverse("courses-home"),
            dedupe_prefix=f"nudge:{pair.learner_id}:{spell}",
            cohort=pair.cohort_id,
        )
        if pair.mentor_id:
            notify_many(
                user_ids=[pair.mentor_id],
                kind=KIND_NUDGE_MENTOR,
                message=gettext_noop(
                    "%(learner)s has not used the platform for %(days)s days."
                ),
                params={"learner": pair.learner.display_name, "days": INACTIVE_DAYS},
                url=reverse("mentoring-dashboard", args=[pair.cohort_id]),
                dedupe_prefix=f"nudge-mentor:{pair.learner_id}:{spell}",
                cohort=pair.cohort_id,
            )
        nudged += 1
    return nudged
