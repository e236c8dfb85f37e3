"""Mentoring API: same permissions as the pages, field errors for bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from mentoring.models import Message, Pairing, PairingChange
from tests.conftest import ROLES
from tests.factories.mentoring import SpecialtyFactory


def _as(api_client, world, role):
    user = world.user(role)
    if user.is_authenticated:
        api_client.force_authenticate(user)
    return api_client


ANON = 403  # DRF with session/token auth: unauthenticated is 403


@pytest.mark.parametrize("role", ROLES)
def test_conversation_messages_by_role(api_client, world, paired, role):
    conv_a, _ = paired
    url = reverse("api-conversation-messages", args=[conv_a.pk])
    response = _as(api_client, world, role).get(url)
    expected = {"learner": 200, "mentor_of_cohort": 200, "anonymous": ANON}
    assert response.status_code == expected.get(role, 404)
    if response.status_code == 200:
        assert any("SECRET" in m["body"] for m in response.json())


@pytest.mark.parametrize("role", ROLES)
def test_conversation_list_shows_only_ones_own(api_client, world, paired, role):
    response = _as(api_client, world, role).get(reverse("api-conversations"))
    if role == "anonymous":
        assert response.status_code == ANON
        return
    ids = {c["id"] for c in response.json()["results"]}
    conv_a, conv_b = paired
    assert (conv_a.pk in ids) == (role in {"learner", "mentor_of_cohort"})
    assert (conv_b.pk in ids) == (role == "other_mentor")


@pytest.mark.parametrize("role", ROLES)
def test_pairings_list_by_role(api_client, world, paired, role):
    url = reverse("api-pairings", args=[world.cohort.pk])
    response = _as(api_client, world, role).get(url)
    if role in {"learner", "mentor_of_cohort", "org_admin"}:
        assert response.status_code == 200
        assert len(response.json()["results"]) == 1
    else:
        assert response.status_code == (ANON if role == "anonymous" else 404)


@pytest.mark.parametrize("role", ROLES)
def test_mentor_load_by_role_shows_no_bodies(api_client, world, paired, role):
    url = reverse("api-mentor-load", args=[world.cohort.pk])
    response = _as(api_client, world, role).get(url)
    expected = {
        "org_admin": 200,
        "learner": 403,
        "mentor_of_cohort": 403,
        "anonymous": ANON,
    }
    assert response.status_code == expected.get(role, 404)
    if response.status_code == 200:
        data = response.json()
        assert data["mentors"][0]["mentees"] == 1
        assert data["mentors"][0]["messages_answered"] == 0
        assert data["messages"] == 2
        assert "SECRET" not in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_mentee_dashboard_api_by_role(api_client, world, paired, role):
    url = reverse("api-mentor-dashboard", args=[world.cohort.pk])
    response = _as(api_client, world, role).get(url)
    expected = {
        "mentor_of_cohort": 200,
        "learner": 403,
        "org_admin": 403,
        "anonymous": ANON,
    }
    assert response.status_code == expected.get(role, 404)
    if response.status_code == 200:
        (row,) = response.json()
        assert row["learner"]["id"] == world.learner.pk
        assert row["unanswered"] == 1


def test_post_message_and_catch_up_after_id(api_client, world, paired):
    conv_a, _ = paired
    url = reverse("api-conversation-messages", args=[conv_a.pk])
    last = conv_a.messages.latest("id").pk
    api_client.force_authenticate(world.learner)
    created = api_client.post(url, {"body": "_hi_"}, format="json")
    assert created.status_code == 201
    assert created.json()["body_html"] == "<p><em>hi</em></p>"
    after = api_client.get(url, {"after": last}).json()
    assert [m["id"] for m in after] == [created.json()["id"]]


def test_empty_message_is_a_field_error(api_client, world, paired):
    conv_a, _ = paired
    api_client.force_authenticate(world.learner)
    url = reverse("api-conversation-messages", args=[conv_a.pk])
    response = api_client.post(url, {"body": ""}, format="json")
    assert response.status_code == 400
    assert "body" in response.json()


def test_unread_counts_drop_after_reading(api_client, world, paired):
    conv_a, _ = paired
    api_client.force_authenticate(world.mentor_of_cohort)
    listed = api_client.get(reverse("api-conversations")).json()["results"]
    assert listed[0]["unread"] == 1
    api_client.get(reverse("api-conversation-messages", args=[conv_a.pk]))
    listed = api_client.get(reverse("api-conversations")).json()["results"]
    assert listed[0]["unread"] == 0


def test_report_makes_the_body_visible_to_the_admin_only(api_client, world, paired):
    conv_a, _ = paired
    message = conv_a.messages.get(body__contains="SECRET")
    api_client.force_authenticate(world.mentor_of_cohort)
    url = reverse("api-message-report", args=[message.pk])
    assert api_client.post(url, {"reason": ""}, format="json").status_code == 400
    assert api_client.post(url, {"reason": "abuse"}, format="json").status_code == 204
    assert Message.objects.get(pk=message.pk).reported_by == world.mentor_of_cohort


def test_one_cannot_report_ones_own_message(api_client, world, paired):
    conv_a, _ = paired
    message = conv_a.messages.get(body__contains="SECRET")
    api_client.force_authenticate(world.learner)
    url = reverse("api-message-report", args=[message.pk])
    assert api_client.post(url, {"reason": "x"}, format="json").status_code == 403


def test_checkins_api_mentor_schedules_learner_sees_actions_not_notes(
    api_client, world, paired
):
    conv_a, _ = paired
    url = reverse("api-conversation-checkins", args=[conv_a.pk])
    api_client.force_authenticate(world.mentor_of_cohort)
    when = (timezone.now() + dt.timedelta(days=2)).isoformat()
    created = api_client.post(
        url,
        {"scheduled_for": when, "mode": "message", "agreed_actions": "Do quiz"},
        format="json",
    )
    assert created.status_code == 201
    detail = reverse("api-checkin", args=[created.json()["id"]])
    patched = api_client.patch(detail, {"notes": "private note"}, format="json")
    assert patched.status_code == 200
    api_client.force_authenticate(world.learner)
    (item,) = api_client.get(url).json()
    assert item["agreed_actions"] == "Do quiz"
    assert "notes" not in item
    assert api_client.post(
        url, {"scheduled_for": when, "mode": "call"}
    ).status_code == (403)
    assert api_client.patch(detail, {"done": True}, format="json").status_code == 403


def test_checkin_with_bad_mode_is_a_field_error(api_client, world, paired):
    conv_a, _ = paired
    api_client.force_authenticate(world.mentor_of_cohort)
    url = reverse("api-conversation-checkins", args=[conv_a.pk])
    response = api_client.post(
        url, {"scheduled_for": "soon", "mode": "fax"}, format="json"
    )
    assert response.status_code == 400
    assert {"scheduled_for", "mode"} <= set(response.json())


def test_admin_previews_confirms_and_reassigns_through_the_api(
    api_client, world, django_capture_on_commit_callbacks
):
    api_client.force_authenticate(world.org_admin)
    cohort = world.cohort.pk
    # the preview is a pairing run (202); eager Celery finishes it on commit
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            reverse("api-pairing-preview", args=[cohort]),
            {"mode": "one_to_one"},
            format="json",
        )
    assert response.status_code == 202
    preview = api_client.get(response.json()["url"]).json()
    assert preview["pairs"] == [
        {
            "learner": world.learner.pk,
            "mentor": world.mentor_of_cohort.pk,
            "fit": ["language", "district"],
        }
    ]
    confirmed = api_client.post(
        reverse("api-pairing-confirm", args=[cohort]),
        {"mode": "one_to_one", "pairs": preview["pairs"]},
        format="json",
    )
    assert confirmed.status_code == 201
    unpaired = api_client.post(
        reverse("api-pairing-reassign", args=[cohort]),
        {"learner": world.learner.pk, "mentor": None, "reason": "left"},
        format="json",
    )
    assert unpaired.status_code == 200
    assert not Pairing.objects.filter(active=True).exists()
    assert PairingChange.objects.count() == 2


@pytest.mark.parametrize("role", ["learner", "mentor_of_cohort"])
def test_non_admins_cannot_preview(api_client, world, role):
    response = _as(api_client, world, role).post(
        reverse("api-pairing-preview", args=[world.cohort.pk]),
        {"mode": "one_to_one"},
        format="json",
    )
    assert response.status_code == 403


def test_outsider_gets_404_for_another_cohorts_preview(api_client, world):
    response = _as(api_client, world, "other_org_admin").post(
        reverse("api-pairing-preview", args=[world.cohort.pk]),
        {"mode": "one_to_one"},
        format="json",
    )
    assert response.status_code == 404


def test_mentor_profile_me_put_and_get(api_client, world):
    specialty = SpecialtyFactory()
    api_client.force_authenticate(world.mentor_of_cohort)
    url = reverse("api-mentor-profile-me")
    assert api_client.get(url).status_code == 404
    response = api_client.put(
        url,
        {"specialties": [specialty.pk], "languages": ["sw"], "capacity": 3},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["specialties"][0]["id"] == specialty.pk
    assert api_client.get(url).json()["capacity"] == 3
    bad = api_client.put(url, {"languages": [], "capacity": -1}, format="json")
    assert bad.status_code == 400
    assert {"languages", "capacity"} <= set(bad.json())


def test_mentor_profiles_list_is_scoped_to_ones_cohorts(api_client, world):
    from tests.factories.mentoring import MentorProfileFactory

    MentorProfileFactory(user=world.mentor_of_cohort)
    MentorProfileFactory(user=world.other_mentor)
    api_client.force_authenticate(world.learner)
    ids = {
        p["user"]["id"]
        for p in api_client.get(reverse("api-mentor-profiles")).json()["results"]
    }
    assert ids == {world.mentor_of_cohort.pk}
