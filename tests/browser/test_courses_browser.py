"""A learner on a phone opens a course, completes a lesson and takes the quiz."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.factories.courses import QuizFactory, course_for, question_with
from tests.factories.cpd import PASSWORD, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_lesson_then_quiz_with_feedback(page: Page, live_server):
    user = UserFactory(email="nurse@example.org", display_name="Amani")
    membership = MembershipFactory(user=user)
    course = course_for(membership.cohort, lessons=2, title="Newborn resuscitation")
    quiz = QuizFactory(course=course, kind="post", title="Check your knowledge")
    question_with(
        quiz, "single", [("Dry and stimulate", True), ("Wait 5 minutes", False)]
    )
    question_with(quiz, "numeric", answer="60", tolerance="0")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Login").fill("nurse@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # open the course and its first lesson
    page.get_by_role("link", name="Courses", exact=True).click()
    page.get_by_role("link", name="Newborn resuscitation").click()
    page.get_by_role("link", name="Next lesson:").click()
    expect(page.locator("#lesson")).to_contain_text("oxytocin")
    page.get_by_role("button", name="Mark complete").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        course.modules.get().lessons.last().title
    )
    # take the quiz: one right, one wrong
    page.goto(f"{live_server.url}/courses/{course.pk}/")
    page.get_by_role("link", name="Check your knowledge").click()
    page.get_by_role("button", name="Start or continue").click()
    page.get_by_label("Dry and stimulate").check()
    page.get_by_label("Your answer").fill("30")
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_role("heading", name="Your score: 50.0%")).to_be_visible()
    expect(page.get_by_text("Because the guideline says so.").first).to_be_visible()
    page.screenshot(path="test-results/quiz-feedback-360.png", full_page=True)


def test_mentor_schedules_a_session_and_taps_attendance(page: Page, live_server):
    from courses.models import Attendance, Session
    from cpd.models import Role

    mentor = UserFactory(email="mentor@example.org", display_name="Dr Wanjiru")
    cohort = MembershipFactory(user=mentor, role=Role.MENTOR).cohort
    learner = MembershipFactory(cohort=cohort, user__display_name="Baraka").user
    course_for(cohort, lessons=1, title="Newborn resuscitation")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Login").fill("mentor@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Courses", exact=True).click()
    page.get_by_role("link", name="Schedule a session").click()
    page.get_by_label("Title").fill("Bag-and-mask drill")
    page.get_by_label("Place").fill("Skills lab")
    start = timezone.localtime() + dt.timedelta(minutes=30)
    page.get_by_label("Starts").fill(start.strftime("%Y-%m-%dT%H:%M"))
    early = start - dt.timedelta(hours=1)
    page.get_by_label("Ends").fill(early.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Schedule").click()
    # bad input: the form comes back with the message and what was typed
    expect(page.get_by_text("The session must end after it starts.")).to_be_visible()
    expect(page.get_by_label("Place")).to_have_value("Skills lab")
    end = start + dt.timedelta(hours=2)
    page.get_by_label("Ends").fill(end.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Schedule").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bag-and-mask drill")
    button = page.get_by_role("button", name="Baraka")
    button.click()
    expect(page.get_by_role("button", name="✓ Baraka")).to_have_attribute(
        "aria-pressed", "true"
    )
    page.screenshot(path="test-results/attendance-360.png", full_page=True)
    session = Session.objects.get()
    assert Attendance.objects.filter(session=session, user=learner).exists()
