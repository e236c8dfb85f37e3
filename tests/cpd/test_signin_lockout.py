"""Sign-in limits that an outsider cannot turn against the account's owner.

A guesser is locked per account *and* client address (django-axes), so the owner
on their own phone still signs in; per-address ceilings (allauth) are generous
enough for a clinic or a class behind one Wi-Fi or carrier NAT address.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import cast

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from cpd.adapters import client_ip
from cpd.settings.base import websocket_sources
from tests.factories.cpd import PASSWORD, UserFactory

GUESSER = "10.0.0.66"
OWNER_PHONE = "10.0.0.7"
CLINIC = "192.0.2.10"
NURSE = "nurse@example.org"


def form_login(client: Client, login: str, password: str, ip: str, **extra):
    """One POST of the allauth sign-in form from ``ip``."""
    return client.post(
        reverse("account_login"),
        {"login": login, "password": password},
        REMOTE_ADDR=ip,
        **extra,
    )


def token_login(login: str, password: str, ip: str):
    """One POST to the API token endpoint from ``ip``, on a fresh client."""
    return APIClient().post(
        reverse("api-token"),
        {"login": login, "password": password},
        format="json",
        REMOTE_ADDR=ip,
    )


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# --- the form -----------------------------------------------------------------
def test_five_wrong_passwords_lock_the_guesser_out_of_the_form(db):
    # given
    UserFactory(email=NURSE)
    guesser = Client()
    # when
    statuses = [
        form_login(guesser, NURSE, "guess", GUESSER).status_code for _ in range(5)
    ]
    right = form_login(guesser, NURSE, PASSWORD, GUESSER)
    # then: locked on the fifth, and even the right password is refused from there
    assert statuses == [200, 200, 200, 200, 429]
    assert right.status_code == 429
    assert "Too many failed" in right.content.decode()
    assert not signed_in(guesser)


def test_the_owner_signs_in_on_the_form_while_the_guesser_is_locked(db):
    # given: someone who knows the address has locked themselves out
    UserFactory(email=NURSE)
    guesser = Client()
    for _ in range(6):
        form_login(guesser, NURSE, "guess", GUESSER)
    # when: the owner signs in on their own phone
    owner = Client()
    response = form_login(owner, NURSE, PASSWORD, OWNER_PHONE)
    # then
    assert response.status_code == 302
    assert signed_in(owner)
    # and the guesser is still locked
    assert form_login(guesser, NURSE, PASSWORD, GUESSER).status_code == 429


def test_guessing_one_phone_number_locks_no_other_phone_account(db):
    # allauth's per-key limit keys phone logins on the email, which is empty for
    # them: one shared counter for every phone account. It is off; axes counts.
    UserFactory(phone="+254700111222")
    UserFactory(phone="+254700333444")
    guesser = Client()
    for _ in range(6):
        form_login(guesser, "+254700111222", "guess", GUESSER)
    # when: another health worker signs in with their phone number
    colleague = Client()
    response = form_login(colleague, "+254700333444", PASSWORD, OWNER_PHONE)
    # then
    assert response.status_code == 302
    assert signed_in(colleague)


def test_the_owner_signs_in_by_phone_while_the_guesser_is_locked(db):
    UserFactory(phone="+254700111222")
    guesser = Client()
    for _ in range(6):
        form_login(guesser, "+254700111222", "guess", GUESSER)
    owner = Client()
    assert form_login(owner, "+254700111222", PASSWORD, OWNER_PHONE).status_code == 302
    assert form_login(guesser, "+254700111222", PASSWORD, GUESSER).status_code == 429


# --- the API token endpoint ---------------------------------------------------
def test_five_wrong_passwords_lock_the_guesser_out_of_the_token_endpoint(db):
    UserFactory(email=NURSE)
    codes = [token_login(NURSE, "guess", GUESSER).status_code for _ in range(5)]
    right = token_login(NURSE, PASSWORD, GUESSER)
    assert codes[:4] == [400, 400, 400, 400]
    assert codes[4] == 429
    assert right.status_code == 429
    assert "Too many failed" in right.json()["detail"]


def test_the_owner_gets_a_token_while_the_guesser_is_locked(db):
    # given: the guesser is locked on the token endpoint
    UserFactory(email=NURSE)
    for _ in range(6):
        token_login(NURSE, "guess", GUESSER)
    # when
    response = token_login(NURSE, PASSWORD, OWNER_PHONE)
    # then
    assert response.status_code == 200, response.json()
    assert response.json()["token"]
    assert token_login(NURSE, PASSWORD, GUESSER).status_code == 429


def test_a_lock_earned_on_the_api_holds_on_the_form_too(db):
    # one counter for every path: axes watches Django's authenticate()
    UserFactory(email=NURSE)
    for _ in range(5):
        token_login(NURSE, "guess", GUESSER)
    guesser = Client()
    assert form_login(guesser, NURSE, PASSWORD, GUESSER).status_code == 429
    owner = Client()
    assert form_login(owner, NURSE, PASSWORD, OWNER_PHONE).status_code == (302)


# --- many people behind one address -------------------------------------------
def test_fifty_colleagues_sign_in_from_one_address_after_one_persons_failures(db):
    # given: one person at the clinic got their password wrong ten times
    UserFactory(email="forgetful@example.org")
    colleagues = [UserFactory() for _ in range(50)]
    forgetful = Client()
    for _ in range(10):
        form_login(forgetful, "forgetful@example.org", "wrong", CLINIC)
    # when: fifty colleagues sign in from the same address
    statuses = []
    for person in colleagues:
        client = Client()
        statuses.append(form_login(client, person.email, PASSWORD, CLINIC).status_code)
        assert signed_in(client), person.email
    # then
    assert statuses == [302] * 50


def test_fifty_colleagues_get_tokens_from_one_address_after_one_persons_failures(db):
    UserFactory(email="forgetful@example.org")
    colleagues = [UserFactory() for _ in range(50)]
    for _ in range(10):
        token_login("forgetful@example.org", "wrong", CLINIC)
    statuses = [token_login(p.email, PASSWORD, CLINIC).status_code for p in colleagues]
    assert statuses == [200] * 50


def test_fifty_colleagues_get_tokens_at_the_deployed_token_rate(db, monkeypatch):
    # given: the token throttle at its deployed default, not the test settings'
    from rest_framework.throttling import ScopedRateThrottle

    from cpd.settings import base

    rates = {**ScopedRateThrottle.THROTTLE_RATES}
    deployed = cast("dict[str, str]", base.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"])
    rates["token"] = deployed["token"]
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", rates)
    colleagues = [UserFactory() for _ in range(50)]
    # when
    statuses = [token_login(p.email, PASSWORD, CLINIC).status_code for p in colleagues]
    # then
    assert statuses == [200] * 50


def test_one_address_guessing_across_many_accounts_meets_the_address_ceiling(db):
    # given: the per-address ceiling on failed sign-ins (allauth "login_failed")
    failed_ceiling = int(settings.ACCOUNT_RATE_LIMITS["login_failed"].split("/")[0])
    victims = [UserFactory() for _ in range(failed_ceiling // 4 + 1)]
    sprayer = Client()
    # when: four wrong passwords per account (under the per-account lock)
    bodies = [
        form_login(sprayer, v.email, f"guess{i}", GUESSER).content.decode()
        for v in victims
        for i in range(4)
    ]
    # then: the address is stopped once it passes the ceiling
    assert "Too many failed" not in bodies[failed_ceiling - 1]
    assert "Too many failed" in bodies[failed_ceiling]


def test_the_address_ceiling_leaves_other_addresses_alone(db):
    failed_ceiling = int(settings.ACCOUNT_RATE_LIMITS["login_failed"].split("/")[0])
    victims = [UserFactory() for _ in range(failed_ceiling // 4 + 1)]
    sprayer = Client()
    for v in victims:
        for i in range(4):
            form_login(sprayer, v.email, f"guess{i}", GUESSER)
    owner = Client()
    response = form_login(owner, victims[0].email, PASSWORD, OWNER_PHONE)
    assert response.status_code == 302


# --- the client address behind a reverse proxy --------------------------------
@pytest.fixture
def one_proxy(settings):
    """One trusted reverse proxy (DJANGO_PROXY_COUNT=1) appends X-Forwarded-For."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1


def test_behind_the_proxy_the_owner_is_told_apart_from_the_guesser(db, one_proxy):
    # every request arrives from the proxy's own address
    UserFactory(email=NURSE)
    guesser = Client()
    for _ in range(6):
        form_login(
            guesser,
            NURSE,
            "guess",
            "127.0.0.1",
            HTTP_X_FORWARDED_FOR=GUESSER,
        )
    owner = Client()
    response = form_login(
        owner,
        NURSE,
        PASSWORD,
        "127.0.0.1",
        HTTP_X_FORWARDED_FOR=OWNER_PHONE,
    )
    assert response.status_code == 302


def test_a_forged_forwarded_address_does_not_lift_the_lock(db, one_proxy):
    # the guesser writes their own X-Forwarded-For; the proxy appends the real one
    UserFactory(email=NURSE)
    guesser = Client()
    for i in range(6):
        form_login(
            guesser,
            NURSE,
            "guess",
            "127.0.0.1",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{i}, {GUESSER}",
        )
    response = form_login(
        guesser,
        NURSE,
        PASSWORD,
        "127.0.0.1",
        HTTP_X_FORWARDED_FOR=f"198.51.100.9, {GUESSER}",
    )
    assert response.status_code == 429


def test_client_ip_falls_back_to_the_socket_address(rf, one_proxy):
    # no X-Forwarded-For (a request that did not come through the proxy)
    request = rf.post("/accounts/login/", REMOTE_ADDR="10.1.2.3")
    assert client_ip(request) == "10.1.2.3"


def test_client_ip_takes_the_address_the_trusted_proxy_saw(rf, one_proxy):
    request = rf.post(
        "/accounts/login/",
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="1.1.1.1, 10.9.8.7",
    )
    assert client_ip(request) == "10.9.8.7"


def test_client_ip_ignores_x_forwarded_for_without_a_proxy(rf):
    request = rf.post(
        "/accounts/login/", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="1.1.1.1"
    )
    assert client_ip(request) == "10.1.2.3"


# --- Content-Security-Policy: sockets only to our own hosts -------------------
def _connect_src(response) -> list[str]:
    header = response["Content-Security-Policy"]
    directives = dict(
        part.strip().split(" ", 1) for part in header.split(";") if part.strip()
    )
    return directives["connect-src"].split()


def test_csp_connect_src_names_only_the_sites_own_origin(client, db):
    # when
    sources = _connect_src(client.get(reverse("account_login")))
    # then: no scheme-only source that would allow a socket to any host
    assert "ws:" not in sources
    assert "wss:" not in sources
    assert sources[0] == "'self'"
    assert set(sources) == {"'self'", *websocket_sources(settings.SITE_URL, "")} | set(
        websocket_sources("", settings.REALTIME_URL)
    )
    assert all(s == "'self'" or "://" in s for s in sources)


@pytest.mark.parametrize(
    ("site_url", "realtime_url", "expected"),
    [
        ("https://cpd.example.org", "", ["wss://cpd.example.org"]),
        ("http://127.0.0.1:8000", "", ["ws://127.0.0.1:8000"]),
        (
            "http://127.0.0.1:8000",
            "ws://127.0.0.1:8001",
            ["ws://127.0.0.1:8000", "ws://127.0.0.1:8001"],
        ),
        (
            "https://cpd.example.org/",
            "wss://rt.example.org/sockets",
            ["wss://cpd.example.org", "wss://rt.example.org"],
        ),
        # the same origin twice is named once
        ("https://cpd.example.org", "wss://cpd.example.org", ["wss://cpd.example.org"]),
        # nothing usable: only 'self' remains
        ("", "", []),
        ("not a url", "/ws", []),
    ],
)
def test_websocket_sources_are_the_socket_origins_of_site_and_realtime_urls(
    site_url, realtime_url, expected
):
    assert websocket_sources(site_url, realtime_url) == expected


def test_settings_build_connect_src_from_the_environment():
    # given: production settings with sockets on their own host
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cpd.settings.production",
        "DJANGO_SECRET_KEY": "x" * 50,
        "SITE_URL": "https://cpd.example.org",
        "REALTIME_URL": "wss://rt.example.org",
    }
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(' '.join(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']"
        "['connect-src']))"
    )
    # when
    out = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
    ).stdout.split()
    # then
    assert out == ["'self'", "wss://cpd.example.org", "wss://rt.example.org"]
