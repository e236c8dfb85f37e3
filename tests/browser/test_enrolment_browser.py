"""An administrator enrols a spreadsheet on a phone: upload, preview, confirm."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.test_accessibility import _seed, _sign_in, _violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sheet() -> bytes:
    """300 people as Excel on Windows saves them (cp1252, ;), 5 of them wrong."""
    lines = ["Nom;Téléphone;Cadre;District"]
    lines += [f"Infirmière {n};0712 {n:06d};infirmière;Nakuru" for n in range(293)]
    lines += ["Otieno Baraka;+254722000222;sage-femme;Kisumu"]
    lines += ["Wanjiru Kamau;0713000111;infirmière;Nakuru"]
    lines += [
        "Sans numéro;;;",
        ";0799000001;;",
        "Faux numéro;12;;",
        "Pilote;0799000002;pilote;",
        "Doublon;0713 000 111;;",
    ]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


SHEET = _sheet()


def _upload(page: Page) -> str:
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "ministry.csv", "mimeType": "text/csv", "buffer": SHEET}]
    )
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_load_state()
    return page.locator("main").inner_text().replace("\n", " ")


def test_enrol_300_rows_on_a_phone_then_the_same_file_again(page: Page, live_server):
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
    text = _upload(page)
    assert "New person: 295" in text
    assert "Error: 5" in text
    page.get_by_role("link", name="Error").click()  # the errors, with reasons
    errors = page.locator("main").inner_text()
    assert "A phone number or an email is needed" in errors
    assert "same person as row 296" in errors
    assert "Unknown cadre" in errors
    assert not _violations(page)
    # The table of rows scrolls inside its region, not the page.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_role("button", name="Confirm and enrol").click()
    page.wait_for_load_state()
    page.wait_for_selector("text=What happened", timeout=30000)
    report = page.locator("main").inner_text().replace("\n", " ")
    assert "Account created and invited: 295" in report
    assert "Not enrolled: 5" in report
    assert not _violations(page)
    wanjiru = User.objects.get(phone="+254713000111")
    assert Membership.objects.filter(cohort=cohort, user=wanjiru).exists()
    assert wanjiru.cadre == "nurse"
    page.screenshot(path="test-results/enrolment-report-360.png", full_page=True)
    # The same file again changes nothing and says so.
    page.get_by_role("link", name="Enrol from a spreadsheet").first.click()
    again = _upload(page)
    assert "This same file was already enrolled" in again
    assert "Nothing in it would change." in again
    assert page.get_by_role("button", name="Confirm and enrol").count() == 0
    assert User.objects.filter(phone__startswith="+254712").count() == 293
    page.screenshot(path="test-results/enrolment-again-360.png", full_page=True)
