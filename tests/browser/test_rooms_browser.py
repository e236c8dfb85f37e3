"""A learner and a mentor talk live in a case room, each on a phone."""

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection
from playwright.sync_api import Browser, Page, expect

from tests.factories.cpd import PASSWORD, CohortFactory, MembershipFactory, UserFactory
from tests.factories.rooms import RoomFactory
from tests.realtime.conftest import stop

ROOT = Path(__file__).resolve().parents[2]
PHONE = {"width": 360, "height": 640}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,  # the server process must share the test database
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def asgi_server():
    """A real daphne process (HTTP + WebSockets) on the test database."""
    s = connection.settings_dict
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cpd.settings.test",
        "DATABASE_URL": f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:"
        f"{s['PORT'] or 5432}/{s['NAME']}",
        "CHANNEL_LAYER_PREFIX": f"br-{uuid.uuid4().hex[:6]}",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
         "cpd.asgi:application"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.2)
    yield f"http://127.0.0.1:{port}"
    stop(proc)


def phone(browser: Browser, base: str, login: str) -> Page:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Login").fill(login)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")
    return page


def test_learner_and_mentor_exchange_messages_live(browser: Browser, asgi_server):
    cohort = CohortFactory(name="Night shift")
    learner = UserFactory(email="l@example.org", display_name="Neema")
    mentor = UserFactory(email="m@example.org", display_name="Dr Otieno")
    MembershipFactory(cohort=cohort, user=learner, role="learner")
    MembershipFactory(cohort=cohort, user=mentor, role="mentor")
    room = RoomFactory(cohort=cohort, title="Retained placenta")
    learner_page = phone(browser, asgi_server, "l@example.org")
    mentor_page = phone(browser, asgi_server, "m@example.org")
    for page in (learner_page, mentor_page):
        page.goto(f"{asgi_server}/rooms/{room.pk}/")
        expect(page.locator("#room-status")).to_have_text("Live")
    # the learner asks; the mentor sees it without reloading
    learner_page.get_by_label("Message").fill("Placenta not delivered after 40 min.")
    learner_page.get_by_role("button", name="Send").click()
    expect(mentor_page.locator("#room-messages")).to_contain_text("40 min")
    expect(mentor_page.locator("#room-here")).to_contain_text("Neema")
    # the mentor answers; the learner sees it live
    mentor_page.get_by_label("Message").fill("Controlled cord traction, then call me.")
    mentor_page.get_by_role("button", name="Send").click()
    expect(learner_page.locator("#room-messages")).to_contain_text("cord traction")
    # each message appears once on each phone
    expect(learner_page.locator("#room-messages li")).to_have_count(2)
    expect(mentor_page.locator("#room-messages li")).to_have_count(2)
    learner_page.screenshot(path="test-results/room-360.png", full_page=True)
