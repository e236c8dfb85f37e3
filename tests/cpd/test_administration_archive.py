"""Archiving a cohort: readable, closed for writing, in every app's write services."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from courses.models import CourseAssignment
from courses.services import quizzes
from cpd import policies, services
from cpd.administration import services as admin_services
from cpd.models import AdminLogEntry, Invitation, Membership, Role
from forums.models import Thread
from forums.rooms import services as room_services
from forums.services import posting
from forums.services.forums import forum_for_cohort
from mentoring.models import Conversation, PairingMode
from mentoring.services import conversations, pairing
from tests.conftest import ROLES, client_as
from tests.factories.courses import QuestionFactory, QuizFactory
from tests.factories.cpd import UserFactory
from tests.factories.rooms import RoomFactory

ARCHIVED = "is archived"


def _archive(world):
    return admin_services.cohort_archive(actor=world.org_admin, cohort=world.cohort)


# --- The services and the policy ----------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_only_organisation_administrators_archive(world, role):
    user = world.user(role)
    allowed = role == "org_admin"
    assert policies.can_archive_cohort(user, world.cohort) is allowed
    if role == "anonymous":
        return
    if allowed:
        admin_services.cohort_archive(actor=user, cohort=world.cohort)
    else:
        with pytest.raises(PermissionDenied):
            admin_services.cohort_archive(actor=user, cohort=world.cohort)
    world.cohort.refresh_from_db()
    assert world.cohort.is_archived is allowed


def test_a_cohort_admin_member_cannot_archive(world):
    delegate = UserFactory()
    services.membership_add(cohort=world.cohort, user=delegate, role=Role.ADMIN)
    with pytest.raises(PermissionDenied):
        admin_services.cohort_archive(actor=delegate, cohort=world.cohort)


def test_archiving_twice_changes_nothing_and_logs_once(world):
    first = _archive(world).archived_at
    assert _archive(world).archived_at == first
    assert AdminLogEntry.objects.filter(action="cohort-archived").count() == 1


def test_unarchive_opens_the_cohort_again(world):
    _archive(world)
    admin_services.cohort_unarchive(actor=world.org_admin, cohort=world.cohort)
    assert policies.cohort_is_writable(world.cohort)
    assert AdminLogEntry.objects.filter(action="cohort-unarchived").count() == 1


def test_ensure_cohort_writable_says_why(world):
    _archive(world)
    with pytest.raises(PermissionDenied, match=f"Cohort A {ARCHIVED}"):
        policies.ensure_cohort_writable(world.cohort)


def test_an_archived_cohort_cannot_be_edited(world):
    _archive(world)
    with pytest.raises(PermissionDenied, match=ARCHIVED):
        services.cohort_update(actor=world.org_admin, cohort=world.cohort, name="X")


# --- Pages ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_archive_page_by_role(client, world, role):
    client_as(client, world.user(role))
    response = client.post(reverse("admin-cohort-archive", args=[world.cohort.pk]))
    expected = {
        "learner": 403,
        "mentor_of_cohort": 403,
        "other_mentor": 404,
        "org_admin": 302,
        "other_org_admin": 404,
        "outsider": 404,
        "anonymous": 302,
    }[role]
    assert response.status_code == expected
    world.cohort.refresh_from_db()
    assert world.cohort.is_archived is (role == "org_admin")


@pytest.mark.parametrize("role", ROLES)
def test_unarchive_page_by_role(client, world, role):
    _archive(world)
    client_as(client, world.user(role))
    response = client.post(reverse("admin-cohort-unarchive", args=[world.cohort.pk]))
    assert response.status_code in (302, 403, 404)
    world.cohort.refresh_from_db()
    assert world.cohort.is_archived is (role != "org_admin")


def test_archive_is_post_only(client, world):
    client_as(client, world.org_admin)
    response = client.get(reverse("admin-cohort-archive", args=[world.cohort.pk]))
    assert response.status_code == 405


def test_an_archived_cohort_stays_readable(client, world):
    forum = forum_for_cohort(world.cohort)
    _archive(world)
    client_as(client, world.learner)
    cohort_page = client.get(reverse("cohort-detail", args=[world.cohort.pk]))
    assert cohort_page.status_code == 200
    assert client.get(reverse("forums-forum", args=[forum.pk])).status_code == 200


def test_the_edit_page_of_an_archived_cohort_offers_unarchive_not_the_form(
    client, world
):
    _archive(world)
    client_as(client, world.org_admin)
    page = client.get(reverse("admin-cohort-edit", args=[world.cohort.pk]))
    assert reverse("admin-cohort-unarchive", args=[world.cohort.pk]) in (
        page.content.decode()
    )
    assert 'name="starts_on"' not in page.content.decode()


# --- Forum posts ----------------------------------------------------------------------


def test_no_new_thread_in_an_archived_cohort(world):
    forum = forum_for_cohort(world.cohort)
    _archive(world)
    with pytest.raises(PermissionDenied, match=ARCHIVED):
        posting.thread_create(actor=world.learner, forum=forum, title="T", body="b")
    assert not Thread.objects.filter(forum=forum).exists()


def test_no_reply_in_an_archived_cohort(world):
    forum = forum_for_cohort(world.cohort)
    thread, _ = posting.thread_create(
        actor=world.learner, forum=forum, title="T", body="b"
    )
    _archive(world)
    with pytest.raises(PermissionDenied, match=ARCHIVED):
        posting.post_create(actor=world.mentor_of_cohort, thread=thread, body="r")


def test_the_thread_page_refuses_with_a_403_that_says_why(client, world):
    forum = forum_for_cohort(world.cohort)
    _archive(world)
    client_as(client, world.learner)
    response = client.post(
        reverse("forums-thread-new", args=[forum.pk]),
        {"title": "PPH", "body": "What now?", "idempotency_key": "k1"},
    )
    assert response.status_code == 403
    assert ARCHIVED in response.content.decode()


def test_the_thread_api_refuses_with_a_403_detail(api_client, world):
    forum = forum_for_cohort(world.cohort)
    _archive(world)
    api_client.force_authenticate(world.learner)
    response = api_client.post(
        reverse("api-thread-list", args=[forum.pk]),
        {"title": "PPH", "body": "What now?", "idempotency_key": "k1"},
        format="json",
    )
    assert response.status_code == 403
    assert ARCHIVED in response.json()["detail"]


# --- Room messages --------------------------------------------------------------------


def test_no_room_message_in_an_archived_cohort(world):
    room = RoomFactory(cohort=world.cohort)
    _archive(world)
    with pytest.raises(PermissionDenied, match=ARCHIVED):
        room_services.message_post(
            actor=world.learner, room=room, body="hello", client_key="k1"
        )


def test_no_case_room_opens_in_an_archived_cohort(world):
    _archive(world)
    with pytest.raises(PermissionDenied, match=ARCHIVED):
        room_services.room_open_case(
            actor=world.mentor_of_cohort, cohort=world.cohort, title="Case"
        )


def test_the_room_api_refuses_with_a_403_detail(api_client, world):
    room = RoomFactory(cohort=world.cohort)
    _archive(world)
    api_client.force_authenticate(world.learner)
    response = api_client.post(
        reverse("api-room-messages", args=[room.pk]),
        {"body": "hello", "client_key": "k1"},
        format="json",
    )
    assert response.status_code == 403
    assert ARCHIVED in response.json()["detail"]


# --- Invitations and enrolment ------------------------------------------------------


def test_no_invitation_to_an_archived_cohort(world):
    _archive(world)
    with pytest.raises(PermissionDenied, match=ARCHIVED):
        services.invitation_create(
            actor=world.org_admin,
            cohort=world.cohort,
            role=Role.LEARNER,
            email="new@example.org",
        )
    assert not Invitation.objects.exists()


def test_the_invitation_api_refuses_with_a_403_detail(api_client, world):
    _archive(world)
    api_client.force_authenticate(world.org_admin)
    response = api_client.post(
        reverse("api-cohort-invitations", args=[world.cohort.pk]),
        {"role": "learner", "email": "new@example.org"},
        format="json",
    )
    assert response.status_code == 403
    assert ARCHIVED in response.json()["detail"]


def test_an_invitation_made_before_archiving_no_longer_enrols(world):
    invitation = services.invitation_create(
        actor=world.org_admin,
        cohort=world.cohort,
        role=Role.LEARNER,
        email="new@example.org",
    )
    _archive(world)
    newcomer = UserFactory(email="new@example.org")
    with pytest.raises(PermissionDenied, match=ARCHIVED):
        services.invitation_accept(invitation=invitation, user=newcomer)
    assert not Membership.objects.filter(user=newcomer).exists()


def test_no_enrolment_in_an_archived_cohort(world):
    _archive(world)
    with pytest.raises(PermissionDenied, match=ARCHIVED):
        services.membership_add(
            cohort=world.cohort, user=UserFactory(), role=Role.LEARNER
        )


# --- Quiz attempts and mentor messages -------------------------------------------


def test_no_quiz_attempt_in_an_archived_cohort(world):
    quiz = QuizFactory()
    QuestionFactory(quiz=quiz)
    CourseAssignment.objects.create(cohort=world.cohort, course=quiz.course)
    attempt = quizzes.attempt_start(user=world.learner, quiz=quiz)
    _archive(world)
    with pytest.raises(PermissionDenied, match=ARCHIVED):
        quizzes.attempt_start(user=world.learner, quiz=quiz)
    with pytest.raises(PermissionDenied, match=ARCHIVED):
        quizzes.attempt_submit(user=world.learner, attempt=attempt, answers={})


def test_a_quiz_stays_open_through_another_open_cohort(world):
    quiz = QuizFactory()
    QuestionFactory(quiz=quiz)
    CourseAssignment.objects.create(cohort=world.cohort, course=quiz.course)
    CourseAssignment.objects.create(cohort=world.other_cohort, course=quiz.course)
    services.membership_add(
        cohort=world.other_cohort, user=world.learner, role=Role.LEARNER
    )
    _archive(world)
    assert quizzes.attempt_start(user=world.learner, quiz=quiz).pk


def test_no_mentor_message_in_an_archived_cohort(world):
    pairing.pairing_confirm(
        actor=world.org_admin,
        cohort=world.cohort,
        mode=PairingMode.ONE_TO_ONE,
        assignments={world.learner.pk: world.mentor_of_cohort.pk},
    )
    conversation = Conversation.objects.get(cohort=world.cohort)
    _archive(world)
    with pytest.raises(PermissionDenied, match=ARCHIVED):
        conversations.message_send(
            actor=world.learner, conversation=conversation, body="Help"
        )


def test_archived_at_is_a_time(world):
    before = timezone.now()
    assert _archive(world).archived_at >= before
