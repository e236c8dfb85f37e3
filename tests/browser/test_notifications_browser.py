"""Faith's bell counts a reply to her thread live, on a phone, without a reload."""

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, expect

from cpd.notifications.models import Notification
from forums.services.forums import forum_for_cohort
from forums.services.posting import thread_create
from tests.browser.test_rooms_browser import asgi_server, phone  # noqa: F401
from tests.factories.cpd import CohortFactory, MembershipFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,  # the server process must share the test database
    pytest.mark.django_db(transaction=True),
]


def test_the_bell_counts_a_reply_live(browser: Browser, asgi_server):  # noqa: F811
    cohort = CohortFactory(name="Maternity A")
    faith = UserFactory(email="faith@example.org", display_name="Faith")
    mentor = UserFactory(email="mentor@example.org", display_name="Dr Achieng")
    MembershipFactory(cohort=cohort, user=faith, role="learner")
    MembershipFactory(cohort=cohort, user=mentor, role="mentor")
    thread, _ = thread_create(
        actor=faith,
        forum=forum_for_cohort(cohort),
        title="Heavy bleeding after birth",
        body="What do I check first?",
    )
    faith_page = phone(browser, asgi_server, "faith@example.org")
    mentor_page = phone(browser, asgi_server, "mentor@example.org")
    bell = faith_page.locator("#bell-count")
    expect(bell).to_be_hidden()
    # give the socket a moment to open before the event it must carry (the
    # channel layer keeps no backlog; the inbox is the catch-up)
    faith_page.wait_for_timeout(1500)
    mentor_page.goto(asgi_server + reverse("forums-thread", args=[thread.pk]))
    mentor_page.get_by_label("Message").fill("Check the uterus is firm, then massage.")
    mentor_page.get_by_role("button", name="Send reply").click()
    # Faith's page was not reloaded: the bell shows one new notification
    expect(bell).to_have_text("1", timeout=15000)
    expect(bell).to_be_visible()
    faith_page.screenshot(path="test-results/bell-360.png", full_page=True)
    # the inbox holds it once, and the plain page shows it without JS
    assert Notification.objects.filter(user=faith, kind="forums.reply").count() == 1
    faith_page.goto(f"{asgi_server}/notifications/")
    expect(faith_page.locator("ul.list li")).to_have_count(1)
    expect(faith_page.locator("ul.list")).to_contain_text("Heavy bleeding")
