"""rooms.js when the server refuses a message: invalid is dropped, a wait is kept.

Issue 15: a pending message with a NUL byte killed the socket, and rooms.js
resent it on every reconnect, forever, with no word to the user.
"""

import json

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.test_rooms_browser import asgi_server, phone  # noqa: F401
from tests.factories.cpd import CohortFactory, MembershipFactory, UserFactory
from tests.factories.rooms import RoomFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,  # the server process must share the test database
    pytest.mark.django_db(transaction=True),
]

NO_SOCKET = "window.WebSocket = undefined;"  # the form's fetch path


@pytest.fixture
def room():
    cohort = CohortFactory(name="Night shift")
    learner = UserFactory(email="l@example.org", display_name="Neema")
    MembershipFactory(cohort=cohort, user=learner, role="learner")
    return RoomFactory(cohort=cohort, title="Retained placenta")


def pending(page: Page, room) -> list:
    return json.loads(page.evaluate(f"localStorage.getItem('cpd-room-{room.pk}')"))


def plant(page: Page, room, items: list) -> None:
    """Messages left pending by an earlier visit (what the old client kept)."""
    page.evaluate(
        f"localStorage.setItem('cpd-room-{room.pk}', {json.dumps(json.dumps(items))})"
    )


def test_an_invalid_pending_message_is_dropped_and_explained_on_the_socket(
    browser: Browser,
    asgi_server,  # noqa: F811
    room,
):
    page = phone(browser, asgi_server, "l@example.org")
    # given a message with a NUL byte waiting from an earlier visit (planted on
    # another page, so that no room script sends it before we look)
    page.goto(f"{asgi_server}/rooms/")
    plant(page, room, [{"body": "BP 90\u0000/60", "client_key": "nul"}])
    # when the room page opens its socket and sends what is pending
    page.goto(f"{asgi_server}/rooms/{room.pk}/")
    # then the server's reason shows near the form and in the live region
    expect(page.locator("#room-error")).to_contain_text("NUL")
    expect(page.locator("#live")).to_contain_text("NUL")
    # and the message is no longer pending, its words are back in the box
    assert pending(page, room) == []
    assert "BP 90" in page.get_by_label("Message").input_value()
    # and the socket stayed open: the next message goes live at once
    expect(page.locator("#room-status")).to_have_text("Live")
    page.get_by_label("Message").fill("BP 90/60, pulse 110")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#room-messages")).to_contain_text("pulse 110")
    expect(page.locator("#room-error")).to_be_hidden()
    assert pending(page, room) == []


def test_an_invalid_message_posted_over_http_is_dropped_and_explained(
    browser: Browser,
    asgi_server,  # noqa: F811
    room,
):
    page = phone(browser, asgi_server, "l@example.org")
    page.add_init_script(NO_SOCKET)
    posts = []
    page.on(
        "request", lambda r: posts.append(r.url) if r.url.endswith("/post/") else None
    )
    page.goto(f"{asgi_server}/rooms/")
    plant(page, room, [{"body": "BP 90\u0000/60", "client_key": "nul-http"}])
    # the room page's poll sends what is pending by fetch; the server says 400
    page.goto(f"{asgi_server}/rooms/{room.pk}/")
    expect(page.locator("#room-error")).to_contain_text("Null characters")
    assert pending(page, room) == []
    # and it is not sent again by the next polls
    page.wait_for_timeout(6_000)
    assert len(posts) == 1


def test_a_rate_limited_http_post_keeps_the_message_and_shows_the_wait(
    browser: Browser,
    asgi_server,  # noqa: F811
    room,
):
    page = phone(browser, asgi_server, "l@example.org")
    page.add_init_script(NO_SOCKET)
    page.goto(f"{asgi_server}/rooms/{room.pk}/")
    wait = "You are posting too fast. Wait 2 seconds and try again."

    def too_fast(route):
        route.fulfill(
            status=429,
            headers={"Retry-After": "2", "Content-Type": "application/json"},
            body=json.dumps({"errors": {"__all__": [{"message": wait, "code": ""}]}}),
        )

    # given the server answers the post with 429
    page.route(f"**/rooms/{room.pk}/post/", too_fast)
    # when the learner sends a message
    page.get_by_label("Message").fill("Placenta not delivered after 40 min.")
    page.get_by_role("button", name="Send").click()
    # then the wait is shown and the message is kept
    expect(page.locator("#room-error")).to_have_text(wait)
    expect(page.locator("#live")).to_have_text(wait)
    assert [p["body"] for p in pending(page, room)] == [
        "Placenta not delivered after 40 min."
    ]
    # and once the wait is over it is sent again, and delivered
    page.unroute(f"**/rooms/{room.pk}/post/")
    expect(page.locator("#room-messages")).to_contain_text("40 min", timeout=10_000)
    assert pending(page, room) == []
