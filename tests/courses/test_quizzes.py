"""Quiz scoring on the server, for every question type and every misuse."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from courses.models import Attempt, Certificate
from courses.services import progress, quizzes
from tests.factories.courses import QuizFactory, course_for, question_with


@pytest.fixture
def course(world):
    return course_for(world.cohort, lessons=2)


@pytest.fixture
def quiz(course):
    return QuizFactory(course=course, pass_percent=70)


def right(q):
    return [c.pk for c in q.choices.all() if c.is_correct]


def wrong(q):
    return [c.pk for c in q.choices.all() if not c.is_correct]


def submit(world, quiz, answers_for):
    attempt = quizzes.attempt_start(user=world.learner, quiz=quiz)
    return quizzes.attempt_submit(
        user=world.learner, attempt=attempt, answers=answers_for
    )


def test_single_choice_and_true_false(world, quiz):
    single = question_with(quiz, "single", [("Atony", True), ("Trauma", False)])
    tf = question_with(quiz, "true_false", [("True", True), ("False", False)])
    attempt = submit(world, quiz, {single.pk: right(single), tf.pk: wrong(tf)})
    assert attempt.score_percent == Decimal("50.0")
    assert not attempt.passed


@pytest.mark.parametrize(
    ("picked", "credit"),
    [
        ("AB", Decimal("1")),  # both right ones
        ("A", Decimal("0.5")),  # one of two right
        ("ABC", Decimal("0.5")),  # two right, one wrong: (2 - 1) / 2
        ("AC", Decimal("0")),  # one right, one wrong
        ("ABCD", Decimal("0")),  # ticking every box earns nothing
        ("", Decimal("0")),
    ],
)
def test_multiple_choice_partial_credit_rule(world, quiz, picked, credit):
    q = question_with(
        quiz, "multiple", [("A", True), ("B", True), ("C", False), ("D", False)]
    )
    ids = {c.text: c.pk for c in q.choices.all()}
    attempt = submit(world, quiz, {q.pk: [ids[x] for x in picked]})
    assert attempt.answers.get().credit == credit


@pytest.mark.parametrize(
    ("given", "ok"), [("500", True), ("505", True), ("494.9", False), ("600", False)]
)
def test_numeric_answer_within_tolerance(world, quiz, given, ok):
    q = question_with(quiz, "numeric", answer="500", tolerance="5")
    attempt = submit(world, quiz, {q.pk: given})
    assert attempt.answers.get().credit == (Decimal(1) if ok else Decimal(0))


@pytest.mark.parametrize("given", ["-1e12", "1e12", "NaN", "Infinity", "ten"])
def test_bad_numbers_are_refused_and_nothing_is_saved(world, quiz, given):
    q = question_with(quiz, "numeric", answer="500")
    attempt = quizzes.attempt_start(user=world.learner, quiz=quiz)
    with pytest.raises(ValidationError) as exc:
        quizzes.attempt_submit(
            user=world.learner, attempt=attempt, answers={q.pk: given}
        )
    assert f"q{q.pk}" in exc.value.message_dict
    attempt.refresh_from_db()
    assert attempt.submitted_at is None
    assert not attempt.answers.exists()


def test_negative_number_within_range_is_scored(world, quiz):
    q = question_with(quiz, "numeric", answer="-2")
    assert submit(world, quiz, {q.pk: "-2"}).score_percent == Decimal("100.0")


def test_unknown_question_ids_are_refused(world, quiz):
    question_with(quiz, "single", [("A", True)])
    other = question_with(QuizFactory(course=quiz.course), "single", [("B", True)])
    attempt = quizzes.attempt_start(user=world.learner, quiz=quiz)
    with pytest.raises(ValidationError, match="not part of this attempt"):
        quizzes.attempt_submit(
            user=world.learner, attempt=attempt, answers={other.pk: right(other)}
        )


def test_an_option_of_another_question_is_refused(world, quiz):
    q1 = question_with(quiz, "single", [("A", True)])
    q2 = question_with(quiz, "single", [("B", True)])
    attempt = quizzes.attempt_start(user=world.learner, quiz=quiz)
    with pytest.raises(ValidationError, match="not part of this question"):
        quizzes.attempt_submit(
            user=world.learner, attempt=attempt, answers={q1.pk: right(q2)}
        )


def test_two_options_on_a_single_choice_question_are_refused(world, quiz):
    q = question_with(quiz, "single", [("A", True), ("B", False)])
    attempt = quizzes.attempt_start(user=world.learner, quiz=quiz)
    with pytest.raises(ValidationError, match="Choose one"):
        quizzes.attempt_submit(
            user=world.learner, attempt=attempt, answers={q.pk: right(q) + wrong(q)}
        )


def test_unanswered_questions_score_zero(world, quiz):
    q1 = question_with(quiz, "single", [("A", True)])
    question_with(quiz, "single", [("B", True)])
    assert submit(world, quiz, {q1.pk: right(q1)}).score_percent == Decimal("50.0")


def test_double_submit_is_recorded_once(world, quiz):
    q = question_with(quiz, "single", [("A", True), ("B", False)])
    attempt = quizzes.attempt_start(user=world.learner, quiz=quiz)
    first = quizzes.attempt_submit(
        user=world.learner, attempt=attempt, answers={q.pk: right(q)}
    )
    again = quizzes.attempt_submit(
        user=world.learner, attempt=attempt, answers={q.pk: wrong(q)}
    )
    assert again.score_percent == first.score_percent == Decimal("100.0")
    assert attempt.answers.count() == 1


def test_time_limit_is_enforced_on_the_server(world, quiz):
    quiz.time_limit_minutes = 10
    quiz.save()
    q = question_with(quiz, "single", [("A", True)])
    attempt = quizzes.attempt_start(user=world.learner, quiz=quiz)
    Attempt.objects.filter(pk=attempt.pk).update(
        started_at=timezone.now() - dt.timedelta(minutes=11)
    )
    result = quizzes.attempt_submit(
        user=world.learner, attempt=attempt, answers={q.pk: right(q)}
    )
    assert result.expired
    assert result.score_percent == 0


def test_attempt_limit(world, quiz):
    quiz.max_attempts = 2
    quiz.save()
    q = question_with(quiz, "single", [("A", True)])
    for _ in range(2):
        submit(world, quiz, {q.pk: right(q)})
    with pytest.raises(ValidationError, match="all 2 attempts"):
        quizzes.attempt_start(user=world.learner, quiz=quiz)


def test_open_attempt_is_resumed_not_duplicated(world, quiz):
    question_with(quiz, "single", [("A", True)])
    first = quizzes.attempt_start(user=world.learner, quiz=quiz)
    assert quizzes.attempt_start(user=world.learner, quiz=quiz).pk == first.pk


def test_random_draw_takes_n_questions(world, quiz):
    quiz.draw = 3
    quiz.save()
    for _ in range(6):
        question_with(quiz, "single", [("A", True)])
    attempt = quizzes.attempt_start(user=world.learner, quiz=quiz)
    assert len(set(attempt.question_ids)) == 3


def test_someone_elses_attempt_cannot_be_submitted(world, quiz):
    question_with(quiz, "single", [("A", True)])
    attempt = quizzes.attempt_start(user=world.learner, quiz=quiz)
    with pytest.raises(PermissionDenied):
        quizzes.attempt_submit(user=world.mentor_of_cohort, attempt=attempt, answers={})


def test_outsider_cannot_start(world, quiz):
    question_with(quiz, "single", [("A", True)])
    with pytest.raises(PermissionDenied):
        quizzes.attempt_start(user=world.outsider, quiz=quiz)


def test_certificate_after_all_lessons_and_a_passed_post_test(world, course):
    post = QuizFactory(course=course, kind="post", pass_percent=50)
    q = question_with(post, "single", [("A", True), ("B", False)])
    lessons = list(course.modules.get().lessons.all())
    progress.lesson_complete(user=world.learner, lesson=lessons[0])
    submit(world, post, {q.pk: right(q)})
    assert not Certificate.objects.exists()  # one lesson still to do
    progress.lesson_complete(user=world.learner, lesson=lessons[1])
    certificate = Certificate.objects.get(user=world.learner, course=course)
    assert certificate.hours == course.cpd_hours
    progress.lesson_complete(user=world.learner, lesson=lessons[1])
    assert Certificate.objects.count() == 1


# Found by mutation testing (docs/testing.md): each test below failed with a
# mutant of courses.services.quizzes that the tests above let live.


def test_a_blank_numeric_answer_scores_zero_without_an_error(world, quiz):
    q = question_with(quiz, "numeric", answer="500")
    for blank in ("", None):
        attempt = submit(world, quiz, {q.pk: blank})
        assert attempt.answers.get().credit == Decimal(0)
        Attempt.objects.all().delete()


def test_a_numeric_question_without_an_answer_gives_no_credit(world, quiz):
    q = question_with(quiz, "numeric")
    assert submit(world, quiz, {q.pk: "500"}).answers.get().credit == Decimal(0)


def test_a_numeric_answer_sent_as_a_list_uses_its_first_value(world, quiz):
    q = question_with(quiz, "numeric", answer="500")
    attempt = submit(world, quiz, {q.pk: ["500", "9"]})
    assert attempt.answers.get().credit == Decimal(1)


def test_the_range_limit_itself_is_refused(world, quiz):
    q = question_with(quiz, "numeric", answer="500")
    attempt = quizzes.attempt_start(user=world.learner, quiz=quiz)
    with pytest.raises(ValidationError) as exc:
        quizzes.attempt_submit(
            user=world.learner, attempt=attempt, answers={q.pk: str(quizzes.MAX_NUMBER)}
        )
    assert exc.value.message_dict == {f"q{q.pk}": ["That number is out of range."]}


def test_a_word_for_a_number_names_the_field(world, quiz):
    q = question_with(quiz, "numeric", answer="500")
    attempt = quizzes.attempt_start(user=world.learner, quiz=quiz)
    with pytest.raises(ValidationError) as exc:
        quizzes.attempt_submit(
            user=world.learner, attempt=attempt, answers={q.pk: "ten"}
        )
    assert exc.value.message_dict == {f"q{q.pk}": ["Enter a number."]}


def test_a_multiple_choice_question_with_no_right_option_gives_no_credit(world, quiz):
    q = question_with(quiz, "multiple", [("A", False), ("B", False)])
    attempt = submit(world, quiz, {q.pk: []})
    assert attempt.answers.get().credit == Decimal(0)


def test_a_choice_sent_as_one_value_or_blank(world, quiz):
    q = question_with(quiz, "single", [("A", True), ("B", False)])
    assert submit(world, quiz, {q.pk: str(right(q)[0])}).score_percent == 100
    Attempt.objects.all().delete()
    assert submit(world, quiz, {q.pk: ""}).score_percent == 0


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (["x"], "Choose from the options."),
        ([987654], "That option is not part of this question."),
        ("both", "Choose one option."),
    ],
)
def test_a_bad_choice_names_the_field_and_the_reason(world, quiz, answer, message):
    q = question_with(quiz, "single", [("A", True), ("B", False)])
    if answer == "both":
        answer = right(q) + wrong(q)
    attempt = quizzes.attempt_start(user=world.learner, quiz=quiz)
    with pytest.raises(ValidationError) as exc:
        quizzes.attempt_submit(
            user=world.learner, attempt=attempt, answers={q.pk: answer}
        )
    assert exc.value.message_dict == {f"q{q.pk}": [message]}


def test_an_answer_within_the_time_limit_counts(world, quiz):
    quiz.time_limit_minutes = 10
    quiz.save()
    q = question_with(quiz, "single", [("A", True)])
    attempt = quizzes.attempt_start(user=world.learner, quiz=quiz)
    Attempt.objects.filter(pk=attempt.pk).update(
        started_at=timezone.now() - dt.timedelta(minutes=5)
    )
    result = quizzes.attempt_submit(
        user=world.learner, attempt=attempt, answers={q.pk: right(q)}
    )
    assert not result.expired
    assert result.score_percent == 100
    deadline = quizzes.attempt_deadline(result)
    assert deadline is not None
    assert deadline > timezone.now()


def test_a_quiz_of_an_archived_cohort_cannot_be_started(world, quiz):
    question_with(quiz, "single", [("A", True)])
    world.cohort.archived_at = timezone.now()
    world.cohort.save()
    with pytest.raises(PermissionDenied, match="archived"):
        quizzes.attempt_start(user=world.learner, quiz=quiz)
