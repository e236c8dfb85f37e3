"""A learner reads a translated course on a phone, or is told it falls back.

axe-core checks the pages with the language note (any impact fails).
"""

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Page, expect

import courses
from courses.models import CourseAssignment, Lesson
from courses.services.exchange import course_import
from tests.factories.cpd import PASSWORD, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CONTENT = Path(courses.__file__).parent / "content"
AXE = Axe()


def _sign_in(page: Page, base: str, language: str) -> None:
    user = UserFactory(email="nurse@example.org", display_name="Amani")
    cohort = MembershipFactory(user=user).cohort
    course = course_import(text=(CONTENT / "hand-hygiene.md").read_text())
    course_import(text=(CONTENT / "hand-hygiene.fr.md").read_text())
    CourseAssignment.objects.create(cohort=cohort, course=course)
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=login]").fill("nurse@example.org")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}]
    )


def _no_violations(page: Page) -> None:
    violations = AXE.run(page).response["violations"]
    assert not violations, [(v["id"], v["impact"]) for v in violations]


def test_a_french_reader_reads_french_and_can_open_the_original(
    page: Page, live_server
):
    _sign_in(page, live_server.url, "fr")
    lesson = Lesson.objects.get(title="How")
    page.goto(live_server.url + reverse("courses-lesson", args=[lesson.pk]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Comment")
    expect(page.locator("#lesson")).to_contain_text("Friction hydro-alcoolique")
    _no_violations(page)
    page.locator("#served a[hreflang=en]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("How")
    expect(page.locator("#lesson")).to_have_attribute("lang", "en")


@pytest.mark.parametrize("language", ["sw", "ar"])
def test_a_reader_without_a_translation_sees_the_note_and_its_links(
    page: Page, live_server, language
):
    _sign_in(page, live_server.url, language)
    lesson = Lesson.objects.get(title="How")
    page.goto(live_server.url + reverse("courses-lesson", args=[lesson.pk]))
    note = page.locator("#served")
    expect(note).to_be_visible()
    expect(note).to_have_attribute("data-fell-back", "all")
    expect(page.locator("#lesson")).to_contain_text("Alcohol hand rub")
    _no_violations(page)
    note.locator("a[hreflang=fr]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Comment")
    page.screenshot(path=f"test-results/lesson-fallback-{language}-360.png")
