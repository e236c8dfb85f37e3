"""A cohort's retention rule empties case rooms after they close, once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cpd import services as cpd_services
from cpd.models import Image
from forums.rooms import services
from forums.rooms.models import Room, RoomMessage, RoomState
from tests.conftest import client_as
from tests.factories.images import png
from tests.factories.rooms import RoomFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def room(world):
    world.cohort.room_retention_days = 90
    world.cohort.save()
    room = RoomFactory(cohort=world.cohort)
    image = cpd_services.image_upload(
        actor=world.learner,
        cohort=world.cohort,
        file=png(),
        no_identifiers_confirmed=True,
    )
    services.message_post(
        actor=world.learner, room=room, body="BP 80/50", client_key="a"
    )
    services.message_post(
        actor=world.learner, room=room, body="photo", client_key="b", image=image
    )
    return room


def _close(world, room, days_ago):
    services.room_close(actor=world.mentor_of_cohort, room=room)
    Room.objects.filter(pk=room.pk).update(
        closed_at=timezone.now() - dt.timedelta(days=days_ago)
    )


def test_a_room_past_retention_is_emptied_once(
    world, room, django_capture_on_commit_callbacks
):
    image = Image.objects.get()
    storage, name = image.full.storage, image.full.name
    assert storage.exists(name)
    _close(world, room, days_ago=91)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.retention_sweep() == 1
    assert not RoomMessage.objects.filter(room=room).exists()
    assert not Image.objects.exists()
    assert not storage.exists(name)  # the photo's file too
    assert Room.objects.get(pk=room.pk).purged_at is not None
    assert services.retention_sweep() == 0  # a rerun does nothing


@pytest.mark.parametrize("days_ago", [10, 89])
def test_a_room_within_retention_keeps_its_messages(world, room, days_ago):
    _close(world, room, days_ago=days_ago)
    assert services.retention_sweep() == 0
    assert RoomMessage.objects.filter(room=room).count() == 2


def test_open_rooms_and_cohorts_without_a_rule_are_kept(world, room):
    Room.objects.filter(pk=room.pk).update(
        closed_at=timezone.now() - dt.timedelta(days=400)
    )  # open, whatever the date says
    assert services.retention_sweep() == 0
    world.cohort.room_retention_days = None
    world.cohort.save()
    _close(world, room, days_ago=400)
    assert services.retention_sweep() == 0
    assert RoomMessage.objects.filter(room=room).count() == 2


def test_reopening_stops_the_clock(world, room):
    services.room_close(actor=world.mentor_of_cohort, room=room)
    assert Room.objects.get(pk=room.pk).closed_at is not None
    services.room_reopen(
        actor=world.mentor_of_cohort, room=Room.objects.get(pk=room.pk)
    )
    room = Room.objects.get(pk=room.pk)
    assert room.state == RoomState.OPEN
    assert room.closed_at is None


def test_the_room_page_says_so(client, world, room, django_capture_on_commit_callbacks):
    client_as(client, world.learner)
    url = reverse("rooms-room", args=[room.pk])
    assert "deleted 90 days after the room closes" in client.get(url).content.decode()
    _close(world, room, days_ago=91)
    with django_capture_on_commit_callbacks(execute=True):
        services.retention_sweep()
    page = client.get(url).content.decode()
    assert "were deleted on" in page
