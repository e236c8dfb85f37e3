"""A page the learner opened can be read again with no network."""

import pytest
from playwright.sync_api import Page, expect

from tests.factories.cpd import PASSWORD, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_opened_page_is_readable_offline(page: Page, live_server, context):
    user = UserFactory(email="offline@example.org", display_name="Zuhura")
    MembershipFactory(user=user, cohort__name="Rural midwives")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Login").fill("offline@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Hello, Zuhura")).to_be_visible()
    # the service worker takes control, then the page is visited once more online
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.goto(f"{live_server.url}/cohorts/")  # not visited: not cached
    # when the network drops
    context.set_offline(True)
    page.goto(f"{live_server.url}/")
    # then the visited page still reads, and an unvisited one explains why not
    expect(page.get_by_role("link", name="Rural midwives")).to_be_visible()
    page.goto(f"{live_server.url}/profile/")
    expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
    context.set_offline(False)
