"""WCAG 2.2 AA checks a rule engine cannot make: keyboard, focus, targets, reflow.

Keyboard journeys use ``page.keyboard`` only after the start URL is loaded:
Tab/Shift+Tab to reach a control (``document.activeElement`` is read, never
clicked), ``keyboard.type`` to fill it, Enter/Space to act. Each journey ends
with the row it should have written, read from the database.

The room message goes through the room's HTTP post on the plain live server
(no daphne, so no socket): rooms.js sees the socket fail and sends the form
through ``fetch`` to the same view, or the browser posts the form itself. The
socket path is covered by test_rooms_browser.py.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import Page

from tests.factories.courses import QuizFactory, course_for, question_with
from tests.factories.cpd import PASSWORD, MembershipFactory, UserFactory
from tests.factories.forums import ForumFactory, PostFactory, ThreadFactory
from tests.factories.rooms import RoomFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Axe()
MIN_TARGET = 24  # CSS px, WCAG 2.2 SC 2.5.8 (AA)


class World:
    def __init__(self) -> None:
        self.user = UserFactory(email="kb@example.org", display_name="Zawadi")
        cohort = MembershipFactory(user=self.user).cohort
        self.course = course_for(cohort, lessons=2, title="Postpartum haemorrhage")
        self.lesson = self.course.modules.get().lessons.first()
        self.quiz = QuizFactory(course=self.course, kind="post", title="PPH check")
        question_with(
            self.quiz, "single", [("Massage the uterus", True), ("Wait", False)]
        )
        question_with(self.quiz, "numeric", answer="10", tolerance="0")
        forum = ForumFactory(cohort=cohort, title="Maternity", is_default=True)
        self.thread = ThreadFactory(
            forum=forum, title="Oxytocin storage", author=self.user
        )
        PostFactory(
            thread=self.thread,
            author=self.user,
            body=(
                "Keep it cold: see the [cold chain guide](https://who.int) first. "
                "Batch OXYTOCIN10IUAMPOULELOT202611A0000123456789KENYAMOHSTORE.\n\n"
                "```\nfridge_log --ward maternity --from 2026-11-01 --to 2026-11-30"
                " --format csv --output /srv/cold-chain/maternity/2026-11.csv\n```"
            ),
        )
        self.room = RoomFactory(cohort=cohort, title="Retained placenta")

    def pages(self) -> dict[str, str]:
        return {
            "home": reverse("home"),
            "course outline": reverse("courses-course", args=[self.course.pk]),
            "lesson": reverse("courses-lesson", args=[self.lesson.pk]),
            "thread": reverse("forums-thread", args=[self.thread.pk]),
            "room": reverse("rooms-room", args=[self.room.pk]),
            "profile": reverse("profile"),
        }


@pytest.fixture
def world(transactional_db) -> World:
    return World()


def _active(page: Page, script: str) -> bool:
    return bool(page.evaluate(f"() => ({script})(document.activeElement)"))


def tab_to(page: Page, script: str, *, key: str = "Tab", limit: int = 80) -> None:
    """Press Tab until the focused element matches ``script`` (a JS predicate)."""
    for _ in range(limit):
        page.keyboard.press(key)
        if _active(page, script):
            return
    raise AssertionError(f"{script} is not reachable with {key}")


def named(name: str) -> str:
    return f"e => e && e.name === {name!r}"


def button(text: str) -> str:
    return f"e => e && e.tagName === 'BUTTON' && e.textContent.trim() === {text!r}"


def sign_in(page: Page, base: str) -> None:
    page.goto(f"{base}/accounts/login/")
    # the first Tab lands on the skip link, which moves on into <main>
    page.keyboard.press("Tab")
    assert _active(page, "e => e.classList.contains('skip')")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert _active(page, "e => !!e.closest('main')"), "skip link does not reach main"
    if not _active(page, named("login")):
        tab_to(page, named("login"))
    page.keyboard.type("kb@example.org")
    tab_to(page, named("password"))
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{base}/", page.url


def test_keyboard_only_journeys(page: Page, live_server, world: World):
    from courses.models import Attempt, LessonProgress
    from forums.models import Post
    from forums.rooms.models import RoomMessage

    base = live_server.url
    sign_in(page, base)

    # lesson: reach "Mark complete" and press Enter
    page.goto(base + world.pages()["lesson"])
    tab_to(page, button("Mark complete"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert LessonProgress.objects.filter(
        user=world.user, lesson=world.lesson, completed_at__isnull=False
    ).exists()

    # quiz: start, Space on the first radio, type the number, Enter on submit
    page.goto(base + reverse("courses-quiz", args=[world.quiz.pk]))
    tab_to(page, button("Start or continue"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, "e => e.type === 'radio'")
    page.keyboard.press("ArrowDown")  # arrows move within the group and check
    page.keyboard.press("ArrowUp")  # back to "Massage the uterus", checked
    assert _active(page, "e => e.checked")
    tab_to(page, "e => e.getAttribute('inputmode') === 'decimal'")
    page.keyboard.type("10")
    tab_to(page, button("Submit answers"))
    with page.expect_navigation():
        page.keyboard.press("Space")
    attempt = Attempt.objects.get(user=world.user, quiz=world.quiz)
    assert attempt.submitted_at is not None
    assert attempt.score_percent == 100

    # forum reply
    page.goto(base + world.pages()["thread"])
    tab_to(page, named("body"))
    page.keyboard.type("Store it at 2 to 8 degrees.")
    tab_to(page, button("Send reply"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert Post.objects.filter(
        thread=world.thread, author=world.user, body="Store it at 2 to 8 degrees."
    ).exists()

    # case-room message (HTTP post; see the module docstring)
    page.goto(base + world.pages()["room"])
    tab_to(page, named("body"))
    page.keyboard.type("Is the bleeding heavy?")
    tab_to(page, button("Send"))
    page.keyboard.press("Enter")
    page.locator("#room-messages").get_by_text("Is the bleeding heavy?").wait_for()
    assert RoomMessage.objects.filter(
        room=world.room, author=world.user, body="Is the bleeding heavy?"
    ).exists()


# -- focus visible, target size, reflow ---------------------------------------

FOCUS_STYLE = """e => {
  const s = getComputedStyle(e);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
  const shadow = s.boxShadow && s.boxShadow !== 'none';
  return outline || shadow;
}"""

# An element is a target unless it is hidden, or an inline link inside a
# sentence: an <a> whose nearest <p>/<li>/<td>/<dd> holds text outside the link
# (WCAG 2.5.8 "inline" exception: its size is set by the line of text).
SMALL_TARGETS = """min => {
  const sel = 'a[href], button, input:not([type=hidden]), select, textarea, '
    + 'summary, [role=button]';
  const out = [];
  for (const e of document.querySelectorAll(sel)) {
    const r = e.getBoundingClientRect();
    const s = getComputedStyle(e);
    if (!r.width && !r.height) continue;           // not rendered
    if (s.visibility === 'hidden') continue;
    // the skip link and visually hidden controls are off-screen until focused
    if (e.classList.contains('skip') || e.closest('.vh')) continue;
    if (e.tagName === 'A') {
      const run = e.closest('p, li, td, dd, figcaption, blockquote');
      if (run) {
        const own = e.textContent.replace(/\\s+/g, '');
        const all = run.textContent.replace(/\\s+/g, '');
        if (all.length > own.length) continue;       // inline in a text run
      }
    }
    if (r.width < min || r.height < min) {
      const text = (e.textContent || e.value || '').trim().slice(0, 30);
      out.push(`${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}`
        + `${e.name ? '[name=' + e.name + ']' : ''} "${text}"`
        + ` ${Math.round(r.width)}x${Math.round(r.height)}`);
    }
  }
  return out;
}"""

# Wide content that scrolls inside its own region is allowed (SC 1.4.10
# excepts data tables); anything else wider than the viewport is a failure.
OVERFLOW = """() => {
  const doc = document.documentElement;
  return {scroll: doc.scrollWidth, inner: window.innerWidth};
}"""


def _axe_serious(page: Page) -> list[str]:
    return [
        f"{v['id']}: {[n['target'] for n in v['nodes'][:3]]}"
        for v in AXE.run(page).response["violations"]
        if v.get("impact") in {"serious", "critical"}
    ]


def _sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()


def _focus_target_reflow_problems(
    page: Page, browser, base: str, pages: dict[str, str]
) -> list[str]:
    """What a keyboard, a finger and a 320 px screen meet on these pages."""
    problems: list[str] = []
    for kind, path in pages.items():
        page.goto(f"{base}{path}")
        # 2.4.7 / 2.4.11: every element Tab reaches shows a focus indicator
        seen = 0
        for _ in range(60):
            page.keyboard.press("Tab")
            desc = page.evaluate(
                "() => { const e = document.activeElement;"
                " return e === document.body ? null : e.outerHTML.slice(0, 80) }"
            )
            if desc is None:
                break
            seen += 1
            if not _active(page, FOCUS_STYLE):
                problems.append(f"{kind}: no visible focus on {desc}")
        assert seen > 3, f"{kind}: Tab reached only {seen} elements"
        # 2.5.8: targets at least 24x24 CSS px
        problems += [
            f"{kind}: small target {t}"
            for t in page.evaluate(SMALL_TARGETS, MIN_TARGET)
        ]
        problems += [f"{kind}: axe {v}" for v in _axe_serious(page)]

    # 1.4.10 reflow at 200%: a 640x1280 CSS px window at 200% zoom is 320 CSS px
    # wide; Chromium's page zoom is the same as a 320 px CSS viewport with a
    # device scale factor of 2 (the layout sees 320 CSS px), so the check runs in
    # a 320-wide viewport, and the 360-wide phone above is the 100% case.
    cookies = page.context.cookies()
    # Not is_mobile: a mobile layout viewport widens to fit overflowing content,
    # which would hide the very scroll this looks for.
    narrow = browser.new_context(
        viewport={"width": 320, "height": 640}, device_scale_factor=2
    )
    narrow.add_cookies(cookies)
    small = narrow.new_page()
    for kind, path in pages.items():
        small.goto(f"{base}{path}")
        size = small.evaluate(OVERFLOW)
        if size["scroll"] > min(size["inner"], 320):
            problems.append(f"{kind}: scrolls sideways at 320 px ({size})")
    narrow.close()
    return problems


def test_focus_targets_and_reflow_on_each_page_type(
    page: Page, browser, live_server, world: World
):
    _sign_in(page, live_server.url, "kb@example.org")
    problems = _focus_target_reflow_problems(
        page, browser, live_server.url, world.pages()
    )
    assert not problems, "\n".join(problems)


class StaffWorld:
    """A cohort with a mentor, an organisation administrator and a learner."""

    def __init__(self) -> None:
        from cpd import services
        from cpd.models import Role
        from forums.services.forums import forum_for_cohort
        from forums.services.posting import post_create, thread_create
        from tests.factories.mentoring import (
            ConversationFactory,
            MessageFactory,
            PairingFactory,
        )

        learner = UserFactory(display_name="Zawadi")
        self.mentor = UserFactory(email="mentor@example.org", display_name="Dr Amina")
        self.admin = UserFactory(email="admin@example.org", display_name="Juma")
        membership = MembershipFactory(user=learner)
        self.cohort = cohort = membership.cohort
        self.org = cohort.organisation
        self.org.admins.add(self.admin)
        services.membership_add(cohort=cohort, user=self.mentor, role=Role.MENTOR)
        self.learner = learner
        self.course = course_for(cohort, lessons=2, title="Postpartum haemorrhage")
        thread, _ = thread_create(
            actor=learner,
            forum=forum_for_cohort(cohort),
            title="Oxytocin storage",
            body="Where do we keep it?",
        )
        post_create(actor=self.mentor, thread=thread, body="In the fridge, 2-8 °C.")
        PairingFactory(cohort=cohort, mentor=self.mentor, learner=learner)
        self.conversation = ConversationFactory(
            cohort=cohort, mentor=self.mentor, learner=learner
        )
        MessageFactory(conversation=self.conversation, body="Can we talk at 2?")

    def mentor_pages(self) -> dict[str, str]:
        return {
            "mentoring": reverse("mentoring-home"),
            "conversation": reverse(
                "mentoring-conversation", args=[self.conversation.pk]
            ),
            "mentor dashboard": reverse("mentoring-dashboard", args=[self.cohort.pk]),
            "learner report": reverse(
                "learner-report", args=[self.cohort.pk, self.learner.pk]
            ),
            "moderation": reverse("forums-moderation"),
        }

    def admin_pages(self) -> dict[str, str]:
        cohort, org = self.cohort, self.org
        return {
            "organisation": reverse("admin-organisation", args=[org.pk]),
            "cohort": reverse("cohort-detail", args=[cohort.pk]),
            "cohort report": reverse("cohort-report", args=[cohort.pk]),
            "course report": reverse("courses-report", args=[self.course.pk]),
            "members": reverse("admin-cohort-members", args=[cohort.pk]),
            "invitations": reverse("cohort-invitations", args=[cohort.pk]),
            "enrolment": reverse("enrolment-upload", args=[cohort.pk]),
            "delivery log": reverse("notifications-delivery-log", args=[cohort.pk]),
            "audit": reverse("organisation-audit", args=[org.pk]),
        }


@pytest.mark.parametrize("role", ["mentor", "admin"])
def test_focus_targets_and_reflow_on_mentor_and_admin_pages(
    page: Page, browser, live_server, transactional_db, role
):
    staff = StaffWorld()
    _sign_in(page, live_server.url, f"{role}@example.org")
    pages = staff.mentor_pages() if role == "mentor" else staff.admin_pages()
    problems = _focus_target_reflow_problems(page, browser, live_server.url, pages)
    assert not problems, "\n".join(problems)
