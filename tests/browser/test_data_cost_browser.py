"""Data saver and data cost at 360x640: the footer's page cost, the tap-to-load
photo, the profile's monthly figure counted by the service worker, and axe-core."""

from __future__ import annotations

import re
import threading

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.factories.cpd import PASSWORD, MembershipFactory, UserFactory
from tests.factories.images import jpeg_with_gps

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Axe()


def _photo_thread(user, cohort) -> int:
    """A thread with a photo; built in another thread (services publish on commit
    and Playwright's event loop owns this one)."""
    from cpd import services
    from forums.services import posting
    from forums.services.forums import forum_for_cohort

    out: list[int] = []

    def run() -> None:
        image = services.image_upload(
            actor=user,
            cohort=cohort,
            file=jpeg_with_gps(),
            no_identifiers_confirmed=True,
        )
        thread, _ = posting.thread_create(
            actor=user,
            forum=forum_for_cohort(cohort),
            title="Rash on the forearm",
            body="See the photo.",
            images=[image],
            no_identifiers_confirmed=True,
            idempotency_key="browser-photo",
        )
        out.append(thread.pk)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    return out[0]


def _serious(page: Page) -> list[str]:
    results = AXE.run(page)
    return [
        f"{v['id']} ({v['impact']}) on {page.url}"
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def test_footer_cost_tap_to_load_photo_and_monthly_use(page: Page, live_server):
    # given a learner with data saver on, and a thread with a photo
    user = UserFactory(email="saver@example.org", display_name="Neema", data_saver=True)
    cohort = MembershipFactory(user=user, cohort__name="Rural midwives").cohort
    thread_id = _photo_thread(user, cohort)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Login").fill("saver@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Hello, Neema")).to_be_visible()
    # then the footer says what the page cost, in KB
    expect(page.locator("#page-cost")).to_have_text(
        re.compile(r"^This page: [\d.,]+ KB$")
    )

    # the service worker takes control; pages it fetches are counted
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.goto(f"{live_server.url}/forums/t/{thread_id}/")
    photo = page.locator("a.photo-tap")
    expect(photo).to_have_count(1)
    expect(page.locator("img.post-img")).to_have_count(0)
    assert _serious(page) == []
    # when the learner taps the photo, it loads in the page
    photo.click()
    expect(page.locator("img.post-img")).to_have_count(1)
    # (a locator assertion: a string predicate is polled through eval, which the
    # page's CSP refuses whenever the first look is not yet true)
    expect(page.locator("img.post-img")).to_have_js_property("complete", True)

    # then the profile shows what this phone used this month
    page.goto(f"{live_server.url}/profile/")
    expect(page.locator("#month-use")).to_have_text(
        re.compile(r"^Data used on this phone this month: about [\d.,]+ KB$")
    )
    expect(page.get_by_label("data saver")).to_be_checked()
    assert _serious(page) == []
