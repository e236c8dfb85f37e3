"""The per-user notification socket, over the in-memory and the Redis layer."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from cpd import services
from cpd.asgi import application
from cpd.consumers import CLOSE_UNAUTHENTICATED
from tests.factories.cpd import CohortFactory, UserFactory
from tests.realtime.conftest import session_cookie

pytestmark = pytest.mark.django_db(transaction=True)


def _communicator(cookie: bytes | None = None, origin=b"http://127.0.0.1:8000"):
    headers = [(b"origin", origin)]
    if cookie:
        headers.append((b"cookie", cookie))
    return WebsocketCommunicator(application, "/ws/notifications/", headers=headers)


async def test_anonymous_socket_is_refused(channel_layer_name):
    communicator = _communicator()
    connected, code = await communicator.connect()
    assert not connected
    assert code == CLOSE_UNAUTHENTICATED
    await communicator.disconnect()


async def test_foreign_origin_is_refused(channel_layer_name):
    user = await sync_to_async(UserFactory)()
    cookie = await sync_to_async(session_cookie)(user)
    communicator = _communicator(cookie, origin=b"https://evil.example")
    connected, _ = await communicator.connect()
    assert not connected
    await communicator.disconnect()


async def test_user_hears_when_added_to_a_cohort(channel_layer_name):
    # given a signed-in user with an open socket
    user = await sync_to_async(UserFactory)()
    cookie = await sync_to_async(session_cookie)(user)
    communicator = _communicator(cookie)
    connected, _ = await communicator.connect()
    assert connected
    assert await communicator.receive_json_from() == {"kind": "hello"}
    # when an administrator adds them to a cohort (published after commit)
    cohort = await sync_to_async(CohortFactory)(name="Night shift midwives")
    await sync_to_async(services.membership_add)(
        cohort=cohort, user=user, role="learner"
    )
    # then the event arrives on their socket
    event = await communicator.receive_json_from(timeout=5)
    assert event["kind"] == "membership.created"
    assert event["cohort"] == "Night shift midwives"
    await communicator.disconnect()


async def test_heartbeat_is_answered(channel_layer_name):
    user = await sync_to_async(UserFactory)()
    communicator = _communicator(await sync_to_async(session_cookie)(user))
    await communicator.connect()
    await communicator.receive_json_from()
    await communicator.send_json_to({"kind": "ping"})
    assert await communicator.receive_json_from() == {"kind": "pong"}
    await communicator.disconnect()


async def test_other_users_events_do_not_arrive(channel_layer_name):
    user, other = await sync_to_async(UserFactory.create_batch)(2)
    communicator = _communicator(await sync_to_async(session_cookie)(user))
    await communicator.connect()
    await communicator.receive_json_from()
    cohort = await sync_to_async(CohortFactory)()
    await sync_to_async(services.membership_add)(
        cohort=cohort, user=other, role="learner"
    )
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()
