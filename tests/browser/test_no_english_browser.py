"""In a browser, with the scripts run: a Swahili or Arabic learner meets no English.

The test-client check (tests/cpd/test_no_english.py) reads the HTML the server
sends. Here Chromium runs the page's scripts first (the case room's connection
status, the outbox count and list, the page-cost line), so a string a script
writes in English is caught too. Same pages, same user content in the language;
then the same pages in English must show English, or the check proves nothing.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Page

from tests.cpd.test_no_english import ENGLISH, learner_world
from tests.factories.cpd import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VISIBLE_AND_SPOKEN = """() => {
  const parts = [document.body.innerText];
  const spoken = '[aria-label],[alt],[title],[placeholder]';
  for (const el of document.querySelectorAll(spoken)) {
    for (const name of ['aria-label', 'alt', 'title', 'placeholder']) {
      const value = el.getAttribute(name);
      if (value) parts.push(value);
    }
  }
  return parts.join(' ');
}"""


def _english_on(page: Page, url: str) -> list[str]:
    page.goto(url)
    page.wait_for_load_state("load")
    page.wait_for_timeout(700)  # let the page's scripts write what they write
    text = page.evaluate(VISIBLE_AND_SPOKEN)
    return sorted({w for w in re.findall(r"[A-Za-z]+", text) if w.lower() in ENGLISH})


@pytest.mark.parametrize("language", ["sw", "ar"])
def test_a_learners_journey_in_the_browser_holds_no_english(
    page: Page, live_server, language
):
    # given: a learner whose cohort, course and forum are in the language
    learner, pages = learner_world(language)
    pages["outbox"] = reverse("outbox")
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=login]").fill(learner.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}]
    )
    # when: they walk through their pages, scripts and all
    found = {name: _english_on(page, base + url) for name, url in pages.items()}
    # then
    assert {name: words for name, words in found.items() if words} == {}
    # and the check can fail: the same pages in English show English
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": base}]
    )
    for name in ("home", "room", "outbox"):
        assert _english_on(page, base + pages[name]), name
