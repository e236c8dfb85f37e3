"""What `seed_demo` hands to each app's own `<app>/demo.py:seed(world, out)`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models.functions import TruncDate
from django.utils import timezone

from cpd import record
from cpd.models import Activity, Cohort, Organisation, User, Verb


@dataclass
class DemoWorld:
    """The demo organisation, its cohorts and people, by short names.

    users: "admin", "amina" (mentor, maternal), "joseph" (mentor, emergency),
    "faith", "mercy" (learners, maternal), "peter" (learner, both), "hassan"
    (learner, emergency). cohorts: "maternal", "emergency".
    """

    organisation: Organisation
    cohorts: dict[str, Cohort] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)


# More learners of the maternal cohort, so that the report's groups (five or
# more learners) and the engagement scatter (five pairs) show figures in the
# demo. Six agreed to share gender and age band; two did not. In ``DemoWorld``
# they are "classmate0" .. "classmate7".
_KISUMU = "Kisumu County Referral Hospital"
CLASSMATES: list[dict[str, Any]] = [
    {
        "email": f"learner{i + 1}@demo.cpd",
        "display_name": name,
        "cadre": cadre,
        "district": "Kisumu",
        "facility": facility,
        "demographics_consent": gender != "",
        "gender": gender,
        "age_band": age_band,
    }
    for i, (name, cadre, facility, gender, age_band) in enumerate(
        [
            ("Akinyi Odhiambo", "midwife", _KISUMU, "female", "25-34"),
            ("Beatrice Wafula", "nurse", _KISUMU, "female", "25-34"),
            ("Caroline Atieno", "midwife", _KISUMU, "female", "25-34"),
            ("Dorcas Anyango", "nurse", _KISUMU, "female", "25-34"),
            ("Esther Nyambura", "midwife", "Ahero Health Centre", "female", "25-34"),
            ("Felix Onyango", "nurse", "Ahero Health Centre", "male", "35-44"),
            ("Gladys Adhiambo", "midwife", "Ahero Health Centre", "", ""),
            ("Harriet Owino", "nurse", "Ahero Health Centre", "", ""),
        ]
    )
]


def demo_sign_ins(organisation: Organisation) -> int:
    """A sign-in, with its own session, on each day a member of the demo was active.

    The backfill rebuilds the record from seeded rows, and a sign-in leaves
    no row to rebuild it from; without these the report's sessions per learner
    would read 0 in the demo. One session per active day is the demo's
    assumption (phones that stay signed in make fewer). Idempotent: the client
    key names the day. Returns the statements offered.
    """
    days = (
        Activity.objects.filter(actor__memberships__cohort__organisation=organisation)
        .exclude(verb=Verb.SIGNED_IN)
        .annotate(day=TruncDate("timestamp"))
        .values_list("actor_id", "day")
        .distinct()
    )
    offered = 0
    for actor_id, day in days:
        when = timezone.make_aware(dt.datetime.combine(day, dt.time(6, 30)))
        record.record(
            actor=actor_id,
            verb=Verb.SIGNED_IN,
            object_type="site",
            session_key=f"demo-{actor_id}-{day:%Y%m%d}",
            client_key=f"demo-sign-in:{day:%Y-%m-%d}",
            timestamp=when,
        )
        offered += 1
    return offered
