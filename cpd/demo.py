"""What `seed_demo` hands to each app's own `<app>/demo.py:seed(world, out)`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cpd.models import Cohort, Organisation, User


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
