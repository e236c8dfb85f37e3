"""On a 360x640 phone: a mentor answers the mentee who needs attention."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cpd.models import Role
from tests.browser.conftest import (  # noqa: F401 - fixtures for this module
    browser_context_args,
    browser_type_launch_args,
)
from tests.factories.cpd import PASSWORD, CohortFactory, MembershipFactory, UserFactory
from tests.factories.images import png
from tests.factories.mentoring import (
    ConversationFactory,
    MessageFactory,
    PairingFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, base: str, login: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Login").fill(login)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_mentor_answers_the_mentee_needing_attention_and_the_learner_sees_it(
    page: Page, live_server
):
    # given a mentor with two mentees; Baraka wrote last and waits for an answer
    # (factories, not services: this thread runs Playwright's event loop)
    cohort = CohortFactory(name="Newborn care 2026")
    mentor = UserFactory(email="mentor@example.org", display_name="Dr Wanjiku")
    neema = UserFactory(display_name="Neema", last_login=timezone.now())
    baraka = UserFactory(email="baraka@example.org", display_name="Baraka")
    MembershipFactory(cohort=cohort, user=mentor, role=Role.MENTOR)
    for learner in (neema, baraka):
        MembershipFactory(cohort=cohort, user=learner, role=Role.LEARNER)
        PairingFactory(cohort=cohort, mentor=mentor, learner=learner)
        conv = ConversationFactory(cohort=cohort, mentor=mentor, learner=learner)
    MessageFactory(conversation=conv, author=baraka, body="Help with dosing?")
    base = live_server.url

    # when the mentor opens the dashboard
    sign_in(page, base, "mentor@example.org")
    page.goto(f"{base}/mentoring/")
    page.get_by_role("link", name="My mentees").click()
    first = page.locator("li.mentee").first
    expect(first).to_contain_text("Baraka")
    expect(first).to_contain_text("Needs attention")
    page.screenshot(path="test-results/mentoring-dashboard-360.png", full_page=True)
    # and opens the mentee who needs attention, answers and schedules a check-in
    first.get_by_role("link", name="Baraka").click()
    expect(page.get_by_role("heading", name="Baraka")).to_be_visible()
    page.get_by_label("Message").fill("Use the **weight chart**; let us talk.")
    page.get_by_label("Photo (optional)").set_input_files(
        files=[{"name": "chart.png", "mimeType": "image/png", "buffer": png().read()}]
    )
    page.get_by_label("This photo shows no patient").check()
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#messages")).to_contain_text("weight chart")
    expect(page.locator("#messages img")).to_have_count(1)
    page.get_by_text("Schedule a check-in").click()
    when = timezone.localtime() + dt.timedelta(days=2)
    page.get_by_label("When").fill(when.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("How", exact=True).select_option("call")
    page.get_by_label("Agreed actions").fill("Practise the dosing table")
    page.get_by_role("button", name="Schedule").click()
    expect(page.get_by_text("Check-in scheduled.")).to_be_visible()
    page.screenshot(path="test-results/mentoring-conversation-360.png", full_page=True)

    # then the learner sees both the message and the agreed actions
    page.context.clear_cookies()
    sign_in(page, base, "baraka@example.org")
    page.goto(f"{base}/mentoring/")
    expect(page.get_by_text("Practise the dosing table")).to_be_visible()
    page.get_by_role("link", name=re.compile("Dr Wanjiku")).click()
    expect(page.locator("#messages")).to_contain_text("weight chart")
    photo = page.locator("#messages img")
    expect(photo).to_have_count(1)
    photo.scroll_into_view_if_needed()
    page.wait_for_function(  # the learner's browser really loads the private photo
        "() => { const i = document.querySelector('#messages img');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    expect(page.locator(".checkins")).to_contain_text("Practise the dosing table")
    page.screenshot(path="test-results/mentoring-learner-360.png", full_page=True)


def test_an_open_conversation_catches_up_with_new_messages(page: Page, live_server):
    cohort = CohortFactory()
    mentor = UserFactory(display_name="Dr Wanjiku")
    learner = UserFactory(email="neema@example.org", display_name="Neema")
    MembershipFactory(cohort=cohort, user=mentor, role=Role.MENTOR)
    MembershipFactory(cohort=cohort, user=learner, role=Role.LEARNER)
    PairingFactory(cohort=cohort, mentor=mentor, learner=learner)
    conv = ConversationFactory(cohort=cohort, mentor=mentor, learner=learner)
    MessageFactory(conversation=conv, author=learner, body="First")
    page.clock.install()
    sign_in(page, live_server.url, "neema@example.org")
    page.goto(f"{live_server.url}/mentoring/conversations/{conv.pk}/")
    expect(page.locator("#messages")).to_contain_text("First")
    # when the mentor answers while the page is open
    MessageFactory(conversation=conv, author=mentor, body="Answer *arrives*")
    page.clock.run_for(21_000)
    # then it appears once, rendered, without a reload
    expect(page.locator("#messages em")).to_have_text("arrives")
    page.clock.run_for(21_000)
    expect(page.locator("#messages li.message")).to_have_count(2)
