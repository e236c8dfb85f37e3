"""Sockets survive bad frames: an error event naming the problem, never a close.

Issue 15: a NUL byte, non-JSON text or a binary frame closed the case-room
socket with 1011, and rooms.js resent the same message on every reconnect.
"""

import asyncio
import json

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from cpd.asgi import application
from cpd.consumers import MAX_FRAME_CHARS
from cpd.models import User
from forums.rooms import services
from forums.rooms.models import RoomMessage
from tests.realtime.conftest import session_cookie
from tests.realtime.test_case_room import ORIGIN, connect, make_room, receive_kind

pytestmark = pytest.mark.django_db(transaction=True)

message_count = sync_to_async(
    lambda room: RoomMessage.objects.filter(room=room).count()
)


def message(body="fine", key="k", **extra):
    return json.dumps({"kind": "message", "body": body, "client_key": key, **extra})


# (label, text frame or bytes, expected code, expected field, echoed client key)
BAD_FRAMES = [
    ("nul in body", message("a\x00b", "nul"), "nul_byte", None, "nul"),
    ("nul in key", message("ab", "n\x00"), "nul_byte", None, "n\x00"),
    ("nul in kind", json.dumps({"kind": "pi\x00ng"}), "nul_byte", None, None),
    ("raw nul", '{"kind": "ping"}\x00', "nul_byte", None, None),
    ("not json", "hello?", "not_json", None, None),
    ("truncated json", '{"kind": "message", "bo', "not_json", None, None),
    ("nested too deep", "[" * 5000 + "]" * 5000, "not_json", None, None),
    ("binary", b"\x00\x01binary", "binary_frame", None, None),
    ("oversize", message("x" * MAX_FRAME_CHARS), "frame_too_large", None, None),
    ("a list", "[1, 2]", "not_an_object", None, None),
    ("a string", '"ping"', "not_an_object", None, None),
    ("unknown kind", json.dumps({"kind": "delete_all"}), "unknown_kind", None, None),
    ("no kind", json.dumps({"body": "hi"}), "unknown_kind", None, None),
    ("empty object", "{}", "unknown_kind", None, None),
    ("kind not a string", json.dumps({"kind": 3}), "unknown_kind", None, None),
    ("body a list", message(["a"], "t1"), "wrong_type", "body", "t1"),
    ("body a number", message(5, "t2"), "wrong_type", "body", "t2"),
    ("key a number", message("hi", 7), "wrong_type", "client_key", None),
    (
        "reply_to text",
        message("hi", "t3", reply_to="1"),
        "wrong_type",
        "reply_to",
        "t3",
    ),
    (
        "reply_to bool",
        message("hi", "t4", reply_to=True),
        "wrong_type",
        "reply_to",
        "t4",
    ),
    ("image text", message("hi", "t5", image="9"), "wrong_type", "image", "t5"),
    (
        "resume after text",
        json.dumps({"kind": "resume", "after": "3"}),
        "wrong_type",
        "after",
        None,
    ),
    ("body too long", message("x" * 2001, "long"), "too_long", "body", "long"),
    ("key too long", message("hi", "k" * 65), "too_long", "client_key", "k" * 65),
    ("no key", message("hi", ""), "required", "client_key", ""),
    ("reply_to zero", message("hi", "z", reply_to=0), "invalid", "reply_to", "z"),
    ("empty body", message("   ", "blank"), "required", "body", "blank"),
]


@pytest.mark.parametrize(
    ("frame", "code", "field", "key"),
    [pytest.param(*row[1:], id=row[0]) for row in BAD_FRAMES],
)
async def test_a_bad_frame_gets_an_error_and_the_socket_stays_open(
    channel_layer_name, frame, code, field, key
):
    room, learner, _mentor, _ = await make_room()
    a, ok, _ = await connect(learner, room)
    assert ok
    await receive_kind(a, "history")
    # when a bad frame arrives
    if isinstance(frame, bytes):
        await a.send_to(bytes_data=frame)
    else:
        await a.send_to(text_data=frame)
    # then the answer names the problem with a stable code and a message
    error = await receive_kind(a, "error")
    assert error["code"] == code
    assert error["message"]
    assert error.get("field") == field
    assert error.get("client_key") == key
    # and the same socket still takes a good message, which is the only one stored
    await a.send_to(text_data=message("Oxytocin given", "good"))
    assert (await receive_kind(a, "ack"))["client_key"] == "good"
    assert await message_count(room) == 1
    await a.disconnect()


async def test_errors_speak_the_users_language(channel_layer_name):
    room, learner, _mentor, _ = await make_room()
    await sync_to_async(User.objects.filter(pk=learner.pk).update)(
        preferred_language="fr"
    )
    a, _, _ = await connect(learner, room)
    await a.send_to(text_data=message("x" * 2001, "fr"))
    error = await receive_kind(a, "error")
    # Django's own French for a too-long value (the page form's rule)
    assert error["code"] == "too_long"
    assert "au plus 2000" in error["message"]
    await a.disconnect()


async def test_an_unexpected_failure_is_answered_not_closed(
    channel_layer_name, monkeypatch
):
    room, learner, _mentor, _ = await make_room()
    a, _, _ = await connect(learner, room)
    await receive_kind(a, "history")

    def broken(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(services, "presence_touch", broken)
    await a.send_json_to({"kind": "ping"})
    assert (await receive_kind(a, "error"))["code"] == "server_error"
    monkeypatch.undo()
    await a.send_json_to({"kind": "ping"})
    assert await receive_kind(a, "pong") == {"kind": "pong"}
    await a.disconnect()


# --- the flood throttle ----------------------------------------------------------


async def drain(communicator, seconds=0.5):
    """Every event that arrives until the socket is quiet for ``seconds``."""
    got = []
    # receive_nothing, not a timed-out receive: that would cancel the consumer.
    while not await communicator.receive_nothing(timeout=seconds):
        got.append(await communicator.receive_json_from())
    return got


async def test_a_flood_is_slowed_down_for_that_socket_only(
    channel_layer_name, settings
):
    # given an allowance of 3 frames at once, one more a second
    settings.SOCKET_FRAME_BURST = 3
    settings.SOCKET_FRAME_RATE = 1
    room, learner, mentor, _ = await make_room()
    a, _, _ = await connect(learner, room)
    b, _, _ = await connect(mentor, room)
    await drain(a, 0.3)
    await drain(b, 0.3)
    # when one socket sends 30 frames in a burst
    for _ in range(30):
        await a.send_json_to({"kind": "ping"})
    got = await drain(a)
    # then 3 are answered, the rest dropped with a single "slow down", no close
    kinds = [e["kind"] for e in got if e["kind"] != "presence"]
    assert kinds.count("pong") == 3
    slowed = [e for e in got if e["kind"] == "error"]
    assert [e["code"] for e in slowed] == ["slow_down"]
    assert slowed[0]["retry_after"] >= 1
    # and the other socket, in the same room, is not slowed at all
    for _ in range(3):
        await b.send_json_to({"kind": "ping"})
    assert [e["kind"] for e in await drain(b) if e["kind"] != "presence"] == [
        "pong"
    ] * 3
    # and once the allowance refills, the flooding socket is served again
    await asyncio.sleep(1.1)
    await a.send_to(text_data=message("after the wait", "later"))
    assert (await receive_kind(a, "ack"))["client_key"] == "later"
    await a.disconnect()
    await b.disconnect()


# --- the per-user rate limit, as on the HTTP path ---------------------------------


async def test_socket_messages_respect_the_rate_limit(channel_layer_name, settings):
    settings.RATE_LIMITS = {"room_message": (2, 60)}
    room, learner, _mentor, _ = await make_room()
    a, _, _ = await connect(learner, room)
    for i in range(3):
        await a.send_to(text_data=message(f"m{i}", f"r{i}"))
    assert (await receive_kind(a, "ack"))["client_key"] == "r0"
    assert (await receive_kind(a, "ack"))["client_key"] == "r1"
    error = await receive_kind(a, "error")
    assert (error["code"], error["client_key"], error["retry_after"]) == (
        "rate_limited",
        "r2",
        60,
    )
    assert "Wait 60 seconds" in error["message"]
    assert await message_count(room) == 2
    await a.send_json_to({"kind": "ping"})
    assert await receive_kind(a, "pong") == {"kind": "pong"}
    await a.disconnect()


# --- the per-user socket -----------------------------------------------------------


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        (b"\x01", "binary_frame"),
        ("nope", "not_json"),
        ('{"kind": "x\\u0000"}', "nul_byte"),
        ('{"kind": "subscribe"}', "unknown_kind"),
    ],
)
async def test_the_notification_socket_survives_bad_frames(
    channel_layer_name, frame, code
):
    user = await sync_to_async(make_user)()
    cookie = await sync_to_async(session_cookie)(user)
    communicator = WebsocketCommunicator(
        application, "/ws/notifications/", headers=[ORIGIN, (b"cookie", cookie)]
    )
    connected, _ = await communicator.connect()
    assert connected
    assert await communicator.receive_json_from() == {"kind": "hello"}
    if isinstance(frame, bytes):
        await communicator.send_to(bytes_data=frame)
    else:
        await communicator.send_to(text_data=frame)
    assert (await communicator.receive_json_from(timeout=5))["code"] == code
    await communicator.send_json_to({"kind": "ping"})
    assert await communicator.receive_json_from(timeout=5) == {"kind": "pong"}
    await communicator.disconnect()


def make_user():
    from tests.factories.cpd import UserFactory

    return UserFactory()
