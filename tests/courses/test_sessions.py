"""Face-to-face sessions: who sees them, one-tap attendance by mentors."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from courses.models import Attendance, Session
from courses.services import sessions
from tests.conftest import ROLES, client_as
from tests.factories.courses import course_for

SEES = {"learner", "mentor_of_cohort", "org_admin"}
MARKS = {"mentor_of_cohort", "org_admin"}


@pytest.fixture
def session(world):
    course = course_for(world.cohort)
    now = timezone.now()
    return Session.objects.create(
        cohort=world.cohort,
        module=course.modules.get(),
        title="PPH skills drill",
        place="Ward 3",
        starts_at=now + dt.timedelta(minutes=30),  # the register is open
        ends_at=now + dt.timedelta(hours=2),
    )


@pytest.mark.parametrize("role", ROLES)
def test_session_page_by_role(client, world, session, role):
    response = client_as(client, world.user(role)).get(
        reverse("courses-session", args=[session.pk])
    )
    if role == "anonymous":
        assert response.status_code == 302
        return
    assert response.status_code == (200 if role in SEES else 404)
    if role in SEES:
        assert ("Attendance" in response.content.decode()) is (role in MARKS)


def test_upcoming_session_is_on_my_courses(client, world, session):
    body = client_as(client, world.learner).get(reverse("courses-home")).content
    assert "PPH skills drill" in body.decode()


@pytest.mark.parametrize("role", sorted(MARKS))
def test_a_tap_sets_the_state_it_asks_for_and_retries_change_nothing(
    client, world, session, role
):
    client_as(client, world.user(role))
    url = reverse("courses-session", args=[session.pk])
    page = client.get(url).content.decode()
    assert 'name="present" value="1"' in page  # absent: the button marks present
    # a tap whose answer was lost, retried forty times, leaves the learner present
    for _ in range(40):
        client.post(url, {"learner": world.learner.pk, "present": "1"})
    assert Attendance.objects.filter(session=session, user=world.learner).count() == 1
    assert 'name="present" value="0"' in client.get(url).content.decode()
    # un-marking is its own request, and repeating it keeps them absent
    for _ in range(3):
        client.post(url, {"learner": world.learner.pk, "present": "0"})
    assert not Attendance.objects.exists()


def test_a_tap_without_a_state_is_a_message_and_changes_nothing(client, world, session):
    client_as(client, world.mentor_of_cohort)
    url = reverse("courses-session", args=[session.pk])
    response = client.post(url, {"learner": world.learner.pk}, follow=True)
    assert "Choose present or absent." in response.content.decode()
    assert not Attendance.objects.exists()


def test_learner_cannot_take_attendance(client, world, session):
    client_as(client, world.learner)
    response = client.post(
        reverse("courses-session", args=[session.pk]),
        {"learner": world.learner.pk, "present": "1"},
    )
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        sessions.attendance_set(
            actor=world.learner,
            session=session,
            learner_id=world.learner.pk,
            present=True,
        )


@pytest.mark.parametrize("learner", ["other_learner", "mentor_of_cohort"])
def test_only_the_cohorts_learners_can_be_marked(world, session, learner):
    with pytest.raises(ValidationError, match="not a learner in this cohort"):
        sessions.attendance_set(
            actor=world.mentor_of_cohort,
            session=session,
            learner_id=world.user(learner).pk,
            present=True,
        )


def test_bad_learner_id_is_a_message_not_a_500(client, world, session):
    client_as(client, world.mentor_of_cohort)
    url = reverse("courses-session", args=[session.pk])
    response = client.post(url, {"learner": "abc", "present": "1"}, follow=True)
    assert "not a learner in this cohort" in response.content.decode()


def test_register_costs_the_same_with_ten_times_the_learners(client, world, session):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cpd import services as cpd_services
    from tests.factories.cpd import UserFactory

    client_as(client, world.mentor_of_cohort)
    urls = [
        reverse("courses-session", args=[session.pk]),
        reverse("api-session-detail", args=[session.pk]),
        reverse("api-session-list"),
        reverse("courses-home"),
    ]

    def counts():
        result = []
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            result.append(len(ctx.captured_queries))
        return result

    before = counts()
    for user in UserFactory.create_batch(10):
        cpd_services.membership_add(cohort=world.cohort, user=user, role="learner")
        Attendance.objects.create(session=session, user=user)
    now = timezone.now()
    for n in range(10):
        Session.objects.create(
            cohort=world.cohort,
            title=f"Drill {n}",
            place="Ward",
            starts_at=now + dt.timedelta(days=n + 1),
            ends_at=now + dt.timedelta(days=n + 1, hours=1),
        )
    assert counts() == before


def test_attendance_opens_an_hour_before_the_start(client, world, session):
    session.starts_at = timezone.now() + dt.timedelta(days=2)
    session.save()
    with pytest.raises(ValidationError, match="Attendance opens an hour before"):
        sessions.attendance_set(
            actor=world.mentor_of_cohort,
            session=session,
            learner_id=world.learner.pk,
            present=True,
        )
    client_as(client, world.mentor_of_cohort)
    response = client.post(
        reverse("courses-session", args=[session.pk]),
        {"learner": world.learner.pk, "present": "1"},
        follow=True,
    )
    assert "Attendance opens an hour before" in response.content.decode()
    page = client.get(reverse("courses-session", args=[session.pk])).content.decode()
    assert "The register opens an hour before" in page
    assert 'name="learner"' not in page
    assert not Attendance.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_taps_leave_the_learner_present_once(world, session):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    def tap(_n: int) -> bool:
        try:
            return sessions.attendance_set(
                actor=world.mentor_of_cohort,
                session=session,
                learner_id=world.learner.pk,
                present=True,
            )
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(tap, range(50)))
    assert results == [True] * 50
    assert Attendance.objects.filter(session=session, user=world.learner).count() == 1
