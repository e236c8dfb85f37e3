"""An organisation administrator on a 360x640 phone creates a cohort and archives it."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from cpd.models import Cohort
from tests.factories.courses import CourseFactory
from tests.factories.cpd import PASSWORD, CohortFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _serious(page: Page) -> list[str]:
    """axe-core's serious or critical violations on the page."""
    return [
        f"{page.url}: {v['id']}"
        for v in Axe().run(page).response["violations"]
        if v.get("impact") in {"serious", "critical"}
    ]


def test_admin_creates_a_cohort_with_a_course_then_archives_it(page: Page, live_server):
    admin = UserFactory(email="coordinator@example.org", display_name="Wanjiru")
    cohort = CohortFactory(name="Kisumu nurses 2026")
    cohort.organisation.admins.add(admin)
    CourseFactory(title="Postpartum haemorrhage")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Login").fill("coordinator@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # the layout links to the admin area; the overview lists the cohort
    page.get_by_role("link", name="Administration").click()
    page.get_by_role("link", name=cohort.organisation.name).click()
    expect(page.get_by_role("heading", name="Kisumu nurses 2026")).to_be_visible()
    # create a cohort with a course
    page.get_by_role("link", name="New cohort").click()
    page.get_by_label("Name").fill("Kisumu midwives 2027")
    page.get_by_label("Starts on").fill("2027-01-10")
    page.get_by_label("Country for local phone numbers").fill("ke")
    page.get_by_label("Postpartum haemorrhage").check()
    page.get_by_role("button", name="Create the cohort").click()
    expect(page.locator(".msg.success")).to_contain_text("was created")
    # nothing is wider than the phone
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    problems = _serious(page)
    # archive it: the edit form gives way to unarchive
    page.get_by_role("button", name="Archive this cohort").click()
    expect(page.get_by_role("button", name="Unarchive")).to_be_visible()
    made = Cohort.objects.get(name="Kisumu midwives 2027")
    assert made.is_archived
    # the other pages pass axe-core too
    for path in (
        f"/organisations/{cohort.organisation_id}/",
        f"/cohorts/{made.pk}/members/",
        f"/cohorts/{made.pk}/mentors/",
    ):
        page.goto(f"{live_server.url}{path}")
        problems += _serious(page)
    assert not problems, problems
