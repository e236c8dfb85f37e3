"""The case room's message list is a polite live region (WCAG 4.1.3)."""

import re

import pytest
from django.urls import reverse

from forums.rooms import services
from tests.conftest import client_as
from tests.factories.rooms import RoomFactory

pytestmark = pytest.mark.django_db


def test_message_list_is_a_polite_log_that_new_messages_join(client, world):
    room = RoomFactory(cohort=world.cohort, title="PPH at home")
    services.message_post(
        actor=world.mentor_of_cohort, room=room, body="Fundal height?", client_key="k"
    )
    page = client_as(client, world.learner).get(reverse("rooms-room", args=[room.pk]))
    html = page.content.decode()
    # the region wraps the <ol> (role=log on the <ol> would orphan its <li>s)
    region = re.search(
        r'<div[^>]*id="room-log"[^>]*>\s*<ol[^>]*id="room-messages"', html
    )
    assert region, "the message list is not inside the live region"
    tag = region.group(0)
    assert 'role="log"' in tag
    assert 'aria-live="polite"' in tag
    assert 'aria-relevant="additions"' in tag
    assert 'aria-labelledby="room-title"' in tag  # named by the room's title
    assert '<h1 id="room-title">PPH at home</h1>' in html
    # the messages (and so the ones rooms.js appends) are inside the region
    start = html.index(tag)
    end = html.index("</div>", html.index("</ol>", start))
    assert start < html.index("Fundal height?") < end
