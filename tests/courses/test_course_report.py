"""The course report: figures against hand-computed values, who reads it, the
small-cell rule, "not enough data", the cohort filter and a constant query count."""

from __future__ import annotations

import statistics

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses import selectors
from courses.models import CourseAssignment, Lesson, LessonProgress
from courses.selectors.report import point_biserial
from courses.services import quizzes
from courses.services.survey import survey_attach_default, survey_respond
from cpd import services
from cpd.models import Role
from tests.conftest import ROLES, client_as
from tests.factories.courses import (
    CourseFactory,
    LessonFactory,
    ModuleFactory,
    QuizFactory,
    question_with,
)
from tests.factories.cpd import UserFactory

SEES = {"mentor_of_cohort", "org_admin"}
ROUTES = ["courses-report", "courses-report-csv", "api-course-report"]

# Right (1) or wrong (0) on the pre-test's three questions, per learner.
PRE = {"A": (1, 1, 1), "B": (1, 1, 0), "C": (1, 0, 0), "D": (0, 1, 0),
       "E": (1, 0, 0), "F": (0, 0, 0)}  # fmt: skip


def _seen(user, lesson, seconds, done=False):
    now = timezone.now()
    LessonProgress.objects.create(
        user=user,
        lesson=lesson,
        first_opened_at=now,
        last_seen_at=now,
        seconds_spent=seconds,
        completed_at=now if done else None,
    )


def _sit(user, quiz, rights):
    """One submitted attempt, right or wrong on each question in quiz order."""
    attempt = quizzes.attempt_start(user=user, quiz=quiz)
    answers = {}
    for question in quiz.questions.order_by("order", "pk"):
        right = rights[list(quiz.questions.order_by("order", "pk")).index(question)]
        answers[question.pk] = [
            c.pk for c in question.choices.all() if c.is_correct == bool(right)
        ][:1]
    return quizzes.attempt_submit(user=user, attempt=attempt, answers=answers)


@pytest.fixture
def course(world):
    """Two modules: L1, L2 | L3, L4; six learners A-F in cohort A."""
    course = CourseFactory(title="PPH")
    m1 = ModuleFactory(course=course, title="Recognise", order=1)
    m2 = ModuleFactory(course=course, title="Treat", order=2)
    lessons = [
        LessonFactory(module=m1, title="L1", order=1),
        LessonFactory(module=m1, title="L2", order=2),
        LessonFactory(module=m2, title="L3", order=1),
        LessonFactory(module=m2, title="L4", order=2),
    ]
    CourseAssignment.objects.create(cohort=world.cohort, course=course)
    people = {"A": world.learner}
    for name in "BCDEF":
        people[name] = UserFactory(display_name=f"Learner {name}")
        services.membership_add(
            cohort=world.cohort, user=people[name], role=Role.LEARNER
        )
    l1, l2, l3, l4 = lessons
    first = [("A", 60, 1), ("B", 120, 1), ("C", 180, 1),
             ("D", 240, 1), ("E", 300, 0), ("F", 600, 0)]  # fmt: skip
    for name, seconds, done in first:
        _seen(people[name], l1, seconds, bool(done))
    for name, seconds, done in [("A", 100, 1), ("B", 200, 1), ("C", 300, 1),
                                ("D", 400, 0), ("E", 500, 0)]:  # fmt: skip
        _seen(people[name], l2, seconds, bool(done))
    # F skipped L2 and opened L3; E stopped after L2.
    for name, seconds in [("A", 10), ("B", 20), ("C", 30), ("D", 40), ("F", 50)]:
        _seen(people[name], l3, seconds)
    _seen(people["A"], l4, 5)
    pre = QuizFactory(course=course, kind="pre", title="Before")
    for i in range(3):
        q = question_with(pre, "single", [("right", True), ("wrong", False)])
        q.order = i
        q.text = f"Pre {i + 1}"
        q.save()
    for name, rights in PRE.items():
        _sit(people[name], pre, rights)
    # A retake (after the feedback) does not count: first attempts only.
    _sit(people["F"], pre, (1, 1, 1))
    post = QuizFactory(course=course, kind="post", title="After")
    q = question_with(post, "single", [("right", True), ("wrong", False)])
    q.text = "Post 1"
    q.save()
    for name, right in (("A", 1), ("B", 1), ("C", 0)):
        _sit(people[name], post, (right,))
    # Another organisation's cohort takes the same course: never in A's report.
    CourseAssignment.objects.create(cohort=world.other_cohort, course=course)
    _seen(world.other_learner, l2, 9999, True)
    course.people = people
    course.lessons_ = lessons
    return course


def _report(user, course, cohort=None):
    return selectors.course_report(
        selectors.course_report_scope(user, course.pk, cohort)
    )


def test_lesson_figures_match_hand_computed_values(world, course):
    report = _report(world.org_admin, course)
    assert report.learners == 6
    l1, l2, l3, l4 = report.lessons
    assert (l1.reach, l1.reach_share, l1.completed) == (6, 100.0, 4)
    assert l1.median_seconds == 210  # (180 + 240) / 2
    assert l1.completion_share == pytest.approx(66.7)
    assert l1.drop_off is None  # the first lesson has no lesson before it
    assert (l2.reach, l2.median_seconds, l2.completed) == (5, 300, 3)
    assert l2.drop_off == pytest.approx(16.7)  # F of the six
    # F reached L3 without L2, E did not: of L2's five, only E dropped off.
    assert (l3.reach, l3.median_seconds) == (5, 30)
    assert l3.drop_off == 20.0
    # one reader: nothing shown about them
    assert l4.suppressed
    assert (l4.median_seconds, l4.completed, l4.drop_off) == (None, None, None)
    assert [m.title for m in report.modules] == ["Recognise", "Treat"]
    assert [b["width"] for b in report.modules[0].bars] == [100.0, 83.3]


def test_question_figures_match_hand_computed_values(world, course):
    report = _report(world.org_admin, course)
    by_text = {q.text: q for q in report.questions}
    q1, q2, q3 = by_text["Pre 1"], by_text["Pre 2"], by_text["Pre 3"]
    assert (q1.n, q1.correct, q1.difficulty) == (6, 4, pytest.approx(66.7))
    assert (q2.n, q2.correct, q2.difficulty) == (6, 3, 50.0)
    assert (q3.n, q3.correct, q3.difficulty) == (6, 1, pytest.approx(16.7))
    # r of right (0/1) with the rest of the attempt's score, worked by hand:
    # Q1: 2 / sqrt(8 * 20); Q2: 3 / sqrt(9 * 17); Q3: 5 / sqrt(5 * 17).
    assert q1.discrimination == 0.16
    assert q2.discrimination == 0.24
    assert q3.discrimination == 0.54
    rest = [sum(r) - r[2] for r in PRE.values()]
    right = [r[2] for r in PRE.values()]
    assert q3.discrimination == round(statistics.correlation(right, rest), 2)
    # three answers to the post-test's question: not enough to judge it
    post = by_text["Post 1"]
    assert (post.n, post.difficulty, post.enough) == (3, None, False)
    assert [q.text for q in report.most_failed] == ["Pre 3", "Pre 2", "Pre 1"]


def test_point_biserial_without_spread_is_not_a_number():
    assert point_biserial(n=5, sx=5, sy=10, sxy=10, syy=20) is None


def test_the_gain_is_the_shared_computation(world, course):
    report = _report(world.org_admin, course)
    # pre: A 100, B 66.7, C 33.3; post: A 100, B 100, C 0
    assert report.gain.with_both == 3
    assert report.gain.mean_gain == 0.0
    assert report.gain.interval is not None
    assert report.gain == selectors.cohort_gain_summary(world.cohort)


def test_another_organisations_cohort_has_its_own_report(world, course):
    report = _report(world.other_org_admin, course)
    assert report.learners == 1
    assert report.lessons[1].suppressed  # one reader: their 9999 s stay hidden
    assert [c.pk for c in report.scope.cohorts] == [world.other_cohort.pk]


def test_the_cohort_filter_is_validated(client, world, course):
    client_as(client, world.org_admin)
    url = reverse("courses-report", args=[course.pk])
    assert client.get(url, {"cohort": world.cohort.pk}).status_code == 200
    assert client.get(url, {"cohort": "abc"}).status_code == 400
    assert client.get(url, {"cohort": "9" * 30}).status_code == 400
    # a cohort taking the course, but another organisation's
    assert client.get(url, {"cohort": world.other_cohort.pk}).status_code == 404
    api = reverse("api-course-report", args=[course.pk])
    assert client.get(api, {"cohort": "x"}).status_code == 400
    assert client.get(api, {"cohort": world.other_cohort.pk}).status_code == 404
    assert client.get(reverse("courses-report", args=[99999])).status_code == 404


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES)
def test_who_reads_the_course_report(client, world, course, role, route):
    # the other organisation does not take the course in this test
    CourseAssignment.objects.filter(cohort=world.other_cohort).delete()
    client_as(client, world.user(role))
    response = client.get(reverse(route, args=[course.pk]))
    if role == "anonymous":
        assert response.status_code in (302, 401, 403)
        return
    expected = 200 if role in SEES else (403 if role == "learner" else 404)
    assert response.status_code == expected


def test_an_empty_course_says_there_is_not_enough_data(client, world):
    course = CourseFactory()
    ModuleFactory(course=course)
    CourseAssignment.objects.create(cohort=world.cohort, course=course)
    client_as(client, world.org_admin)
    body = client.get(reverse("courses-report", args=[course.pk])).content.decode()
    assert "Not enough data yet: no learner in scope has opened a lesson" in body
    assert "a gain needs at least two learners" in body
    assert "No end-of-course survey is attached" in body
    data = client.get(reverse("api-course-report", args=[course.pk])).json()
    assert data["enough_data"] is False
    assert data["gain"]["mean_gain"] is None


def test_the_page_shows_the_funnel_and_tables(client, world, course):
    client_as(client, world.mentor_of_cohort)
    page = client.get(reverse("courses-report", args=[course.pk]))
    body = page.content.decode()
    assert body.count('role="img"') >= 2  # one funnel per module
    assert "3.5 min" in body  # L1's median reading time
    assert "fewer than 5" in body  # L4
    assert "Pre 3" in body
    assert len(page.content) < 60_000


def test_the_course_page_links_the_report_for_those_who_may_read_it(
    client, world, course
):
    url = reverse("courses-course", args=[course.pk])
    report = reverse("courses-report", args=[course.pk])
    client_as(client, world.mentor_of_cohort)
    assert report in client.get(url).content.decode()
    client_as(client, world.learner)
    assert report not in client.get(url).content.decode()


def test_the_cohort_report_links_each_course_report(client, world, course):
    client_as(client, world.org_admin)
    body = client.get(reverse("cohort-report", args=[world.cohort.pk])).content
    link = reverse("courses-report", args=[course.pk]) + f"?cohort={world.cohort.pk}"
    assert link in body.decode()


def test_the_csv_has_the_figures(client, world, course):
    client_as(client, world.org_admin)
    response = client.get(reverse("courses-report-csv", args=[course.pk]))
    body = b"".join(response.streaming_content).decode()
    assert "L1,Recognise,1,6,100.0,3.5,4,66.7," in body
    assert "L4,Treat,4,<5" in body
    assert "Pre 3,Before,6,16.7,0.54" in body


def _respond(users, course):
    """The users reach the course's end and answer its survey, with a comment."""
    last = course.lessons_[-1]
    for user in users:
        LessonProgress.objects.filter(user=user, lesson=last).delete()
        _seen(user, last, 30, True)
        survey = course.survey
        items = list(survey.items.all())
        answers = {item.pk: "4" for item in items[:-1]}
        answers[items[-1].pk] = f"Comment of {user.pk}"
        survey_respond(actor=user, survey=survey, answers=answers)


def _grow(world, course, n):
    """n more learners, each reading two lessons, sitting the pre-test and
    answering the survey."""
    pre = course.quizzes.get(kind="pre")
    more = []
    for i in range(n):
        user = UserFactory(display_name=f"More {i}")
        services.membership_add(cohort=world.cohort, user=user, role=Role.LEARNER)
        for lesson in course.lessons_[:2]:
            _seen(user, lesson, 30 * (i + 1), i % 2 == 0)
        _sit(user, pre, (i % 2, 1, 0))
        more.append(user)
    _respond(more, course)


def test_the_report_costs_the_same_queries_for_more_learners(client, world, course):
    survey_attach_default(actor=UserFactory(is_staff=True), course=course)
    _respond(list(course.people.values())[:5], course)
    client_as(client, world.org_admin)
    urls = [reverse(route, args=[course.pk]) for route in ROUTES] + [
        reverse("courses-report", args=[course.pk]) + f"?cohort={world.cohort.pk}"
    ]

    def counts() -> list[int]:
        out = []
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
                if response.streaming:
                    b"".join(response.streaming_content)
                assert response.status_code == 200
            out.append(len(ctx.captured_queries))
        return out

    before = counts()
    _grow(world, course, 20)
    assert counts() == before
    # page: session, user, roles, the scope's 3, the report's 7 (8 without
    # PostgreSQL's percentile_cont), the survey's 4 (with comments), the layout's
    assert max(before) <= 20, before


def test_lesson_order_is_the_course_order(world, course):
    report = _report(world.org_admin, course)
    assert [r.title for r in report.lessons] == [
        lesson.title for lesson in Lesson.objects.filter(module__course=course)
    ]


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_the_report_renders_in_every_language_with_svg_numbers_unlocalised(
    client, world, course, language
):
    client_as(client, world.org_admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("courses-report", args=[course.pk]))
    assert response.status_code == 200
    # a decimal comma would break the SVG: its numbers are never localised
    assert 'width="83.3"' in response.content.decode()


@pytest.mark.parametrize("value", ["²", "١", "𝟙", " 1", "-1"])
@pytest.mark.parametrize("route", ROUTES)
def test_a_cohort_filter_that_only_looks_like_a_number_is_refused(
    client, world, course, route, value
):
    # "²" passes str.isdigit() but int() refuses it: a 500 before the fix
    client_as(client, world.org_admin)
    response = client.get(reverse(route, args=[course.pk]), {"cohort": value})
    assert response.status_code == 400
