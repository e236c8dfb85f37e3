"""Scheduling face-to-face sessions from a phone (page and API), by role."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import Session
from tests.conftest import ROLES, client_as
from tests.factories.courses import course_for

SCHEDULES = {"mentor_of_cohort", "org_admin"}


def when(days, hours=0):
    moment = timezone.localtime() + dt.timedelta(days=days, hours=hours)
    return moment.strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def module(world):
    return course_for(world.cohort).modules.get()


def form(module, extra=None):
    return {
        "title": "Neonatal resuscitation drill",
        "place": "Skills lab",
        "starts_at": when(2),
        "ends_at": when(2, 3),
        "module": module.pk,
    } | (extra or {})


@pytest.mark.parametrize("role", ROLES)
def test_schedule_page_by_role(client, world, module, role):
    client_as(client, world.user(role))
    url = reverse("courses-session-new", args=[world.cohort.pk])
    response = client.post(url, form(module))
    if role == "anonymous":
        assert response.status_code == 302
        assert not Session.objects.exists()
        return
    if role in SCHEDULES:
        session = Session.objects.get()
        assert response.url == reverse("courses-session", args=[session.pk])
        assert (session.cohort, session.module) == (world.cohort, module)
        return
    assert response.status_code == (403 if role == "learner" else 404)
    assert not Session.objects.exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"ends_at": when(1)}, "must end after it starts"),
        ({"title": ""}, "This field is required"),
        ({"starts_at": "tomorrow"}, "Enter a valid date/time"),
        ({"module": 999999}, "Select a valid choice"),
    ],
)
def test_bad_input_re_renders_with_the_typed_values(
    client, world, module, extra, message
):
    client_as(client, world.mentor_of_cohort)
    response = client.post(
        reverse("courses-session-new", args=[world.cohort.pk]), form(module) | extra
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert "Skills lab" in body
    assert not Session.objects.exists()


def test_facilitator_must_lead_the_cohort(client, world, module):
    client_as(client, world.org_admin)
    api = reverse("api-session-list")
    payload = {
        "cohort": world.cohort.pk,
        "title": "Drill",
        "place": "Ward",
        "starts_at": (timezone.now() + dt.timedelta(days=1)).isoformat(),
        "ends_at": (timezone.now() + dt.timedelta(days=1, hours=1)).isoformat(),
        "facilitator": world.learner.pk,
    }
    response = client.post(api, payload, content_type="application/json")
    assert response.status_code == 400
    assert "facilitator" in response.json()
    payload["facilitator"] = world.mentor_of_cohort.pk
    payload["module"] = module.pk
    response = client.post(api, payload, content_type="application/json")
    assert response.status_code == 201
    assert Session.objects.get().facilitator == world.mentor_of_cohort


def test_module_must_belong_to_a_course_of_the_cohort(client, world):
    other_module = course_for(world.other_cohort).modules.get()
    client_as(client, world.mentor_of_cohort)
    response = client.post(
        reverse("api-session-list"),
        {
            "cohort": world.cohort.pk,
            "title": "Drill",
            "place": "Ward",
            "starts_at": "2030-01-01T09:00:00Z",
            "ends_at": "2030-01-01T10:00:00Z",
            "module": other_module.pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "module" in response.json()


@pytest.mark.parametrize("role", ROLES)
def test_schedule_api_by_role(client, world, role):
    client_as(client, world.user(role))
    response = client.post(
        reverse("api-session-list"),
        {
            "cohort": world.cohort.pk,
            "title": "Drill",
            "place": "Ward",
            "starts_at": "2030-01-01T09:00:00Z",
            "ends_at": "2030-01-01T10:00:00Z",
        },
        content_type="application/json",
    )
    if role == "anonymous":
        expected: set[int] = {401, 403}
    elif role in SCHEDULES:
        expected = {201}
    else:
        expected = {403} if role == "learner" else {404}
    assert response.status_code in expected
    assert Session.objects.exists() is (role in SCHEDULES)


def test_my_courses_links_mentors_to_scheduling(client, world, module):
    body = client_as(client, world.mentor_of_cohort).get(reverse("courses-home"))
    assert (
        reverse("courses-session-new", args=[world.cohort.pk]) in body.content.decode()
    )
    body = client_as(client, world.learner).get(reverse("courses-home"))
    assert "courses-session-new" not in body.content.decode()
