"""The inbox, its API and the settings page: each person sees only their own."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cpd.notifications.models import Mode, Notification, Preference
from tests.conftest import ROLES, client_as


@pytest.fixture
def note(world):
    return Notification.objects.create(
        user=world.learner, kind="forums.reply", text="Mentor A replied", url="/forums/"
    )


@pytest.mark.parametrize("role", ROLES)
def test_the_inbox_shows_only_ones_own(client, world, note, role):
    client_as(client, world.user(role))
    page = client.get(reverse("notifications"))
    if role == "anonymous":
        assert page.status_code == 302
        return
    assert page.status_code == 200
    assert ("Mentor A replied" in page.content.decode()) is (role == "learner")
    opened = client.get(reverse("notification-open", args=[note.pk]))
    assert opened.status_code == (302 if role == "learner" else 404)
    api = client.get(reverse("api-notifications"))
    assert [n["id"] for n in api.json()["results"]] == (
        [note.pk] if role == "learner" else []
    )
    read = client.post(reverse("api-notification-read", args=[note.pk]))
    assert read.status_code == (200 if role == "learner" else 404)
    note.refresh_from_db()
    assert (note.read_at is not None) is (role == "learner")


def test_opening_marks_read_and_goes_where_it_points(client, world, note):
    client_as(client, world.learner)
    response = client.get(reverse("notification-open", args=[note.pk]))
    assert response.url == "/forums/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_an_outside_link_is_not_followed(client, world):
    evil = Notification.objects.create(
        user=world.learner, kind="x", text="t", url="https://evil.example/"
    )
    client_as(client, world.learner)
    response = client.get(reverse("notification-open", args=[evil.pk]))
    assert response.url == reverse("notifications")


def test_mark_all_read(client, world, note):
    Notification.objects.create(user=world.learner, kind="x", text="two")
    other = Notification.objects.create(user=world.mentor_of_cohort, kind="x", text="m")
    client_as(client, world.learner)
    client.post(reverse("notifications-read-all"))
    assert not Notification.objects.filter(user=world.learner, read_at__isnull=True)
    other.refresh_from_db()
    assert other.read_at is None


def test_the_inbox_costs_the_same_for_ten_times_the_notifications(
    client, world, django_assert_max_num_queries
):
    client_as(client, world.learner)
    for n in range(40):
        Notification.objects.create(user=world.learner, kind="x", text=f"n{n}")
    with django_assert_max_num_queries(8):
        assert client.get(reverse("notifications")).status_code == 200


def test_settings_page_saves_modes_and_quiet_hours(client, world):
    client_as(client, world.learner)
    url = reverse("notifications-preferences")
    page = client.get(url)
    assert page.status_code == 200
    data: dict[str, str] = dict.fromkeys(page.context["form"].fields, str(Mode.OFF))
    data.update({"starts": "22:00", "ends": "06:00", "time_zone": "Africa/Nairobi"})
    response = client.post(url, data)
    assert response.status_code == 302
    assert Preference.objects.filter(user=world.learner, mode=Mode.OFF).count() == len(
        page.context["form"].fields
    )
    bad = client.post(url, {**data, "time_zone": "Mars/Olympus"})
    assert bad.status_code == 400
    assert "Unknown time zone." in bad.content.decode()


def test_preferences_api_refuses_unknown_values(api_client, world):
    api_client.force_authenticate(world.learner)
    url = reverse("api-notification-preferences")
    rows = api_client.get(url).json()
    assert {"kind": "forums.reply", "channel": "sms", "mode": "off"} in rows
    ok = api_client.put(
        url,
        [{"kind": "forums.reply", "channel": "sms", "mode": "immediate"}],
        format="json",
    )
    assert ok.status_code == 200
    assert {"kind": "forums.reply", "channel": "sms", "mode": "immediate"} in ok.json()
    bad = api_client.put(
        url, [{"kind": "forums.reply", "channel": "fax", "mode": "on"}], format="json"
    )
    assert bad.status_code == 400
    unknown = api_client.put(
        url, [{"kind": "nope", "channel": "sms", "mode": "off"}], format="json"
    )
    assert unknown.status_code == 400


def test_push_subscriptions_must_be_https(api_client, world):
    api_client.force_authenticate(world.learner)
    url = reverse("api-push-subscription")
    good = {"endpoint": "https://push.example/a", "p256dh": "k", "auth": "a"}
    assert api_client.post(url, good, format="json").status_code == 201
    bad = api_client.post(
        url, {**good, "endpoint": "http://x.example/a"}, format="json"
    )
    assert bad.status_code == 400
    assert (
        api_client.delete(
            url, {"endpoint": good["endpoint"]}, format="json"
        ).status_code
        == 204
    )
