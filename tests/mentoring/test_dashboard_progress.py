"""The dashboard shows course figures from the courses contract and flags failing."""

from __future__ import annotations

from django.urls import reverse

from courses.services import progress, quizzes
from mentoring import selectors
from tests.conftest import client_as
from tests.factories.courses import QuizFactory, course_for, question_with


def test_progress_figures_show_and_a_low_quiz_score_needs_attention(
    client, world, paired
):
    # given a course of 4 lessons: one done, pre-test 0%, post-test 40%
    course = course_for(world.cohort, lessons=4)
    progress.lesson_complete(
        user=world.learner, lesson=course.modules.get().lessons.first()
    )
    pre = QuizFactory(course=course, kind="pre")
    post = QuizFactory(course=course, kind="post")
    pre_q = question_with(pre, "single", [("A", True), ("B", False)])
    post_qs = [
        question_with(post, "single", [("A", True), ("B", False)]) for _ in range(5)
    ]

    def sit(quiz, answers):
        attempt = quizzes.attempt_start(user=world.learner, quiz=quiz)
        quizzes.attempt_submit(user=world.learner, attempt=attempt, answers=answers)

    def pick(question, right):
        return [c.pk for c in question.choices.all() if c.is_correct == right]

    sit(pre, {pre_q.pk: pick(pre_q, False)})
    sit(post, {q.pk: pick(q, i < 2) for i, q in enumerate(post_qs)})
    (row,) = selectors.mentor_dashboard(world.mentor_of_cohort, world.cohort)
    assert row.percent_done == 25
    assert "failing quizzes" in row.reasons
    assert "inactive" not in row.reasons
    html = client_as(client, world.mentor_of_cohort).get(
        reverse("mentoring-dashboard", args=[world.cohort.pk])
    )
    text = html.content.decode()
    assert "1/4 (25%)" in text
    assert '0% <span class="flip">→</span> 40% (+40)' in text
    assert "40%" in text
