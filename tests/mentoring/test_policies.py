"""Who sees which mentoring data, for every role."""

from __future__ import annotations

import pytest

from cpd import services as cpd_services
from cpd.models import Image, Role
from mentoring import policies
from mentoring.models import CheckIn, Conversation, MentorProfile, Message, Pairing
from tests.conftest import ROLES
from tests.factories.cpd import UserFactory
from tests.factories.mentoring import MentorProfileFactory

CONVERSATION_A_SEEN_BY = {"learner", "mentor_of_cohort"}
PAIRINGS_A_SEEN_BY = {"learner", "mentor_of_cohort", "org_admin"}
LOAD_A_SEEN_BY = {"org_admin"}


@pytest.mark.parametrize("role", ROLES)
def test_a_private_conversation_is_visible_to_its_participants_only(
    world, paired, role
):
    user = world.user(role)
    conv_a, _conv_b = paired
    visible = Conversation.objects.filter(policies.conversations_visible_to(user))
    assert (conv_a in visible) == (role in CONVERSATION_A_SEEN_BY)
    assert Message.objects.filter(
        conversation__in=visible, body__contains="SECRET question from A"
    ).exists() == (role in CONVERSATION_A_SEEN_BY)


@pytest.mark.parametrize("role", ROLES)
def test_pairings_are_visible_to_the_pair_and_the_cohort_admins(world, paired, role):
    user = world.user(role)
    visible = Pairing.objects.filter(policies.pairings_visible_to(user))
    pair_a = Pairing.objects.get(cohort=world.cohort)
    assert (pair_a in visible) == (role in PAIRINGS_A_SEEN_BY)
    assert policies.can_view_pairing(user, pair_a) == (role in PAIRINGS_A_SEEN_BY)


@pytest.mark.parametrize("role", ROLES)
def test_mentor_load_is_for_cohort_admins(world, role):
    allowed = policies.can_view_mentor_load(world.user(role), world.cohort)
    assert allowed == (role in LOAD_A_SEEN_BY)


@pytest.mark.parametrize("role", ROLES)
def test_the_dashboard_is_for_the_cohorts_mentors(world, role):
    allowed = policies.can_view_dashboard(world.user(role), world.cohort)
    assert allowed == (role == "mentor_of_cohort")


@pytest.mark.parametrize("role", ROLES)
def test_only_the_mentor_schedules_check_ins(world, paired, role):
    conv_a, _ = paired
    allowed = policies.can_schedule_checkin(world.user(role), conv_a)
    assert allowed == (role == "mentor_of_cohort")


@pytest.mark.parametrize("role", ROLES)
def test_check_ins_are_visible_to_participants_only(world, paired, role):
    conv_a, _ = paired
    checkin = CheckIn.objects.create(
        conversation=conv_a, scheduled_for=conv_a.created_at, mode="call"
    )
    visible = CheckIn.objects.filter(policies.checkins_visible_to(world.user(role)))
    assert (checkin in visible) == (role in CONVERSATION_A_SEEN_BY)


@pytest.mark.parametrize("role", ROLES)
def test_reported_bodies_show_to_cohort_admins_only(world, paired, role):
    conv_a, _ = paired
    message = conv_a.messages.get(body__contains="SECRET")
    visible = Message.objects.filter(
        policies.reported_messages_visible_to(world.user(role))
    )
    assert message not in visible  # not reported yet: nobody outside sees it
    Message.objects.filter(pk=message.pk).update(
        reported_at=message.created_at, reported_by=world.mentor_of_cohort
    )
    visible = Message.objects.filter(
        policies.reported_messages_visible_to(world.user(role))
    )
    assert (message in visible) == (role == "org_admin")


# --- Added for mutation testing: the rules no test called directly ----------------


def _image(owner, cohort):
    return Image.objects.create(
        owner=owner,
        cohort=cohort,
        full="f.jpg",
        small="s.jpg",
        width=1,
        height=1,
        private=True,
    )


def _reported(message, by):
    Message.objects.filter(pk=message.pk).update(
        reported_at=message.created_at, reported_by=by
    )
    message.refresh_from_db()
    return message


def _loaded(message):
    return (
        Message.objects.select_related("conversation__cohort")
        .prefetch_related("conversation__members")
        .get(pk=message.pk)
    )


@pytest.mark.parametrize("role", ROLES)
def test_mentor_profiles_are_visible_inside_the_cohorts_seen(world, role):
    mine = MentorProfileFactory(user=world.mentor_of_cohort)
    theirs = MentorProfileFactory(user=world.other_mentor)
    user = world.user(role)
    visible = set(
        MentorProfile.objects.filter(policies.mentor_profiles_visible_to(user))
    )
    inside_a = role in {"learner", "mentor_of_cohort", "org_admin"}
    inside_b = role in {"other_mentor", "other_org_admin"}
    assert visible == ({mine} if inside_a else set()) | (
        {theirs} if inside_b else set()
    )


def test_a_profile_is_seen_by_its_owner_even_outside_any_cohort(world):
    own = MentorProfileFactory(user=world.outsider)
    learners_profile = MentorProfileFactory(user=world.learner)
    visible = set(
        MentorProfile.objects.filter(
            policies.mentor_profiles_visible_to(world.outsider)
        )
    )
    assert visible == {own}
    # a learner's profile row is not shown as a mentor's to the cohort
    assert learners_profile not in MentorProfile.objects.filter(
        policies.mentor_profiles_visible_to(world.mentor_of_cohort)
    )
    root = UserFactory(is_superuser=True)
    assert set(
        MentorProfile.objects.filter(policies.mentor_profiles_visible_to(root))
    ) == {own, learners_profile}


@pytest.mark.parametrize("role", ROLES)
def test_profiles_are_edited_by_their_owner_and_held_by_mentors(world, role):
    user = world.user(role)
    owner_id = world.mentor_of_cohort.pk
    assert policies.can_edit_mentor_profile(user, owner_id) is (
        role == "mentor_of_cohort"
    )
    assert policies.can_have_mentor_profile(user) is (
        role in {"mentor_of_cohort", "other_mentor"}
    )


def test_a_superuser_edits_and_holds_any_profile(world):
    root = UserFactory(is_superuser=True)
    assert policies.can_edit_mentor_profile(root, world.mentor_of_cohort.pk)
    assert policies.can_have_mentor_profile(root)


@pytest.mark.parametrize("role", ROLES)
def test_pairing_and_summaries_are_for_cohort_admins(world, role):
    user = world.user(role)
    assert policies.can_pair_in_cohort(user, world.cohort) is (role == "org_admin")
    assert policies.can_view_conversation_summaries(user, world.cohort) is (
        role == "org_admin"
    )


def test_a_cohort_admin_by_membership_sees_pairings_and_reports(world, paired):
    admin = UserFactory()
    cpd_services.membership_add(cohort=world.cohort, user=admin, role=Role.ADMIN)
    conv_a, conv_b = paired
    pair_a = Pairing.objects.get(cohort=world.cohort)
    assert set(Pairing.objects.filter(policies.pairings_visible_to(admin))) == {pair_a}
    assert policies.can_view_pairing(admin, pair_a)
    message = _reported(conv_a.messages.get(body__contains="SECRET"), world.learner)
    _reported(conv_b.messages.get(body__contains="SECRET"), world.other_learner)
    assert set(
        Message.objects.filter(policies.reported_messages_visible_to(admin))
    ) == {message}


def test_a_superuser_sees_every_pairing_and_every_reported_message(world, paired):
    root = UserFactory(is_superuser=True)
    conv_a, conv_b = paired
    assert Pairing.objects.filter(policies.pairings_visible_to(root)).count() == 2
    assert not Message.objects.filter(policies.reported_messages_visible_to(root))
    a = _reported(conv_a.messages.get(body__contains="SECRET"), world.learner)
    b = _reported(conv_b.messages.get(body__contains="SECRET"), world.other_learner)
    assert set(Message.objects.filter(policies.reported_messages_visible_to(root))) == {
        a,
        b,
    }


@pytest.mark.parametrize("role", ROLES)
def test_participants_post_and_report_others_messages(world, paired, role):
    conv_a, _ = paired
    user = world.user(role)
    participant = role in CONVERSATION_A_SEEN_BY
    assert policies.can_post_in_conversation(user, conv_a) is participant
    from_mentor = conv_a.messages.get(body="Welcome, A")
    from_learner = conv_a.messages.get(body__contains="SECRET")
    assert policies.can_report_message(user, from_mentor) is (role == "learner")
    assert policies.can_report_message(user, from_learner) is (
        role == "mentor_of_cohort"
    )


@pytest.mark.parametrize("role", ROLES)
def test_messages_are_read_by_participants_then_admins_once_reported(
    world, paired, role
):
    conv_a, conv_b = paired
    user = world.user(role)
    message = conv_a.messages.get(body__contains="SECRET")
    participant = role in CONVERSATION_A_SEEN_BY
    visible = set(Message.objects.filter(policies.messages_visible_to(user)))
    assert (message in visible) is participant
    assert policies.can_view_message(user, _loaded(message)) is participant
    _reported(message, world.mentor_of_cohort)
    visible = set(Message.objects.filter(policies.messages_visible_to(user)))
    reader = participant or role == "org_admin"
    assert (message in visible) is reader
    assert policies.can_view_message(user, _loaded(message)) is reader
    # the unreported message next to it stays with the participants
    other = conv_a.messages.get(body="Welcome, A")
    assert policies.can_view_message(user, _loaded(other)) is participant
    assert (other in visible) is participant
    # conversation B's messages are its own participants'
    b_messages = set(conv_b.messages.all())
    assert bool(visible & b_messages) is (role == "other_mentor")


@pytest.mark.parametrize("role", ROLES)
def test_a_message_photo_follows_its_message(world, paired, role):
    conv_a, _ = paired
    user = world.user(role)
    photo = _image(world.learner, world.cohort)
    loose = _image(world.learner, world.cohort)  # attached to nothing
    message = conv_a.messages.get(body__contains="SECRET")
    Message.objects.filter(pk=message.pk).update(image=photo)
    participant = role in CONVERSATION_A_SEEN_BY
    visible = set(Image.objects.filter(policies.message_images_visible_to(user)))
    assert visible == ({photo} if participant else set())
    assert policies.can_view_message_image(user, photo) is participant
    assert policies.can_view_message_image(user, loose) is False
    _reported(message, world.mentor_of_cohort)
    reader = participant or role == "org_admin"
    visible = set(Image.objects.filter(policies.message_images_visible_to(user)))
    assert visible == ({photo} if reader else set())
    assert policies.can_view_message_image(user, photo) is reader


@pytest.mark.parametrize("role", ROLES)
def test_only_the_mentor_records_a_check_in(world, paired, role):
    conv_a, _ = paired
    checkin = CheckIn.objects.create(
        conversation=conv_a, scheduled_for=conv_a.created_at, mode="call"
    )
    assert policies.can_record_checkin(world.user(role), checkin) is (
        role == "mentor_of_cohort"
    )
