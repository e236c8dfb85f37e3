"""Demo case rooms: a standing room per cohort and one live case."""

from __future__ import annotations

from typing import Any

from cpd.demo import DemoWorld
from forums.rooms import services
from forums.rooms.models import Room, RoomKind

CASE_TITLE = "Eclampsia at 34 weeks: magnesium dosing on the ward"
SCRIPT = [
    (
        "amina",
        "demo-1",
        "Case: G2P1 at 34 weeks, BP 168/112, a seizure 20 minutes ago. "
        "No names or numbers please. What would you give first?",
    ),
    (
        "faith",
        "demo-2",
        "Magnesium sulfate loading dose: **4 g IV over 5–10 min** plus "
        "10 g IM (5 g each buttock), as in our protocol.",
    ),
    (
        "mercy",
        "demo-3",
        "We also check knee reflexes, respiratory rate and urine output "
        "before each maintenance dose.",
    ),
    (
        "amina",
        "demo-4",
        "Good. And antihypertensive: aim for diastolic under 110 — "
        "hydralazine or labetalol as available.",
    ),
]


def seed(world: DemoWorld, out: Any) -> None:
    """Standing rooms for both cohorts and one case room with a short discussion."""
    services.rooms_ensure_standing(cohorts=list(world.cohorts.values()))
    cohort = world.cohorts["maternal"]
    room = Room.objects.filter(
        cohort=cohort, kind=RoomKind.CASE, title=CASE_TITLE
    ).first()
    if room is None:
        room = services.room_open_case(
            actor=world.users["amina"],
            cohort=cohort,
            title=CASE_TITLE,
            case_summary="Seizure on the antenatal ward; transfer takes 3 hours.",
        )
    for who, key, body in SCRIPT:
        services.message_post(
            actor=world.users[who], room=room, body=body, client_key=key
        )
    out.write("Case rooms: standing rooms and one eclampsia case room.\n")
