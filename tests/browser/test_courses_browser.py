"""A learner on a phone opens a course, completes a lesson and takes the quiz."""

import pytest
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
