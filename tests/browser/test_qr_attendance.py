"""QR attendance on a 360x640 phone: scanned offline, counted once back online.

The facilitator's screen shows the rotating QR and short code; the learner's
phone opens the scanned URL with no signal (the service worker answers with
the offline page, which queues the check-in), and the outbox sends it when the
network returns. A refused check-in (a forged code) is shown and kept, not dropped.
"""

from __future__ import annotations

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from courses.models import Attendance, Session
from courses.services import checkin
from cpd.models import Role
from tests.factories.cpd import PASSWORD, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Axe()


def _sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Login").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def _serious(page: Page) -> list[str]:
    results = AXE.run(page)
    return [
        f"{v['id']} ({v['impact']})"
        for v in results.response["violations"]
        if v.get("impact") in {"serious", "critical"}
    ]


def _wait_for(predicate, page: Page, tries: int = 150) -> bool:
    for _ in range(tries):  # up to 15 s on a loaded machine
        if predicate():
            return True
        page.wait_for_timeout(100)
    return False


READ_OUTBOX = """() => new Promise((ok, ko) => {
  const open = indexedDB.open("cpd-outbox");
  open.onupgradeneeded = () =>
    open.result.createObjectStore("entries", {keyPath: "id"});
  open.onerror = () => ko(open.error);
  open.onsuccess = () => {
    const all = open.result.transaction("entries").objectStore("entries").getAll();
    all.onsuccess = () => {
      open.result.close();
      // the rest of an entry is sealed (AES-GCM); its id ends with its key
      ok(all.result.map(e => ({key: e.id.split(" ")[1], state: e.state})));
    };
  };
})"""


def _outbox(page: Page) -> list[dict]:
    """The entries of the phone's outbox (IndexedDB, static/js/app.js)."""
    return page.evaluate(READ_OUTBOX)


def test_qr_check_in_offline_then_online(
    page: Page, live_server, browser: Browser, browser_context_args
):
    base = live_server.url
    mentor = UserFactory(email="mentor@example.org", display_name="Dr Wanjiru")
    cohort = MembershipFactory(user=mentor, role=Role.MENTOR).cohort
    learner = UserFactory(email="baraka@example.org", display_name="Baraka")
    MembershipFactory(cohort=cohort, user=learner, role=Role.LEARNER)
    now = timezone.now()
    session = Session.objects.create(
        cohort=cohort,
        title="PPH skills drill",
        place="Ward 3",
        starts_at=now - dt.timedelta(minutes=10),
        ends_at=now + dt.timedelta(hours=2),
    )

    # the facilitator's screen: a QR code and a short code, nobody in yet
    screen = browser.new_context(**browser_context_args)
    facilitator = screen.new_page()
    _sign_in(facilitator, base, "mentor@example.org")
    facilitator.goto(f"{base}/courses/sessions/{session.pk}/")
    facilitator.get_by_role("link", name="Show the check-in QR code").click()
    expect(facilitator.locator("svg.qr")).to_be_visible()
    expect(facilitator.locator("#checked-in")).to_have_text("Checked in: 0 of 1")
    shown = facilitator.locator("#checkin-code").inner_text().replace("-", "")
    assert len(shown) == checkin.CODE_LENGTH
    assert _serious(facilitator) == []
    facilitator.screenshot(path="test-results/qr-facilitator-360.png", full_page=True)
    width = facilitator.evaluate("document.documentElement.scrollWidth")
    assert width <= 360

    # the learner's phone has used the site before (its service worker is in)
    _sign_in(page, base, "baraka@example.org")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    code = checkin.check_in_code_current(actor=mentor, session=session)

    # given no signal in the training room, when the learner scans the QR code
    page.context.set_offline(True)
    page.goto(f"{base}{code.path}")
    expect(page.locator("#offline-checkin")).to_be_visible()
    assert [e["key"] for e in _outbox(page)] == [f"checkin-{session.pk}-{code.window}"]
    # the offline page lists what waits
    expect(page.locator("#outbox li")).to_contain_text("Check in")
    expect(page.locator("#outbox li")).to_contain_text("Waiting for the network.")
    assert not Attendance.objects.exists()
    assert _serious(page) == []
    page.screenshot(path="test-results/qr-offline-queued-360.png", full_page=True)

    # then, back online, the queued check-in is sent and counted once
    page.context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    assert _wait_for(lambda: Attendance.objects.filter(user=learner).exists(), page)
    expect(page.locator("#live")).to_contain_text("sent")
    assert _wait_for(lambda: _outbox(page) == [], page)
    assert Attendance.objects.filter(session=session).count() == 1

    # and the facilitator's screen counts the learner on its next reload
    facilitator.reload()
    expect(facilitator.locator("#checked-in")).to_have_text("Checked in: 1 of 1")
    expect(facilitator.get_by_text("Baraka")).to_be_visible()
    screen.close()


def test_a_refused_offline_check_in_is_shown_not_dropped(page: Page, live_server):
    base = live_server.url
    cohort = MembershipFactory(
        user__email="mentor2@example.org", role=Role.MENTOR
    ).cohort
    learner = UserFactory(email="neema@example.org", display_name="Neema")
    MembershipFactory(cohort=cohort, user=learner, role=Role.LEARNER)
    now = timezone.now()
    session = Session.objects.create(
        cohort=cohort,
        title="Neonatal drill",
        place="Clinic",
        starts_at=now - dt.timedelta(minutes=10),
        ends_at=now + dt.timedelta(hours=2),
    )
    _sign_in(page, base, "neema@example.org")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    window = checkin.window_at(timezone.now())

    # given a forged code scanned offline
    page.context.set_offline(True)
    page.goto(f"{base}/courses/sessions/{session.pk}/here/?w={window}&s=forged")
    expect(page.locator("#offline-checkin")).to_be_visible()

    # when the phone is back online, the server refuses it
    page.context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")

    # then the learner is told why on this page, and the entry is kept
    expect(page.locator("#outbox-refused")).to_contain_text("That code is not valid.")
    assert [e["state"] for e in _outbox(page)] == ["refused"]
    # the outbox page lists it with the server's reason, until discarded
    page.goto(f"{base}/outbox/")
    item = page.locator("#outbox li")
    expect(item).to_contain_text("That code is not valid.")
    assert _serious(page) == []
    item.get_by_role("button", name="Discard").click()
    expect(page.get_by_text("Nothing waits to be sent.")).to_be_visible()
    assert _outbox(page) == []
    assert not Attendance.objects.exists()


def test_a_code_typed_offline_is_sent_when_online(page: Page, live_server):
    base = live_server.url
    mentor = UserFactory(email="mentor3@example.org")
    cohort = MembershipFactory(user=mentor, role=Role.MENTOR).cohort
    learner = UserFactory(email="zawadi@example.org", display_name="Zawadi")
    MembershipFactory(cohort=cohort, user=learner, role=Role.LEARNER)
    now = timezone.now()
    session = Session.objects.create(
        cohort=cohort,
        title="Partograph review",
        place="Ward 1",
        starts_at=now - dt.timedelta(minutes=5),
        ends_at=now + dt.timedelta(hours=1),
    )
    _sign_in(page, base, "zawadi@example.org")
    page.goto(f"{base}/courses/sessions/checkin/")
    assert _serious(page) == []
    code = checkin.check_in_code_current(actor=mentor, session=session)
    # given no signal, the learner types the code from the screen
    page.context.set_offline(True)
    page.get_by_label("Code on the screen").fill(code.code_display.lower())
    page.get_by_role("button", name="Check in").click()
    expect(page.locator("#live")).to_contain_text("saved on this phone")
    assert not Attendance.objects.exists()
    # then it counts once the network returns
    page.context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    assert _wait_for(lambda: Attendance.objects.filter(user=learner).exists(), page)
    assert Attendance.objects.filter(session=session).count() == 1


# page.on("request") misses a POST the service worker lets through: no worker here.
@pytest.mark.browser_context_args(service_workers="block")
def test_a_code_typed_online_checks_in_once_and_says_so(page: Page, live_server):
    """Sent by the outbox's fetch, the redirect's flash message still shows."""
    base = live_server.url
    mentor = UserFactory(email="mentor4@example.org")
    cohort = MembershipFactory(user=mentor, role=Role.MENTOR).cohort
    learner = UserFactory(email="imani@example.org", display_name="Imani")
    MembershipFactory(cohort=cohort, user=learner, role=Role.LEARNER)
    now = timezone.now()
    session = Session.objects.create(
        cohort=cohort,
        title="Neonatal resuscitation",
        place="Ward 2",
        starts_at=now - dt.timedelta(minutes=5),
        ends_at=now + dt.timedelta(hours=1),
    )
    _sign_in(page, base, "imani@example.org")
    page.goto(f"{base}/courses/sessions/checkin/")
    tries: list[str] = []
    page.on("request", lambda r: tries.append(r.url) if r.method == "POST" else None)
    code = checkin.check_in_code_current(actor=mentor, session=session)
    page.get_by_label("Code on the screen").fill(code.code_display)
    page.get_by_role("button", name="Check in").click()
    expect(page.get_by_text("You are checked in. Welcome!")).to_be_visible()
    assert page.url == f"{base}/courses/sessions/{session.pk}/"
    assert len(tries) == 1
    assert Attendance.objects.filter(session=session, user=learner).count() == 1
    assert _outbox(page) == []
