"""Every course rule, for every role (unit tests of ``courses.policies``).

Cohort A (organisation 1) takes ``course``; cohort B (organisation 2) takes
``shared``, which A takes too. Small and fast, so mutation testing runs them
per mutant.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from courses import policies
from courses.models import Attempt, Certificate, Course, CourseAssignment, Session
from courses.selectors import cohorts_taking
from cpd import services as cpd_services
from cpd.models import Cohort, Role
from tests.conftest import ROLES
from tests.factories.courses import CourseFactory, QuizFactory, course_for
from tests.factories.cpd import CohortFactory, UserFactory

IN_A = {"learner", "mentor_of_cohort", "org_admin"}
MODERATE_A = {"mentor_of_cohort", "org_admin"}
MANAGE_A = {"org_admin"}
# The shared course's report: who reads which cohort's part.
REPORT_ON = {
    "learner": set(),
    "mentor_of_cohort": {"A"},
    "other_mentor": {"B"},
    "org_admin": {"A"},
    "other_org_admin": {"B"},
    "outsider": set(),
    "anonymous": set(),
}


@pytest.fixture
def courses(world):
    course = course_for(world.cohort)
    shared = course_for(world.cohort)
    CourseAssignment.objects.create(cohort=world.other_cohort, course=shared)
    unassigned = CourseFactory()
    return course, shared, unassigned


def _superuser():
    return UserFactory(is_superuser=True, is_staff=True)


def _names(cohorts):
    return {"A" if c.name == "Cohort A" else "B" for c in cohorts}


@pytest.mark.parametrize("role", ROLES)
def test_courses_are_visible_to_the_members_of_a_cohort_taking_them(
    world, courses, role
):
    course, shared, unassigned = courses
    user = world.user(role)
    visible = set(Course.objects.filter(policies.courses_visible_to(user)))
    assert (course in visible) is (role in IN_A)
    assert (shared in visible) is (role in IN_A | {"other_mentor", "other_org_admin"})
    assert unassigned not in visible
    assert policies.can_view_course(user, course) is (role in IN_A)


def test_a_superuser_sees_every_course_even_unassigned(world, courses):
    course, shared, unassigned = courses
    root = _superuser()
    visible = set(Course.objects.filter(policies.courses_visible_to(root)))
    assert {course, shared, unassigned} <= visible
    assert policies.can_view_course(root, unassigned)


@pytest.mark.parametrize("role", ROLES)
def test_progress_attendance_and_check_in_codes_are_for_mentors_and_admins(world, role):
    user = world.user(role)
    session = _session(world.cohort)
    expected = role in MODERATE_A
    assert policies.can_view_progress(user, world.cohort) is expected
    assert policies.can_take_attendance(user, world.cohort) is expected
    assert policies.can_show_check_in_code(user, session) is expected


def _session(cohort):
    start = timezone.now() + timedelta(days=1)
    return Session.objects.create(
        cohort=cohort,
        title="Skills day",
        place="Hall",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
    )


@pytest.mark.parametrize("role", ROLES)
def test_attempts_and_certificates_are_their_owners_only(world, courses, role):
    course, _shared, _unassigned = courses
    quiz = QuizFactory(course=course)
    now = timezone.now()
    mine = Attempt.objects.create(quiz=quiz, user=world.learner, started_at=now)
    theirs = Attempt.objects.create(quiz=quiz, user=world.other_learner, started_at=now)
    cert = Certificate.objects.create(user=world.learner, course=course, hours=2)
    other_cert = Certificate.objects.create(
        user=world.other_learner, course=course, hours=2
    )
    user = world.user(role)
    owner = role == "learner"
    attempts = set(Attempt.objects.filter(policies.attempts_visible_to(user)))
    assert attempts == ({mine} if owner else set())
    assert theirs not in attempts
    assert policies.can_view_attempt(user, mine) is owner
    assert policies.can_view_attempt(user, theirs) is False
    certs = set(Certificate.objects.filter(policies.certificates_visible_to(user)))
    assert certs == ({cert} if owner else set())
    assert policies.can_view_certificate(user, cert) is owner
    assert policies.can_view_certificate(user, other_cert) is False


def test_a_superuser_does_not_see_others_attempts_or_certificates(world, courses):
    course, _shared, _unassigned = courses
    attempt = Attempt.objects.create(
        quiz=QuizFactory(course=course), user=world.learner, started_at=timezone.now()
    )
    cert = Certificate.objects.create(user=world.learner, course=course, hours=2)
    root = _superuser()
    assert not Attempt.objects.filter(policies.attempts_visible_to(root)).exists()
    assert not policies.can_view_attempt(root, attempt)
    assert not policies.can_view_certificate(root, cert)


@pytest.mark.parametrize("role", ROLES)
def test_only_the_cohorts_learners_check_in(world, role):
    session = _session(world.cohort)
    other_session = _session(world.other_cohort)
    user = world.user(role)
    open_to = set(Session.objects.filter(policies.sessions_open_to_check_in(user)))
    assert open_to == ({session} if role == "learner" else set())
    assert other_session not in open_to
    assert policies.can_check_in(user, session) is (role == "learner")
    assert policies.can_check_in(user, other_session) is False


def test_the_other_cohorts_learner_checks_in_to_their_own_session(world):
    other_session = _session(world.other_cohort)
    assert policies.can_check_in(world.other_learner, other_session)
    assert set(
        Session.objects.filter(policies.sessions_open_to_check_in(world.other_learner))
    ) == {other_session}


@pytest.mark.parametrize("role", ROLES)
def test_only_staff_author_courses(world, role):
    assert policies.can_author_courses(world.user(role)) is False


def test_staff_author_courses(world):
    world.outsider.is_staff = True
    assert policies.can_author_courses(world.outsider)


def test_archived_cohort_taking_names_the_cohort_only_when_all_are_archived(
    world, courses
):
    course, shared, unassigned = courses
    learner = world.learner
    assert policies.archived_cohort_taking(learner, course) is None  # open
    assert policies.archived_cohort_taking(learner, unassigned) is None  # no cohort
    Cohort.objects.filter(pk=world.cohort.pk).update(archived_at=timezone.now())
    assert policies.archived_cohort_taking(learner, course) == world.cohort
    # a second, open cohort taking the same course keeps its quizzes open
    open_cohort = CohortFactory(organisation=world.cohort.organisation)
    CourseAssignment.objects.create(cohort=open_cohort, course=course)
    cpd_services.membership_add(cohort=open_cohort, user=learner, role=Role.LEARNER)
    assert policies.archived_cohort_taking(learner, course) is None
    # a cohort the learner is not in does not count
    assert policies.archived_cohort_taking(world.other_learner, course) is None


def test_only_the_learners_own_cohorts_taking_the_course_keep_quizzes_open(
    world, courses
):
    course, _shared, _unassigned = courses
    Cohort.objects.filter(pk=world.cohort.pk).update(archived_at=timezone.now())
    # an open cohort taking the course that the learner is not in
    strangers = CohortFactory(organisation=world.cohort.organisation)
    CourseAssignment.objects.create(cohort=strangers, course=course)
    # an open cohort of the learner that does not take the course
    other_course = CohortFactory(organisation=world.cohort.organisation)
    cpd_services.membership_add(
        cohort=other_course, user=world.learner, role=Role.LEARNER
    )
    assert policies.archived_cohort_taking(world.learner, course) == world.cohort


def test_archived_cohort_taking_is_none_for_anonymous(world, courses):
    from django.contrib.auth.models import AnonymousUser

    assert policies.archived_cohort_taking(AnonymousUser(), courses[0]) is None


def test_archived_cohort_taking_ignores_archived_cohorts_of_other_courses(
    world, courses
):
    course, _shared, _unassigned = courses
    old = CohortFactory(organisation=world.cohort.organisation)
    Cohort.objects.filter(pk=old.pk).update(archived_at=timezone.now())
    cpd_services.membership_add(cohort=old, user=world.learner, role=Role.LEARNER)
    assert policies.archived_cohort_taking(world.learner, course) is None


@pytest.mark.parametrize("role", ROLES)
def test_course_report_cohorts_by_role(world, courses, role):
    _course, shared, _unassigned = courses
    user = world.user(role)
    cohorts = Cohort.objects.filter(policies.course_report_cohorts(user, shared))
    assert _names(cohorts) == REPORT_ON[role]


def test_course_report_cohorts_keep_only_cohorts_taking_the_course(world, courses):
    course, shared, unassigned = courses
    # cohort B does not take ``course``: its admin and mentor read nothing of it
    for user in (world.other_org_admin, world.other_mentor):
        assert not Cohort.objects.filter(policies.course_report_cohorts(user, course))
    assert not Cohort.objects.filter(
        policies.course_report_cohorts(world.org_admin, unassigned)
    )


def test_course_report_cohorts_of_a_superuser_are_every_cohort_taking_it(
    world, courses
):
    _course, shared, unassigned = courses
    root = _superuser()
    assert _names(
        Cohort.objects.filter(policies.course_report_cohorts(root, shared))
    ) == {"A", "B"}
    assert not Cohort.objects.filter(policies.course_report_cohorts(root, unassigned))


def test_a_cohort_admin_by_membership_reads_the_report(world, courses):
    _course, shared, _unassigned = courses
    admin = UserFactory()
    cpd_services.membership_add(cohort=world.cohort, user=admin, role=Role.ADMIN)
    cohorts = Cohort.objects.filter(policies.course_report_cohorts(admin, shared))
    assert _names(cohorts) == {"A"}
    assert policies.can_view_course_report(admin, [world.cohort])


@pytest.mark.parametrize("role", ROLES)
def test_course_report_is_for_mentors_and_admins_annotated_or_not(world, courses, role):
    _course, shared, _unassigned = courses
    user = world.user(role)
    expected = bool(REPORT_ON[role])
    # as the course page reads it: the user's cohorts, annotated with their role
    assert policies.can_view_course_report(user, cohorts_taking(user, shared)) is (
        expected
    )
    # plain cohorts: the role comes from the cached roles
    plain = list(Cohort.objects.filter(pk__in=[world.cohort.pk, world.other_cohort.pk]))
    assert policies.can_view_course_report(user, plain) is expected
    assert policies.can_view_course_report(user, []) is False


def test_course_report_for_a_superuser_and_an_admin_who_is_also_a_learner(
    world, courses
):
    _course, shared, _unassigned = courses
    assert policies.can_view_course_report(_superuser(), [world.cohort])
    # an organisation admin enrolled as a learner still reads as an admin
    cpd_services.membership_add(
        cohort=world.cohort, user=world.org_admin, role=Role.LEARNER
    )
    taking = cohorts_taking(world.org_admin, shared)
    assert [c.viewer_role for c in taking] == [Role.LEARNER]
    assert policies.can_view_course_report(world.org_admin, taking)


@pytest.mark.parametrize("role", ROLES)
def test_survey_comments_are_for_admins_only(world, role):
    allowed = policies.can_read_survey_comments(world.user(role), world.cohort)
    assert allowed is (role in MANAGE_A)


@pytest.mark.parametrize("role", ROLES)
def test_the_learners_of_a_cohort_taking_the_course_answer_its_survey(
    world, courses, role
):
    course, shared, unassigned = courses
    user = world.user(role)
    assert policies.can_answer_survey(user, course) is (role == "learner")
    assert policies.can_answer_survey(user, unassigned) is False
    assert policies.is_learner_in_any(user, cohorts_taking(user, course)) is (
        role == "learner"
    )
    plain = list(Cohort.objects.filter(pk__in=[world.cohort.pk, world.other_cohort.pk]))
    assert policies.is_learner_in_any(user, plain) is (role == "learner")


def test_the_other_cohorts_learner_answers_the_shared_survey_only(world, courses):
    course, shared, _unassigned = courses
    assert policies.can_answer_survey(world.other_learner, shared)
    assert not policies.can_answer_survey(world.other_learner, course)
    assert policies.is_learner_in_any(world.other_learner, [world.other_cohort])
    assert not policies.is_learner_in_any(world.other_learner, [world.cohort])


@pytest.mark.parametrize("role", ROLES)
def test_engagement_gain_for_mentors_and_admins_points_for_admins(world, role):
    user = world.user(role)
    gain = policies.can_view_engagement_gain(user, world.cohort)
    points = policies.can_view_engagement_points(user, world.cohort)
    assert gain is (role in MODERATE_A)
    assert points is (role in MANAGE_A)


def test_engagement_for_a_superuser(world):
    root = _superuser()
    assert policies.can_view_engagement_gain(root, world.other_cohort)
    assert policies.can_view_engagement_points(root, world.other_cohort)
