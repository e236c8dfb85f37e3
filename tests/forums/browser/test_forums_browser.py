"""On a 360x640 phone: a learner asks with a photo, a mentor answers, search finds."""

import io

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from cpd.models import Role
from forums.models import Thread
from tests.factories.cpd import PASSWORD, CohortFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (180, 60, 60)).save(buffer, format="JPEG")
    return buffer.getvalue()


def sign_in(page: Page, base: str, login: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Login").fill(login)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_case_question_answered_accepted_and_found(
    page: Page, browser: Browser, browser_context_args, live_server
):
    base = live_server.url
    # given a cohort with a learner and a mentor (factories: no realtime events)
    cohort = CohortFactory(name="Maternal care")
    learner = UserFactory(email="faith@example.org", display_name="Faith")
    mentor = UserFactory(email="amina@example.org", display_name="Dr Amina")
    MembershipFactory(cohort=cohort, user=learner, role=Role.LEARNER)
    MembershipFactory(cohort=cohort, user=mentor, role=Role.MENTOR)

    # when the learner posts a case question with a photo
    sign_in(page, base, "faith@example.org")
    page.get_by_role("link", name="Forums").click()
    page.get_by_role("link", name="General discussion").click()
    page.get_by_role("link", name="New thread").click()
    page.get_by_label("Title").fill("Eclampsia at the dispensary: what first?")
    page.get_by_label("Case").check()
    page.get_by_label("Question").check()
    page.get_by_label("Message").fill("Fitting woman, BP 170/110. Photo of the chart.")
    page.get_by_label("Photo (optional)").set_input_files(
        {"name": "chart.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}
    )
    page.get_by_label("This holds no patient name").check()
    page.get_by_role("button", name="Post").click()
    expect(
        page.get_by_role("heading", name="Eclampsia at the dispensary: what first?")
    ).to_be_visible()
    expect(page.locator("img.post-img")).to_be_visible()
    # the phone-sized rendition really loads (served through the permission check)
    photo = page.locator("img.post-img")
    photo.scroll_into_view_if_needed()
    expect(photo).to_have_js_property("complete", True)
    assert photo.evaluate("img => img.naturalWidth") > 0
    page.screenshot(path="test-results/forums-thread-360.png", full_page=True)
    thread = Thread.objects.get()

    # and a mentor replies and marks the reply as the accepted answer
    context = browser.new_context(**browser_context_args)
    mentor_page = context.new_page()
    sign_in(mentor_page, base, "amina@example.org")
    mentor_page.goto(f"{base}/forums/t/{thread.pk}/")
    mentor_page.get_by_label("Message").fill(
        "Magnesium sulphate 4 g IV slowly, then refer. Keep the airway clear."
    )
    mentor_page.get_by_label("This holds no patient name").check()
    mentor_page.get_by_role("button", name="Send reply").click()
    mentor_page.get_by_role("button", name="Accept answer").click()
    expect(mentor_page.get_by_text("Accepted answer")).to_be_visible()
    context.close()

    # then the learner searches the library and finds the answered case
    page.goto(f"{base}/forums/")
    page.get_by_placeholder("Search past cases and questions").fill("magnesium")
    page.get_by_role("button", name="Search").click()
    result = page.get_by_role("link", name="Eclampsia at the dispensary: what first?")
    expect(result).to_be_visible()
    page.screenshot(path="test-results/forums-search-360.png", full_page=True)
    result.click()
    expect(page.get_by_text("Accepted answer")).to_be_visible()
    # nothing is wider than the phone
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360


def test_a_reply_written_offline_is_sent_once_when_back_online(page: Page, live_server):
    base = live_server.url
    cohort = CohortFactory(name="Night shift")
    learner = UserFactory(email="neema@example.org", display_name="Neema")
    MembershipFactory(cohort=cohort, user=learner, role=Role.LEARNER)
    from forums.models import Forum, Post

    forum = Forum.objects.create(cohort=cohort, is_default=True, title="General")
    thread = Thread.objects.create(forum=forum, title="Handover notes", author=learner)
    Post.objects.create(thread=thread, author=learner, body="Open", body_html="Open")
    sign_in(page, base, "neema@example.org")
    page.goto(f"{base}/forums/t/{thread.pk}/")
    # given the phone loses its network while the learner writes
    page.context.set_offline(True)
    page.get_by_label("Message").fill("Written in the dead zone by the labour ward")
    # when they tap send (twice, impatiently)
    page.get_by_role("button", name="Send reply").click()
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator("#live")).to_contain_text("saved")
    assert not Post.objects.filter(body__startswith="Written in the dead").exists()
    # then, once the network is back, the outbox sends it exactly once
    page.context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    for _ in range(150):  # up to 15 s on a loaded CI machine
        if Post.objects.filter(body__startswith="Written in the dead").exists():
            break
        page.wait_for_timeout(100)
    page.wait_for_timeout(500)
    assert Post.objects.filter(body__startswith="Written in the dead").count() == 1
