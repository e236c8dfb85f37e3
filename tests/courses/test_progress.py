"""Progress, knowledge gain, certificates: selectors and the mentoring contract."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses import selectors
from courses.services import progress, quizzes
from tests.factories.courses import QuizFactory, course_for, question_with


@pytest.fixture
def tests_(world):
    course = course_for(world.cohort, lessons=3)
    pre = QuizFactory(course=course, kind="pre")
    post = QuizFactory(course=course, kind="post")
    qs = {
        quiz: [
            question_with(quiz, "single", [("A", True), ("B", False)]) for _ in range(4)
        ]
        for quiz in (pre, post)
    }
    return course, pre, post, qs


def sit(user, quiz, questions, right_count):
    attempt = quizzes.attempt_start(user=user, quiz=quiz)
    answers = {}
    for i, q in enumerate(questions):
        answers[q.pk] = [
            c.pk for c in q.choices.all() if c.is_correct == (i < right_count)
        ]
    return quizzes.attempt_submit(user=user, attempt=attempt, answers=answers)


def test_gain_per_learner_and_cohort_mean(world, tests_):
    course, pre, post, qs = tests_
    other = world.other_learner
    from cpd import services as cpd_services

    cpd_services.membership_add(cohort=world.cohort, user=other, role="learner")
    sit(world.learner, pre, qs[pre], 1)  # 25%
    sit(world.learner, post, qs[post], 4)  # 100%
    sit(other, pre, qs[pre], 2)  # 50%, no post-test yet
    rows = selectors.learner_progress_for_cohort(
        cohort=world.cohort, user_ids=[world.learner.pk, other.pk]
    )
    assert rows[world.learner.pk].knowledge_gain == 75.0
    assert rows[other.pk].pre_percent == 50.0
    assert rows[other.pk].knowledge_gain is None
    gain = selectors.cohort_knowledge_gain(rows)
    assert (gain.mean_gain, gain.with_both, gain.pre_only, gain.post_only) == (
        75.0,
        1,
        1,
        0,
    )


def test_best_attempt_counts_for_pre_and_post(world, tests_):
    _course, pre, post, qs = tests_
    sit(world.learner, pre, qs[pre], 2)
    sit(world.learner, post, qs[post], 1)
    sit(world.learner, post, qs[post], 3)
    row = selectors.learner_progress_for_cohort(
        cohort=world.cohort, user_ids=[world.learner.pk]
    )[world.learner.pk]
    assert (row.pre_percent, row.post_percent, row.knowledge_gain) == (50.0, 75.0, 25.0)
    assert row.latest_quiz_percent == 75.0


def test_lessons_time_and_credits(world, tests_):
    course, _pre, post, qs = tests_
    lessons = list(course.modules.get().lessons.all())
    progress.lesson_visit(user=world.learner, lesson=lessons[0], seconds=30)
    record = progress.lesson_visit(
        user=world.learner, lesson=lessons[0], seconds=10_000
    )
    assert record.seconds_spent == 30 + progress.MAX_SECONDS_PER_BEAT
    for lesson in lessons:
        progress.lesson_complete(user=world.learner, lesson=lesson)
    sit(world.learner, post, qs[post], 4)
    row = selectors.learner_progress_for_cohort(
        cohort=world.cohort, user_ids=[world.learner.pk]
    )[world.learner.pk]
    assert (row.lessons_completed, row.lessons_total) == (3, 3)
    assert row.credits_earned == Decimal("2.0")
    assert row.last_activity is not None


def test_continue_where_you_left_off(world, tests_):
    course, *_ = tests_
    lessons = list(course.modules.get().lessons.all())
    assert selectors.continue_lesson_for(world.learner) is None
    progress.lesson_visit(user=world.learner, lesson=lessons[1])
    assert selectors.continue_lesson_for(world.learner) == lessons[1]
    progress.lesson_complete(user=world.learner, lesson=lessons[1])
    assert selectors.continue_lesson_for(world.learner) is None
    assert selectors.continue_lesson_for(world.outsider) is None


def test_progress_contract_costs_constant_queries(world, tests_):
    from tests.factories.cpd import UserFactory

    _course, pre, _post, qs = tests_

    def count(ids):
        with CaptureQueriesContext(connection) as ctx:
            selectors.learner_progress_for_cohort(cohort=world.cohort, user_ids=ids)
        return len(ctx.captured_queries)

    few = UserFactory.create_batch(2)
    many = UserFactory.create_batch(20)
    from cpd import services as cpd_services

    for user in few + many:
        cpd_services.membership_add(cohort=world.cohort, user=user, role="learner")
        sit(user, pre, qs[pre], 2)
    assert count([u.pk for u in few]) == count([u.pk for u in few + many])
