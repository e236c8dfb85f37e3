"""The cohort progress table at scale: paged, sorted, streamed CSV, bounded queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses import selectors
from courses.services import progress, quizzes
from courses.views import PROGRESS_PAGE_SIZE
from cpd import services as cpd_services
from tests.conftest import client_as
from tests.factories.courses import QuizFactory, course_for, question_with
from tests.factories.cpd import UserFactory


@pytest.fixture
def course(world):
    return course_for(world.cohort, lessons=3)


def _enrol(world, n, prefix="Learner"):
    users = [UserFactory(display_name=f"{prefix} {i:03d}") for i in range(n)]
    for user in users:
        cpd_services.membership_add(cohort=world.cohort, user=user, role="learner")
    return users


def _queries(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
        if response.streaming:
            b"".join(response.streaming_content)
        assert response.status_code == 200
    return len(ctx.captured_queries)


def test_table_is_paged_by_name(client, world, course):
    _enrol(world, PROGRESS_PAGE_SIZE + 10)
    client_as(client, world.mentor_of_cohort)
    url = reverse("courses-progress", args=[world.cohort.pk])
    first = client.get(url)
    body = first.content.decode()
    assert body.count("<tr><td>") == PROGRESS_PAGE_SIZE
    assert 'rel="next"' in body
    assert "Learner 000" in body
    second = client.get(url, {"page": 2}).content.decode()
    # world.learner ("Learner A") sorts after the numbered ones
    assert second.count("<tr><td>") == 11
    assert "Learner 000" not in second
    assert "Learner 059" in second
    # a page past the end shows the last page rather than an error
    last = client.get(url, {"page": 99}).content.decode()
    assert last.count("<tr><td>") == 11
    assert "Learner 059" in last


def test_sort_by_lessons_and_by_last_activity(client, world, course):
    quiet, busy, recent = _enrol(world, 3, prefix="Sorted")
    lessons = list(course.modules.get().lessons.all())
    for lesson in lessons:
        progress.lesson_complete(user=busy, lesson=lesson)
    progress.lesson_visit(user=recent, lesson=lessons[0])
    client_as(client, world.mentor_of_cohort)
    url = reverse("courses-progress", args=[world.cohort.pk])
    by_lessons = client.get(url, {"sort": "lessons"}).content.decode()
    assert by_lessons.index("Sorted 001") < by_lessons.index("Sorted 000")
    by_active = client.get(url, {"sort": "active"}).content.decode()
    # most recent first; never-active learners last
    assert by_active.index("Sorted 002") < by_active.index("Sorted 001")
    assert by_active.index("Sorted 001") < by_active.index("Sorted 000")
    # an unknown sort falls back to the name
    assert client.get(url, {"sort": "drop table"}).status_code == 200


def test_cohort_gain_counts_every_learner_not_only_the_page(world, course):
    pre = QuizFactory(course=course, kind="pre")
    post = QuizFactory(course=course, kind="post")
    qs = {
        q: [question_with(q, "single", [("A", True), ("B", False)]) for _ in range(2)]
        for q in (pre, post)
    }

    def sit(user, quiz, right):
        attempt = quizzes.attempt_start(user=user, quiz=quiz)
        answers = {
            q.pk: [c.pk for c in q.choices.all() if c.is_correct == (i < right)]
            for i, q in enumerate(qs[quiz])
        }
        quizzes.attempt_submit(user=user, attempt=attempt, answers=answers)

    a, b, c = _enrol(world, 3, prefix="Gain")
    sit(a, pre, 0)
    sit(a, post, 2)  # +100
    sit(b, pre, 1)
    sit(b, post, 1)  # +0
    sit(b, post, 2)  # best post counts: +50
    sit(c, pre, 1)  # pre only
    summary = selectors.cohort_gain_summary(world.cohort)
    every = selectors.learner_progress_for_cohort(
        cohort=world.cohort, user_ids=[u.pk for u in (a, b, c, world.learner)]
    )
    per_learner = selectors.cohort_knowledge_gain(every)
    fields = ("mean_gain", "with_both", "pre_only", "post_only")
    assert [getattr(summary, f) for f in fields] == [
        getattr(per_learner, f) for f in fields
    ]
    assert (summary.mean_gain, summary.with_both, summary.pre_only) == (75.0, 2, 1)
    # another cohort's attempts do not count
    assert selectors.cohort_gain_summary(world.other_cohort).with_both == 0


def test_csv_streams_every_learner_in_batches(client, world, course, monkeypatch):
    from courses.selectors import progress as progress_selectors

    monkeypatch.setattr(progress_selectors, "EXPORT_BATCH", 4)
    users = _enrol(world, 10)
    progress.lesson_complete(user=users[3], lesson=course.modules.get().lessons.first())
    client_as(client, world.mentor_of_cohort)
    response = client.get(
        reverse("courses-progress", args=[world.cohort.pk]), {"format": "csv"}
    )
    assert response.streaming
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert len(lines) == 1 + 11  # header, the ten and Learner A
    assert lines[4].startswith("Learner 003,")
    assert ",1,3," in lines[4]


def test_table_and_csv_queries_are_bounded_as_the_cohort_grows(client, world, course):
    client_as(client, world.mentor_of_cohort)
    url = reverse("courses-progress", args=[world.cohort.pk])
    lesson = course.modules.get().lessons.first()
    for user in _enrol(world, 5, prefix="Few"):
        progress.lesson_complete(user=user, lesson=lesson)
    small = {
        sort: _queries(client, url, {"sort": sort}) for sort in selectors.PROGRESS_SORTS
    }
    small_csv = _queries(client, url, {"format": "csv"})
    for user in _enrol(world, PROGRESS_PAGE_SIZE * 2, prefix="Many"):
        progress.lesson_complete(user=user, lesson=lesson)
    for sort in selectors.PROGRESS_SORTS:
        assert _queries(client, url, {"sort": sort}) == small[sort] <= 16
    # one batch (EXPORT_BATCH is 500): the CSV costs the same
    assert _queries(client, url, {"format": "csv"}) == small_csv <= 16


def test_api_is_paged_with_a_cursor(api_client, world, course):
    _enrol(world, 30)
    api_client.force_authenticate(world.mentor_of_cohort)
    url = reverse("api-cohort-progress", args=[world.cohort.pk])
    first = api_client.get(url).json()
    assert len(first["results"]) == 25
    assert first["next"]
    second = api_client.get(first["next"]).json()
    seen = [r["user_id"] for r in first["results"] + second["results"]]
    assert len(seen) == len(set(seen)) == 31
    assert second["next"] is None


def test_outline_shows_the_post_test_passed_from_its_one_read(
    client, api_client, world
):
    course = course_for(world.cohort, lessons=1)
    post = QuizFactory(course=course, kind="post", pass_percent=50)
    question = question_with(post, "single", [("Right", True), ("Wrong", False)])
    other = course_for(world.cohort, lessons=1)
    other_post = QuizFactory(course=other, kind="post")
    question_with(other_post, "single", [("Right", True), ("Wrong", False)])

    def outline():
        api_client.force_authenticate(world.learner)
        url = reverse("api-course-detail", args=[course.pk])
        return api_client.get(url).json()["completion"]

    assert outline()["post_test_passed"] is False
    attempt = quizzes.attempt_start(user=world.learner, quiz=post)
    right = [c.pk for c in question.choices.all() if c.is_correct]
    quizzes.attempt_submit(
        user=world.learner, attempt=attempt, answers={question.pk: right}
    )
    assert outline()["post_test_passed"] is True
    page = client_as(client, world.learner).get(
        reverse("courses-course", args=[course.pk])
    )
    assert "✓ Pass the post-test" in page.content.decode()
    # passing one course's post-test passes nothing elsewhere
    other_page = client.get(reverse("courses-course", args=[other.pk]))
    assert "✓ Pass the post-test" not in other_page.content.decode()
