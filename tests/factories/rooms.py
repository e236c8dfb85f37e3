"""Factories for case rooms (messages go through the service, as in production)."""

import factory

from forums.rooms.models import Room, RoomKind
from tests.factories.cpd import CohortFactory


class RoomFactory(factory.django.DjangoModelFactory[Room]):
    class Meta:
        model = Room

    cohort = factory.SubFactory(CohortFactory)
    kind = RoomKind.CASE
    title = factory.Sequence(lambda n: f"Case {n}")
