"""A course author on a phone attaches and edits a course's survey, no script;
axe-core finds nothing on the editor page, also when it shows an error."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.factories.courses import course_for
from tests.factories.cpd import PASSWORD, CohortFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Axe()


def _violations(page: Page) -> list[str]:
    return [
        f"{v['id']} ({v.get('impact')}): {[n['target'] for n in v['nodes'][:3]]}"
        for v in AXE.run(page).response["violations"]
    ]


def test_an_author_attaches_and_edits_the_survey_on_a_phone(page: Page, live_server):
    from courses.models import SurveyItem

    UserFactory(
        email="author@example.org",
        display_name="Author",
        is_staff=True,
        is_superuser=True,
    )
    course = course_for(CohortFactory(), lessons=1, title="Newborn resuscitation")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Login").fill("author@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # from the course report to the editor
    page.goto(f"{live_server.url}/courses/{course.pk}/report/")
    page.get_by_role("link", name="Attach a survey").click()
    page.get_by_role("button", name="Attach the default survey").click()
    expect(page.get_by_text("Survey attached with the default items")).to_be_visible()
    assert _violations(page) == []
    # reword the first statement, then move it down
    first = page.locator("li.card").first
    first.get_by_label("Statement or question").fill("The course fits my ward.")
    first.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Item saved.")).to_be_visible()
    page.locator("li.card").first.get_by_role("button", name="Move down").click()
    texts = list(
        SurveyItem.objects.filter(survey__course=course)
        .order_by("order")
        .values_list("text", flat=True)
    )
    assert texts[1] == "The course fits my ward."
    # a second free-text question is refused, next to the form, with what was typed
    page.locator("#id_new-text").fill("Anything else?")
    page.locator("#id_new-kind").select_option("text")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("one free-text question")
    expect(page.locator("#id_new-text")).to_have_value("Anything else?")
    assert _violations(page) == []
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    page.screenshot(path="test-results/survey-editor-360.png", full_page=True)
    # the same page in Arabic (right to left): nothing either, and no sideways scroll
    page.context.add_cookies(
        [{"name": "django_language", "value": "ar", "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/courses/{course.pk}/survey/edit/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("heading", level=1)).not_to_have_text(
        "End-of-course survey"
    )
    assert _violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
