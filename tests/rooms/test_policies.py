"""Room rules for every role."""

import pytest
from django.http import Http404

from forums.rooms import policies, selectors
from forums.rooms.models import Room, RoomKind, RoomState
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


@pytest.mark.parametrize("role", ROLES)
def test_room_get_for_user_answers_404_outside_the_cohort(world, room, role):
    """The one lookup every room page, API and socket uses (mutation testing)."""
    user = world.user(role)
    other = RoomFactory(cohort=world.other_cohort)
    if role in SEES:
        assert selectors.room_get_for_user(user, room.pk) == room
    else:
        with pytest.raises(Http404):
            selectors.room_get_for_user(user, room.pk)
    with pytest.raises(Http404):
        selectors.room_get_for_user(user, 0)  # no such room
    seen_b = role in {"other_mentor", "other_org_admin"}
    if seen_b:
        assert selectors.room_get_for_user(user, other.pk) == other
    else:
        with pytest.raises(Http404):
            selectors.room_get_for_user(user, other.pk)


def test_room_list_puts_open_rooms_first_and_the_standing_room_on_top(world):
    closed = RoomFactory(cohort=world.cohort, state=RoomState.CLOSED)
    case = RoomFactory(cohort=world.cohort)
    standing = RoomFactory(cohort=world.cohort, kind=RoomKind.STANDING)
    newer_case = RoomFactory(cohort=world.cohort)
    rooms = list(selectors.room_list_for_user(world.learner))
    assert rooms == [standing, newer_case, case, closed]
