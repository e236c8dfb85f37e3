"""Attendance as a completion rule, in the progress table and through the API."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import Attendance, Certificate, Session
from courses.services import progress, sessions
from tests.conftest import ROLES, client_as
from tests.factories.courses import course_for


@pytest.fixture
def course(world):
    return course_for(world.cohort, lessons=1, sessions_required=1)


@pytest.fixture
def session(world, course):
    now = timezone.now()
    return Session.objects.create(
        cohort=world.cohort,
        module=course.modules.get(),
        title="Skills drill",
        place="Ward 3",
        starts_at=now - dt.timedelta(hours=2),
        ends_at=now - dt.timedelta(hours=1),
    )


def finish_lessons(user, course):
    for module in course.modules.all():
        for lesson in module.lessons.all():
            progress.lesson_complete(user=user, lesson=lesson)


def test_course_needs_attendance_before_the_certificate(world, course, session):
    finish_lessons(world.learner, course)
    assert not Certificate.objects.exists()
    sessions.attendance_set(
        actor=world.mentor_of_cohort,
        session=session,
        learner_id=world.learner.pk,
        present=True,
    )
    assert Certificate.objects.get().user == world.learner


def test_attendance_at_a_session_of_another_course_does_not_count(world, course):
    other = course_for(world.cohort, lessons=1)
    now = timezone.now()
    elsewhere = Session.objects.create(
        cohort=world.cohort,
        module=other.modules.get(),
        title="Other drill",
        place="Hall",
        starts_at=now,
        ends_at=now,
    )
    sessions.attendance_set(
        actor=world.org_admin,
        session=elsewhere,
        learner_id=world.learner.pk,
        present=True,
    )
    finish_lessons(world.learner, course)
    assert not Certificate.objects.filter(course=course).exists()


def test_attendance_set_is_idempotent(world, session):
    for _ in range(2):
        sessions.attendance_set(
            actor=world.mentor_of_cohort,
            session=session,
            learner_id=world.learner.pk,
            present=True,
        )
    assert Attendance.objects.count() == 1
    for _ in range(2):
        sessions.attendance_set(
            actor=world.mentor_of_cohort,
            session=session,
            learner_id=world.learner.pk,
            present=False,
        )
    assert Attendance.objects.count() == 0


def test_progress_table_and_csv_show_sessions(client, world, session):
    Attendance.objects.create(session=session, user=world.learner)
    client_as(client, world.mentor_of_cohort)
    url = reverse("courses-progress", args=[world.cohort.pk])
    assert "<td>1/1</td>" in client.get(url).content.decode()
    csv_response = client.get(url, {"format": "csv"})
    rows = b"".join(csv_response.streaming_content).decode().splitlines()
    header = rows[0].split(",")
    learner_row = next(r for r in rows[1:] if world.learner.display_name in r)
    values = dict(zip(header, learner_row.split(","), strict=True))
    assert (values["sessions_attended"], values["sessions_held"]) == ("1", "1")
    api = client.get(reverse("api-cohort-progress", args=[world.cohort.pk])).json()
    row = next(r for r in api["results"] if r["user_id"] == world.learner.pk)
    assert (row["sessions_attended"], row["sessions_held"]) == (1, 1)


SEES = {"learner", "mentor_of_cohort", "org_admin"}
MARKS = {"mentor_of_cohort", "org_admin"}


@pytest.mark.parametrize("role", ROLES)
def test_session_api_by_role(client, world, session, role):
    client_as(client, world.user(role))
    response = client.get(reverse("api-session-detail", args=[session.pk]))
    if role == "anonymous":
        assert response.status_code in (401, 403)
        return
    assert response.status_code == (200 if role in SEES else 404)
    if role in SEES:
        data = response.json()
        assert data["can_take_attendance"] is (role in MARKS)
        assert bool(data["learners"]) is (role in MARKS)


@pytest.mark.parametrize("role", ROLES)
def test_attendance_api_by_role(client, world, session, role):
    client_as(client, world.user(role))
    response = client.post(
        reverse("api-session-attendance", args=[session.pk]),
        {"learner": world.learner.pk, "present": True},
        content_type="application/json",
    )
    expected = {"anonymous": (401, 403), "learner": (403,)}.get(
        role, (200,) if role in MARKS else (404,)
    )
    assert response.status_code in expected
    assert Attendance.objects.exists() is (role in MARKS)
    if role in MARKS:
        row = next(x for x in response.json()["learners"] if x["present"])
        assert row["id"] == world.learner.pk


@pytest.mark.parametrize(
    "payload",
    [{}, {"learner": "x", "present": True}, {"learner": -1, "present": True}],
)
def test_attendance_api_bad_input_is_400(client, world, session, payload):
    client_as(client, world.mentor_of_cohort)
    response = client.post(
        reverse("api-session-attendance", args=[session.pk]),
        payload,
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "learner" in response.json()


def test_attendance_api_refuses_someone_outside_the_cohort(client, world, session):
    client_as(client, world.mentor_of_cohort)
    response = client.post(
        reverse("api-session-attendance", args=[session.pk]),
        {"learner": world.other_learner.pk, "present": True},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "not a learner" in str(response.json()["learner"])
    assert not Attendance.objects.exists()


def test_session_list_api_shows_upcoming_sessions_of_my_cohorts(client, world):
    now = timezone.now()
    Session.objects.create(
        cohort=world.cohort,
        title="Next drill",
        place="Ward 1",
        starts_at=now + dt.timedelta(days=1),
        ends_at=now + dt.timedelta(days=1, hours=1),
    )
    client_as(client, world.learner)
    titles = [s["title"] for s in client.get(reverse("api-session-list")).json()]
    assert titles == ["Next drill"]
    client_as(client, world.outsider)
    assert client.get(reverse("api-session-list")).json() == []


def test_outline_shows_what_is_left_to_complete(client, world, course, session):
    from tests.factories.courses import QuizFactory

    QuizFactory(course=course, kind="post")
    client_as(client, world.learner)
    url = reverse("courses-course", args=[course.pk])
    body = client.get(url).content.decode()
    assert "Finish every lesson (0 of 1)" in body
    assert "Pass the post-test" in body
    assert "Attend face-to-face sessions (0 of 1)" in body
    Attendance.objects.create(session=session, user=world.learner)
    finish_lessons(world.learner, course)
    body = client.get(url).content.decode()
    assert "✓ Finish every lesson (1 of 1)" in body
    assert "✓ Attend face-to-face sessions (1 of 1)" in body
    assert "✓ Pass the post-test" not in body


def test_api_outline_gives_the_completion_standing(client, world, course, session):
    Attendance.objects.create(session=session, user=world.learner)
    client_as(client, world.learner)
    data = client.get(reverse("api-course-detail", args=[course.pk])).json()
    assert data["completion"] == {
        "lessons_done": 0,
        "lessons_total": 1,
        "post_test_required": False,
        "post_test_passed": False,
        "sessions_required": 1,
        "sessions_attended": 1,
        "complete": False,
    }


def test_api_says_whether_the_register_is_open(client, world, session):
    client_as(client, world.mentor_of_cohort)
    url = reverse("api-session-detail", args=[session.pk])
    assert client.get(url).json()["register_open"] is True
    session.starts_at = timezone.now() + dt.timedelta(days=3)
    session.ends_at = session.starts_at + dt.timedelta(hours=1)
    session.save()
    assert client.get(url).json()["register_open"] is False
    response = client.post(
        reverse("api-session-attendance", args=[session.pk]),
        {"learner": world.learner.pk, "present": True},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "opens an hour before" in str(response.json()["learner"])
