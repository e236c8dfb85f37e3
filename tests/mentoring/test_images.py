"""Who sees a photo sent in a private conversation, and how it is stored.

A message's photo is a private ``cpd.Image``: it follows the message, not the
cohort. Participants see it; cohort administrators only once the message is
reported (the documented moderation rule); nobody else, cohort peers included.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.urls import reverse

from cpd import policies as cpd_policies
from cpd import services as cpd_services
from cpd.models import Image, Role
from mentoring import policies
from mentoring.models import Conversation, Message, PairingMode
from mentoring.services import conversations, pairing
from tests.conftest import ROLES, client_as
from tests.factories.cpd import UserFactory
from tests.factories.images import png

# Beyond the shared role matrix: people of cohort A outside the conversation.
EXTRA = ["peer_learner", "peer_mentor", "cohort_admin"]
READERS = {"learner", "mentor_of_cohort"}
ADMINS_OF_A = {"org_admin", "cohort_admin"}


@pytest.fixture
def people(world):
    """The role matrix plus a learner, a mentor and an administrator of cohort A."""
    extra = {
        "peer_learner": UserFactory(display_name="Peer learner A"),
        "peer_mentor": UserFactory(display_name="Peer mentor A"),
        "cohort_admin": UserFactory(display_name="Cohort admin A"),
    }
    roles = {
        "peer_learner": Role.LEARNER,
        "peer_mentor": Role.MENTOR,
        "cohort_admin": Role.ADMIN,
    }
    for name, member in extra.items():
        cpd_services.membership_add(cohort=world.cohort, user=member, role=roles[name])

    def by_role(role: str):
        return extra[role] if role in extra else world.user(role)

    return by_role


def _report(message: Message, by) -> None:
    conversations.message_report(actor=by, message=message, reason="check this")


def _file_status(client, user, image_id: int, size: str = "small") -> int:
    url = reverse("image-file", args=[image_id, size])
    return client_as(client, user).get(url).status_code


# --- Who sees the photo ------------------------------------------------------------


def test_a_sent_photo_is_a_private_image_of_the_conversations_cohort(
    world, photo_message
):
    image = photo_message.image
    assert image is not None
    assert image.private
    assert image.cohort_id == world.cohort.pk
    assert image.owner_id == world.learner.pk
    assert image.no_identifiers_confirmed


@pytest.mark.parametrize("role", ROLES + EXTRA)
def test_only_the_conversations_readers_fetch_the_photo(
    client, world, people, photo_message, role
):
    # given a photo in the mentee's private conversation, not reported
    image_id = photo_message.image_id
    # when each role asks for the file
    statuses = {
        _file_status(client, people(role), image_id, s) for s in ("small", "full")
    }
    # then the mentee and the mentor get it; everyone else as if it did not exist
    if role == "anonymous":
        assert statuses == {302}
    elif role in READERS:
        assert statuses == {200}
    else:
        assert statuses == {404}


def test_a_private_photo_is_not_kept_in_the_phones_cache(client, world, photo_message):
    client_as(client, world.learner)
    response = client.get(reverse("image-file", args=[photo_message.image_id, "small"]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("role", ROLES + EXTRA)
def test_after_a_report_the_cohorts_administrators_also_see_the_photo(
    client, world, people, photo_message, role
):
    # given the mentor reports the message carrying the photo
    _report(photo_message, world.mentor_of_cohort)
    # when each role asks for the file
    status = _file_status(client, people(role), photo_message.image_id)
    # then the cohort's administrators join the readers; mentors and peers do not
    if role == "anonymous":
        assert status == 302
    elif role in READERS | ADMINS_OF_A:
        assert status == 200
    else:
        assert status == 404


@pytest.mark.parametrize("reported", [False, True])
@pytest.mark.parametrize("role", ROLES + EXTRA)
def test_queryset_and_object_forms_agree(world, people, photo_message, role, reported):
    if reported:
        _report(photo_message, world.mentor_of_cohort)
    user = people(role)
    image = Image.objects.get(pk=photo_message.image_id)
    in_queryset = Image.objects.filter(
        cpd_policies.images_visible_to(user), pk=image.pk
    ).exists()
    assert in_queryset == cpd_policies.can_view_image(user, image)
    assert in_queryset == (role in READERS or (reported and role in ADMINS_OF_A))
    assert policies.can_view_message_image(user, image) == (
        role in READERS or (reported and role in ADMINS_OF_A)
    )


def test_group_learners_see_the_groups_photos_and_not_other_groups(client, world):
    # given a mentor's group of two learners, and a learner of another mentor
    peer, stranger, other_mentor = UserFactory(), UserFactory(), UserFactory()
    for user, role in [
        (peer, Role.LEARNER),
        (stranger, Role.LEARNER),
        (other_mentor, Role.MENTOR),
    ]:
        cpd_services.membership_add(cohort=world.cohort, user=user, role=role)
    pairing.pairing_confirm(
        actor=world.org_admin,
        cohort=world.cohort,
        mode=PairingMode.GROUP,
        assignments={
            world.learner.pk: world.mentor_of_cohort.pk,
            peer.pk: world.mentor_of_cohort.pk,
            stranger.pk: other_mentor.pk,
        },
    )
    conv = Conversation.objects.get(
        cohort=world.cohort, mentor=world.mentor_of_cohort, learner=None
    )
    # when the mentor posts a photo to the group
    message = conversations.message_send(
        actor=world.mentor_of_cohort,
        conversation=conv,
        body="",
        photo=png(),
        no_identifiers_confirmed=True,
    )
    # then both group learners see it, the other mentor's learner does not
    assert _file_status(client, peer, message.image_id) == 200
    assert _file_status(client, world.learner, message.image_id) == 200
    assert _file_status(client, stranger, message.image_id) == 404
    assert _file_status(client, other_mentor, message.image_id) == 404


def test_cohort_photos_of_case_rooms_and_forums_stay_cohort_visible(
    client, world, people, photo_message
):
    # given an ordinary cohort image next to the private one
    shared = cpd_services.image_upload(
        actor=world.learner,
        cohort=world.cohort,
        file=png(),
        no_identifiers_confirmed=True,
    )
    # then the cohort's peers still see it, but not the private photo
    assert _file_status(client, people("peer_learner"), shared.pk) == 200
    assert _file_status(client, people("peer_mentor"), shared.pk) == 200
    assert _file_status(client, people("peer_learner"), photo_message.image_id) == 404


# --- Nothing half-saved ----------------------------------------------------------


def test_a_failing_message_leaves_no_image_row_and_no_files(world, paired, monkeypatch):
    conv_a, _ = paired
    stored: list[str | None] = []
    real_upload = conversations.image_upload

    def recording_upload(**kwargs):
        image = real_upload(**kwargs)
        stored.extend([image.full.name, image.small.name])
        return image

    def broken_event(message):
        raise RuntimeError("notification builder failed")

    monkeypatch.setattr(conversations, "image_upload", recording_upload)
    monkeypatch.setattr(conversations.events, "message_created", broken_event)
    messages_before = Message.objects.count()
    # when the message fails after the photo was stored
    with pytest.raises(RuntimeError, match="notification builder failed"):
        conversations.message_send(
            actor=world.learner,
            conversation=conv_a,
            body="with photo",
            photo=png(),
            no_identifiers_confirmed=True,
        )
    # then neither the message, the image row nor its files remain
    assert stored
    assert Message.objects.count() == messages_before
    assert not Image.objects.exists()
    assert not any(default_storage.exists(name) for name in stored if name)


def test_service_refuses_a_photo_without_confirmation_before_storing(world, paired):
    conv_a, _ = paired
    with pytest.raises(ValidationError) as exc:
        conversations.message_send(
            actor=world.learner, conversation=conv_a, body="hi", photo=png()
        )
    assert "no_identifiers_confirmed" in exc.value.message_dict
    assert not Image.objects.exists()
