"""Course pages and API by role; bad input; query budgets."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses.models import Certificate
from courses.services import progress, quizzes
from cpd import services as cpd_services
from tests.conftest import ROLES, client_as
from tests.factories.courses import QuizFactory, course_for, question_with
from tests.factories.cpd import UserFactory

SEES = {"learner", "mentor_of_cohort", "org_admin"}
READS_PROGRESS = {"mentor_of_cohort", "org_admin"}


@pytest.fixture
def course(world):
    course = course_for(world.cohort, lessons=2, title="Newborn resuscitation")
    quiz = QuizFactory(course=course, kind="post", title="Post-test")
    question_with(quiz, "single", [("Dry and stimulate", True), ("Wait", False)])
    return course


def lesson_of(course):
    return course.modules.get().lessons.first()


@pytest.mark.parametrize("role", ROLES)
def test_course_lesson_and_quiz_pages_by_role(client, world, course, role):
    client_as(client, world.user(role))
    quiz = course.quizzes.get()
    urls = [
        reverse("courses-course", args=[course.pk]),
        reverse("courses-lesson", args=[lesson_of(course).pk]),
        reverse("courses-quiz", args=[quiz.pk]),
    ]
    for url in urls:
        status = client.get(url).status_code
        if role == "anonymous":
            assert status == 302
        else:
            assert status == (200 if role in SEES else 404), url


@pytest.mark.parametrize("role", ROLES)
def test_my_courses_lists_only_assigned_courses(client, world, course, role):
    response = client_as(client, world.user(role)).get(reverse("courses-home"))
    if role == "anonymous":
        assert response.status_code == 302
        return
    assert ("Newborn resuscitation" in response.content.decode()) is (role in SEES)


@pytest.mark.parametrize("role", ROLES)
def test_progress_table_by_role(client, world, course, role):
    response = client_as(client, world.user(role)).get(
        reverse("courses-progress", args=[world.cohort.pk])
    )
    if role == "anonymous":
        assert response.status_code == 302
    elif role in READS_PROGRESS:
        assert response.status_code == 200
        assert "Learner A" in response.content.decode()
    elif role in SEES:
        assert response.status_code == 403
    else:
        assert response.status_code == 404


def test_progress_csv(client, world, course):
    progress.lesson_complete(user=world.learner, lesson=lesson_of(course))
    client_as(client, world.mentor_of_cohort)
    response = client.get(
        reverse("courses-progress", args=[world.cohort.pk]) + "?format=csv"
    )
    assert response.streaming
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].startswith("learner,cadre,district,lessons_completed")
    assert lines[1].startswith("Learner A,nurse,Kisumu,1,2")


def test_attempt_is_only_its_owners(client, world, course):
    attempt = quizzes.attempt_start(user=world.learner, quiz=course.quizzes.get())
    url = reverse("courses-attempt", args=[attempt.pk])
    assert client_as(client, world.learner).get(url).status_code == 200
    assert client_as(client, world.mentor_of_cohort).get(url).status_code == 404


def test_quiz_page_flow_shows_feedback(client, world, course):
    client_as(client, world.learner)
    quiz = course.quizzes.get()
    start = client.post(reverse("courses-quiz", args=[quiz.pk]))
    attempt_url = start["Location"]
    q = quiz.questions.get()
    good = q.choices.get(is_correct=True)
    done = client.post(attempt_url, {f"q{q.pk}": good.pk})
    assert done.status_code == 302
    body = client.get(attempt_url).content.decode()
    assert "Your score: 100.0%" in body
    assert "Because the guideline says so." in body


def test_quiz_page_bad_input_is_400_and_not_saved(client, world, course):
    client_as(client, world.learner)
    quiz = course.quizzes.get()
    attempt_url = client.post(reverse("courses-quiz", args=[quiz.pk]))["Location"]
    q = quiz.questions.get()
    response = client.post(attempt_url, {f"q{q.pk}": "999999"})
    assert response.status_code == 400
    assert "not part of this question" in response.content.decode()


def test_certificate_verification_shows_only_what_it_should(client, world, course):
    cert = Certificate.objects.create(user=world.learner, course=course, hours=2)
    body = client.get(reverse("courses-verify", args=[cert.code])).content.decode()
    assert "Learner A" in body
    assert "Newborn resuscitation" in body
    assert "Valid" in body
    assert world.learner.email not in body
    assert client.get(reverse("courses-verify", args=["NOPE"])).status_code == 404
    own = reverse("courses-certificate", args=[cert.code])
    assert client_as(client, world.learner).get(own).status_code == 200
    assert client_as(client, world.mentor_of_cohort).get(own).status_code == 404


def test_lesson_beat_records_time(client, world, course):
    client_as(client, world.learner)
    lesson = lesson_of(course)
    response = client.post(
        reverse("courses-lesson-beat", args=[lesson.pk]), {"seconds": "45"}
    )
    assert response.json()["seconds_spent"] == 45


def test_mark_complete_moves_to_the_next_lesson(client, world, course):
    client_as(client, world.learner)
    lessons = list(course.modules.get().lessons.all())
    response = client.post(reverse("courses-lesson-complete", args=[lessons[0].pk]))
    assert response["Location"] == reverse("courses-lesson", args=[lessons[1].pk])


# --- API ---


@pytest.mark.parametrize("role", ROLES)
def test_api_course_detail_by_role(api_client, world, course, role):
    user = world.user(role)
    if user.is_authenticated:
        api_client.force_authenticate(user)
    status = api_client.get(reverse("api-course-detail", args=[course.pk])).status_code
    if role == "anonymous":
        assert status in (401, 403)
    else:
        assert status == (200 if role in SEES else 404)


def test_api_quiz_without_answers_then_feedback(api_client, world, course):
    api_client.force_authenticate(world.learner)
    quiz = course.quizzes.get()
    started = api_client.post(reverse("api-attempt-start", args=[quiz.pk])).json()
    assert "is_correct" not in str(started["questions"])
    q = started["questions"][0]
    good = quiz.questions.get().choices.get(is_correct=True).pk
    url = reverse("api-attempt-submit", args=[started["id"]])
    result = api_client.post(
        url, {"answers": {str(q["id"]): [good]}}, format="json"
    ).json()
    assert result["score_percent"] == "100.0"
    assert result["feedback"][0]["right_choices"] == [good]
    wrong = quiz.questions.get().choices.get(is_correct=False).pk
    again = api_client.post(url, {"answers": {str(q["id"]): [wrong]}}, format="json")
    assert again.json()["score_percent"] == "100.0"  # the recorded result stands


def test_api_bad_answers_are_400_with_fields(api_client, world, course):
    api_client.force_authenticate(world.learner)
    quiz = course.quizzes.get()
    started = api_client.post(reverse("api-attempt-start", args=[quiz.pk])).json()
    url = reverse("api-attempt-submit", args=[started["id"]])
    assert api_client.post(url, {}, format="json").status_code == 400
    unknown = api_client.post(url, {"answers": {"abc": [1]}}, format="json")
    assert unknown.status_code == 400
    other = api_client.post(url, {"answers": {"999999": [1]}}, format="json")
    assert other.status_code == 400
    assert "answers" in other.json()


@pytest.mark.parametrize("role", ["learner", "mentor_of_cohort", "outsider"])
def test_api_progress_by_role(api_client, world, course, role):
    api_client.force_authenticate(world.user(role))
    status = api_client.get(
        reverse("api-cohort-progress", args=[world.cohort.pk])
    ).status_code
    assert status == {"learner": 403, "mentor_of_cohort": 200, "outsider": 404}[role]


# --- query budgets ---


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_pages_cost_the_same_with_ten_times_the_content(client, world):
    small = course_for(world.cohort, lessons=2)
    QuizFactory(course=small, kind="post")  # the outline shows "post-test passed"
    client_as(client, world.learner)
    lesson = small.modules.get().lessons.first()
    urls = lambda c, lesson: [  # noqa: E731
        reverse("courses-home"),
        reverse("courses-course", args=[c.pk]),
        reverse("courses-lesson", args=[lesson.pk]),
    ]
    for url in urls(small, lesson):
        client.get(url)  # first visit creates the progress row
    before = [_count(client, u) for u in urls(small, lesson)]
    # an absolute ceiling: my courses, the outline and a lesson at most 10 each
    # (the layout's notification bell included; the session is read from the
    # cache)
    assert max(before) <= 10, before
    big = course_for(world.cohort, lessons=20)
    for _ in range(9):
        course_for(world.cohort, lessons=2)
    big_lesson = big.modules.get().lessons.first()
    for url in urls(big, big_lesson):
        client.get(url)
    assert [_count(client, u) for u in urls(big, big_lesson)] == before


def test_progress_table_costs_the_same_with_ten_times_the_learners(
    client, world, course
):
    client_as(client, world.mentor_of_cohort)
    url = reverse("courses-progress", args=[world.cohort.pk])
    before = _count(client, url)
    for user in UserFactory.create_batch(10):
        cpd_services.membership_add(cohort=world.cohort, user=user, role="learner")
        progress.lesson_complete(user=user, lesson=lesson_of(course))
    assert _count(client, url) == before


def test_each_cohort_discusses_a_course_in_its_own_forum(client, world, course):
    from courses.models import CourseAssignment
    from forums.models import Forum

    CourseAssignment.objects.create(cohort=world.other_cohort, course=course)
    body = client_as(client, world.learner).get(
        reverse("courses-course", args=[course.pk])
    )
    assert "Discuss this course" in body.content.decode()
    forum = Forum.objects.get(course=course, cohort=world.cohort)
    # the same page again makes nothing new; the other cohort's forum stays apart
    client.get(reverse("courses-course", args=[course.pk]))
    assert Forum.objects.filter(course=course).count() == 1
    client_as(client, world.other_learner).get(
        reverse("courses-course", args=[course.pk])
    )
    other = Forum.objects.get(course=course, cohort=world.other_cohort)
    assert other != forum
    assert client.get(reverse("forums-forum", args=[forum.pk])).status_code == 404
    client_as(client, world.learner)
    assert client.get(reverse("forums-forum", args=[forum.pk])).status_code == 200
