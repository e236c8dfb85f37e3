"""Sign in, invitation sign-up and sign out, as a person on a phone would."""

import re

import pytest
from playwright.sync_api import Page, expect

from cpd.models import Membership, Role, User
from tests.factories.cpd import (
    PASSWORD,
    CohortFactory,
    InvitationFactory,
    MembershipFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, base: str, login: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Login").fill(login)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_sign_in_by_phone_shows_my_cohorts(page: Page, live_server):
    user = UserFactory(display_name="Neema", phone="+254700123456")
    # (factories, not services: this thread runs Playwright's event loop, and a
    # service would publish a channel-layer event from it)
    MembershipFactory(user=user, cohort__name="Newborn care 2026")
    sign_in(page, live_server.url, "+254700123456")
    expect(page.get_by_role("heading", name="Hello, Neema")).to_be_visible()
    expect(page.get_by_role("link", name="Newborn care 2026")).to_be_visible()
    page.screenshot(path="test-results/home-360.png", full_page=True)


def test_wrong_password_says_so_and_keeps_the_login(page: Page, live_server):
    UserFactory(email="neema@example.org")
    sign_in(page, live_server.url, "neema@example.org", "wrong-password")
    expect(page.get_by_role("alert")).to_contain_text("not correct")
    expect(page.get_by_label("Login")).to_have_value("neema@example.org")


def test_invitation_sign_up_joins_the_cohort(page: Page, live_server):
    cohort = CohortFactory(name="Emergency obstetric care")
    invitation = InvitationFactory(cohort=cohort, role=Role.LEARNER)
    page.goto(f"{live_server.url}/invite/{invitation.token}/")
    expect(page).to_have_url(re.compile("/accounts/signup/"))
    page.get_by_label("Phone").fill("+254722000111")
    page.get_by_label("Password", exact=True).fill("night-shift-2026!")
    page.get_by_label("Password (again)").fill("night-shift-2026!")
    page.get_by_label("Your name as others will see it").fill("Baraka")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Hello, Baraka")).to_be_visible()
    expect(page.get_by_role("link", name="Emergency obstetric care")).to_be_visible()
    user = User.objects.get(phone="+254722000111")
    assert Membership.objects.filter(user=user, cohort=cohort).exists()


def test_sign_out(page: Page, live_server):
    UserFactory(email="out@example.org", display_name="Outgoing")
    sign_in(page, live_server.url, "out@example.org")
    expect(page.get_by_role("heading", name="Hello, Outgoing")).to_be_visible()
    page.get_by_role("link", name="Sign out").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    page.goto(f"{live_server.url}/profile/")
    expect(page).to_have_url(re.compile("/accounts/login/"))
