"""Room pages and API by role; the HTTP path works like the socket."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cpd import services as cpd_services
from forums.rooms import services
from forums.rooms.models import RoomMessage
from tests.conftest import ROLES, client_as
from tests.factories.cpd import UserFactory
from tests.factories.rooms import RoomFactory

SEES = {"learner", "mentor_of_cohort", "org_admin"}
CONTROLS = {"mentor_of_cohort", "org_admin"}


@pytest.fixture
def room(world):
    return RoomFactory(cohort=world.cohort, title="PPH at home")


@pytest.mark.parametrize("role", ROLES)
def test_room_page_by_role(client, world, room, role):
    response = client_as(client, world.user(role)).get(
        reverse("rooms-room", args=[room.pk])
    )
    if role == "anonymous":
        assert response.status_code == 302
    elif role in SEES:
        assert response.status_code == 200
        assert ("Room controls" in response.content.decode()) is (role in CONTROLS)
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_room_list_shows_only_own_cohorts(client, world, room, role):
    response = client_as(client, world.user(role)).get(reverse("rooms-home"))
    if role == "anonymous":
        assert response.status_code == 302
        return
    assert ("PPH at home" in response.content.decode()) is (role in SEES)


def test_room_list_creates_the_standing_room(client, world):
    body = client_as(client, world.learner).get(reverse("rooms-home")).content.decode()
    assert "Cohort room" in body
    assert "Cohort A" in body


def test_form_post_twice_with_one_key_stores_once(client, world, room):
    client_as(client, world.learner)
    url = reverse("rooms-post", args=[room.pk])
    data = {"body": "BP 90/60", "client_key": "form-1"}
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    assert RoomMessage.objects.filter(room=room).count() == 1


def test_form_bad_input_rerenders_and_keeps_the_text(client, world, room):
    client_as(client, world.learner)
    response = client.post(
        reverse("rooms-post", args=[room.pk]), {"body": "x" * 2001, "client_key": "k"}
    )
    assert response.status_code == 400
    assert "x" * 100 in response.content.decode()


def test_poll_returns_messages_after_an_id(client, world, room):
    for i in range(3):
        services.message_post(
            actor=world.learner, room=room, body=f"m{i}", client_key=str(i)
        )
    client_as(client, world.mentor_of_cohort)
    data = client.get(reverse("rooms-poll", args=[room.pk]) + "?after=1").json()
    assert [m["seq"] for m in data["messages"]] == [2, 3]
    assert client.get(reverse("rooms-poll", args=[room.pk]) + "?after=x").json()[
        "messages"
    ]


def test_outsider_cannot_poll_or_post(client, world, room):
    client_as(client, world.outsider)
    assert client.get(reverse("rooms-poll", args=[room.pk])).status_code == 404
    post = client.post(
        reverse("rooms-post", args=[room.pk]), {"body": "x", "client_key": "k"}
    )
    assert post.status_code == 404


@pytest.mark.parametrize(
    ("role", "status"), [("learner", 403), ("mentor_of_cohort", 302), ("outsider", 404)]
)
def test_close_by_role(client, world, room, role, status):
    client_as(client, world.user(role))
    response = client.post(reverse("rooms-control", args=[room.pk, "close"]))
    assert response.status_code == status


def test_mentor_archives_and_lands_on_the_thread(client, world, room):
    services.message_post(actor=world.learner, room=room, body="Case?", client_key="a")
    client_as(client, world.mentor_of_cohort)
    response = client.post(reverse("rooms-control", args=[room.pk, "archive"]))
    assert response.status_code == 302
    assert "/forums/t/" in response["Location"]


def test_mentor_opens_a_case_room_and_bad_input_is_kept(client, world):
    client_as(client, world.mentor_of_cohort)
    url = reverse("rooms-new", args=[world.cohort.pk])
    bad = client.post(url, {"title": "", "case_summary": "Seizure, 34 weeks"})
    assert bad.status_code == 400
    assert "Seizure, 34 weeks" in bad.content.decode()
    ok = client.post(url, {"title": "Eclampsia", "case_summary": "Seizure"})
    assert ok.status_code == 302
    client_as(client, world.learner)
    assert client.get(url).status_code == 403


def test_hide_by_form(client, world, room):
    services.message_post(actor=world.learner, room=room, body="Jane", client_key="a")
    client_as(client, world.mentor_of_cohort)
    client.post(reverse("rooms-hide", args=[room.pk, 1]), {"reason": "a name"})
    assert RoomMessage.objects.get(room=room, seq=1).is_hidden


# --- API ---


@pytest.mark.parametrize("role", ROLES)
def test_api_room_detail_and_messages_by_role(api_client, world, room, role):
    user = world.user(role)
    if user.is_authenticated:
        api_client.force_authenticate(user)
    detail = api_client.get(reverse("api-room-detail", args=[room.pk]))
    msgs = api_client.get(reverse("api-room-messages", args=[room.pk]))
    if role == "anonymous":
        assert detail.status_code in (401, 403)
    elif role in SEES:
        assert detail.status_code == 200
        assert msgs.status_code == 200
    else:
        assert (detail.status_code, msgs.status_code) == (404, 404)


def test_api_post_is_idempotent_and_reports_field_errors(api_client, world, room):
    api_client.force_authenticate(world.learner)
    url = reverse("api-room-messages", args=[room.pk])
    first = api_client.post(url, {"body": "hi", "client_key": "api-1"}, format="json")
    again = api_client.post(url, {"body": "hi", "client_key": "api-1"}, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["seq"] == again.json()["seq"] == 1
    bad = api_client.post(url, {"body": "x" * 2001}, format="json")
    assert bad.status_code == 400
    assert set(bad.json()) == {"body", "client_key"}
    page = api_client.get(url + "?after=0").json()
    assert [m["seq"] for m in page["messages"]] == [1]
    assert api_client.get(url + "?after=-3").status_code == 400


def test_api_image_from_another_cohort_is_a_field_error(api_client, world, room):
    """Someone else's image id, like a missing one, is refused on ``image``."""
    from tests.factories.images import png

    image = cpd_services.image_upload(
        actor=world.other_learner,
        cohort=world.other_cohort,
        file=png(),
        no_identifiers_confirmed=True,
    )
    api_client.force_authenticate(world.learner)
    response = api_client.post(
        reverse("api-room-messages", args=[room.pk]),
        {"body": "look", "client_key": "img", "image": image.pk},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"image"}
    missing = api_client.post(
        reverse("api-room-messages", args=[room.pk]),
        {"body": "look", "client_key": "img", "image": image.pk + 1000},
        format="json",
    )
    assert missing.status_code == 400
    assert missing.json() == response.json()


# --- query budgets ---


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _grow(world, room, n):
    people = UserFactory.create_batch(3)
    for user in people:
        cpd_services.membership_add(cohort=world.cohort, user=user, role="learner")
    for i in range(n):
        services.message_post(
            actor=people[i % 3],
            room=room,
            body=f"**m{i}**",
            client_key=f"g{room.last_seq}-{i}",
            reply_to_seq=1 if i else None,
        )


@pytest.mark.parametrize("name", ["rooms-room", "rooms-poll", "api-room-messages"])
def test_room_page_costs_the_same_with_ten_times_the_messages(
    client, world, room, name, settings
):
    settings.RATE_LIMITS = {"room_message": (1000, 60)}
    _grow(world, room, 4)
    client_as(client, world.learner)
    url = reverse(name, args=[room.pk])
    small = _count(client, url + ("?after=0" if name != "rooms-room" else ""))
    assert small <= 10
    _grow(world, room, 40)
    assert _count(client, url + ("?after=0" if name != "rooms-room" else "")) == small


def test_room_list_costs_the_same_with_ten_times_the_rooms(client, world):
    for _ in range(2):
        RoomFactory(cohort=world.cohort)
    client_as(client, world.learner)
    client.get(reverse("rooms-home"))  # the first visit creates the standing room
    small = _count(client, reverse("rooms-home"))
    assert small <= 10
    for _ in range(20):
        RoomFactory(cohort=world.cohort)
    assert _count(client, reverse("rooms-home")) == small


def test_photo_needs_the_confirmation_and_is_stored_without_metadata(
    client, world, room
):
    from tests.factories.images import jpeg_with_gps

    client_as(client, world.learner)
    url = reverse("rooms-post", args=[room.pk])
    refused = client.post(
        url, {"body": "See the wound", "client_key": "p1", "image": jpeg_with_gps()}
    )
    assert refused.status_code == 400
    assert "no patient name" in refused.content.decode()
    assert "See the wound" in refused.content.decode()
    ok = client.post(
        url,
        {
            "body": "See the wound",
            "client_key": "p2",
            "image": jpeg_with_gps(),
            "no_identifiers_confirmed": "on",
        },
    )
    assert ok.status_code == 302
    message = RoomMessage.objects.get(room=room)
    assert message.image.cohort == world.cohort
    page = client.get(reverse("rooms-room", args=[room.pk])).content.decode()
    assert f"/images/{message.image_id}/small/" in page


def test_reply_link_prefills_and_the_reply_points_back(client, world, room):
    services.message_post(
        actor=world.mentor_of_cohort, room=room, body="Q", client_key="q"
    )
    client_as(client, world.learner)
    page = client.get(reverse("rooms-room", args=[room.pk]) + "?reply=1")
    assert "Replying to #1" in page.content.decode()
    client.post(
        reverse("rooms-post", args=[room.pk]),
        {"body": "A", "client_key": "a", "reply_to": "1"},
    )
    assert RoomMessage.objects.get(room=room, seq=2).reply_to.seq == 1


# --- refusals the page and its script can act on (issue 15) ---


def test_form_answers_a_rate_limit_with_429_and_keeps_the_text(
    client, world, room, settings
):
    # given a limit of one message a minute, already used
    settings.RATE_LIMITS = {"room_message": (1, 60)}
    client_as(client, world.learner)
    url = reverse("rooms-post", args=[room.pk])
    assert client.post(url, {"body": "first", "client_key": "r1"}).status_code == 302
    # when the form posts again
    response = client.post(url, {"body": "Second, kept", "client_key": "r2"})
    # then the page says how long to wait, keeps what was written, and is a 429
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    page = response.content.decode()
    assert "Wait 60 seconds" in page
    assert "Second, kept" in page
    assert RoomMessage.objects.filter(room=room).count() == 1


def test_script_post_gets_429_with_the_wait_on_a_rate_limit(
    client, world, room, settings
):
    settings.RATE_LIMITS = {"room_message": (1, 60)}
    client_as(client, world.learner)
    url = reverse("rooms-post", args=[room.pk])
    json = {"HTTP_ACCEPT": "application/json"}
    assert (
        client.post(url, {"body": "one", "client_key": "j1"}, **json).status_code == 201
    )
    response = client.post(url, {"body": "two", "client_key": "j2"}, **json)
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert "Wait 60 seconds" in response.json()["errors"]["__all__"][0]["message"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"body": "a\x00b", "client_key": "n1"}, "body"),
        ({"body": "x" * 2001, "client_key": "n2"}, "body"),
        ({"body": "ok", "client_key": "k" * 65}, "client_key"),
    ],
)
def test_script_post_of_bad_input_is_a_400_naming_the_field(
    client, world, room, data, field
):
    client_as(client, world.learner)
    response = client.post(
        reverse("rooms-post", args=[room.pk]), data, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert not RoomMessage.objects.filter(room=room).exists()
