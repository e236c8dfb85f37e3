"""Room rules for every role."""

import pytest

from forums.rooms import policies
from forums.rooms.models import Room, RoomState
from tests.conftest import ROLES
from tests.factories.rooms import RoomFactory

SEES = {"learner", "mentor_of_cohort", "org_admin"}
CONTROLS = {"mentor_of_cohort", "org_admin"}


@pytest.fixture
def room(world):
    return RoomFactory(cohort=world.cohort)


@pytest.mark.parametrize("role", ROLES)
def test_view_and_queryset_agree_by_role(world, room, role):
    user = world.user(role)
    assert policies.can_view_room(user, room) is (role in SEES)
    visible = Room.objects.filter(policies.rooms_visible_to(user))
    assert (room in visible) is (role in SEES)


@pytest.mark.parametrize("role", ROLES)
def test_post_while_open_only_for_members(world, room, role):
    assert policies.can_post_in_room(world.user(role), room) is (role in SEES)
    room.state = RoomState.CLOSED
    assert policies.can_post_in_room(world.user(role), room) is False


@pytest.mark.parametrize("role", ROLES)
def test_control_and_open_case_for_mentors_and_admins(world, room, role):
    user = world.user(role)
    assert policies.can_control_room(user, room) is (role in CONTROLS)
    assert policies.can_open_case_room(user, world.cohort) is (role in CONTROLS)
