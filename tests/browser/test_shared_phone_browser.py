"""A shared phone: the next person never reads the last one's pages offline.

The service worker keeps a copy of each page opened (pages-v1) and the offline
page from its install. Signing out clears the copies; so must a session that
ended without signing out, and a different person signing in.
"""

import pytest
from playwright.sync_api import Page, expect

from tests.factories.cpd import PASSWORD, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CACHED = "u => caches.open('pages-v1').then(c => c.match(u)).then(r => !!r)"


def _cached(page: Page, url: str, want: bool) -> bool:
    for _ in range(50):
        if page.evaluate(CACHED, url) == want:
            return True
        page.wait_for_timeout(100)
    return False


def _sign_in(page: Page, base: str, login: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Login").fill(login)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name="Sign out")).to_be_visible()


def test_a_session_that_ended_leaves_no_pages_for_the_next_person(
    page: Page, live_server, context
):
    base = live_server.url
    user = UserFactory(email="zawadi@example.org", display_name="Zawadi Mrema")
    MembershipFactory(user=user, cohort__name="Rural midwives")
    _sign_in(page, base, "zawadi@example.org")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.goto(f"{base}/profile/")
    assert _cached(page, f"{base}/profile/", True)
    # when: her session ends without her signing out (expired, or the phone
    # handed over), and the sign-in page is shown to the next person
    context.clear_cookies(name="sessionid")
    page.goto(f"{base}/profile/")  # redirected to sign in
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert _cached(page, f"{base}/profile/", False)
    # then: offline, her profile is not shown to the next person
    context.set_offline(True)
    page.goto(f"{base}/profile/")
    expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
    expect(page.get_by_text("Zawadi Mrema")).to_have_count(0)
    expect(page.get_by_text("Rural midwives")).to_have_count(0)
    context.set_offline(False)
