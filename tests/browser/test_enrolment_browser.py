"""An administrator enrols a spreadsheet on a phone: upload, preview, confirm."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.test_accessibility import _seed, _sign_in, _violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHEET = (
    "Nom;Téléphone;Cadre;District\r\n"
    "Wanjiru Kamau;0712 000 111;infirmière;Nakuru\r\n"
    "Otieno Baraka;+254722000222;sage-femme;Kisumu\r\n"
    "Sans numéro;;;\r\n"
).encode("cp1252")


def test_enrol_a_spreadsheet_on_a_phone(page: Page, live_server):
    from cpd.models import Membership, Organisation, User

    _seed()
    admin = User.objects.get(email="admin@demo.cpd")
    cohort = Organisation.objects.filter(admins=admin).first().cohorts.first()
    cohort.phone_region = "KE"
    cohort.save()
    _sign_in(page, live_server.url, "admin@demo.cpd")
    page.goto(f"{live_server.url}/cohorts/{cohort.pk}/")
    page.get_by_role("link", name="Enrol many people from a spreadsheet").click()
    assert not _violations(page)
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "ministry.csv", "mimeType": "text/csv", "buffer": SHEET}]
    )
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_load_state()
    text = page.locator("main").inner_text()
    assert "New person: 2" in text.replace("\n", " ")
    assert "A phone number or an email is needed" in text
    assert not _violations(page)
    # The table of rows scrolls inside its region, not the page.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    page.get_by_role("button", name="Confirm and enrol").click()
    page.wait_for_load_state()
    page.wait_for_selector("text=What happened", timeout=15000)
    report = page.locator("main").inner_text().replace("\n", " ")
    assert "Account created and invited: 2" in report
    assert not _violations(page)
    wanjiru = User.objects.get(phone="+254712000111")
    assert Membership.objects.filter(cohort=cohort, user=wanjiru).exists()
    assert wanjiru.cadre == "nurse"
    page.screenshot(path="test-results/enrolment-report-360.png", full_page=True)
