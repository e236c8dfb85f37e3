"""Every route, every role: never a 5xx, and the wrong roles are refused.

The routes come from the URL resolver, so a new route is covered without being
listed. Each is filled with ids of cohort A's objects (``world``; an id with no
sample gets one that does not exist) and requested with GET and with an empty
POST as anonymous, outsider, learner, mentor, the organisation's admin,
another organisation's admin and a superuser. A route anonymous may read must
be in PUBLIC; a route with an object of cohort A that a signed-in outsider may
read must be in OPEN_TO_OUTSIDERS: so a new route with neither fails until it
is classified.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from courses.models import Session
from forums.services.forums import forum_for_cohort
from forums.services.posting import post_create, thread_create
from tests.factories.courses import QuizFactory, course_for, question_with
from tests.factories.cpd import UserFactory
from tests.factories.rooms import RoomFactory

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "outsider",
    "learner",
    "mentor_of_cohort",
    "org_admin",
    "other_org_admin",
    "superuser",
]

# Answered to anyone, signed in or not (by route name).
PUBLIC = {
    "healthz",
    "readyz",
    "home",
    "manifest",
    "service-worker",
    "offline",
    "privacy",
    "set-language",
    "join-code",
    "courses-verify",
    "api-root",
    "api-schema",
    "api-docs",
    "enrolment-template",  # the blank spreadsheet, no data
    # allauth's sign-in, sign-up and password-reset pages
    "account_login",
    "account_inactive",
    "account_signup",
    "account_email_verification_sent",
    "account_reset_password",
    "account_confirm_email",
    "account_reset_password_from_key_done",
    "account_reset_password_from_key",
    "account_reset_password_done",
}
# Answered 200 to an outsider even with ids of cohort A: pages of one's own
# account, and pages whose id is a lookup the view checks itself.
OPEN_TO_OUTSIDERS = PUBLIC | set()
# For the organisation's admin only: the learner, the mentor and another
# organisation's admin are refused (by route name).
ADMIN_ONLY = re.compile(
    r"^(admin-|api-cohort-invitations|cohort-invitations|enrolment-upload"
    r"|api-enrolment|organisation-audit|mentoring-admin|api-pairing"
    r"|api-join-links|privacy-organisation|api-privacy-organisation"
    r"|api-organisation$)"
)
# Not requested: Django's own admin (superusers only, checked apart).
SKIPPED_PREFIXES = ("admin/",)


def _routes():
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern.name

    for route, name in walk(get_resolver().url_patterns):
        if route.startswith(SKIPPED_PREFIXES):
            continue
        yield route, name


def _fill(route: str, ids: dict[str, int]) -> str:
    route = route.replace("^", "").replace("$", "")
    route = re.sub(r"\(\?P<\w+>[^)]*\)", "x", route)

    def value(match: re.Match[str]) -> str:
        converter, name = match.group(1) or "str", match.group(2)
        if converter == "int":
            return str(ids.get(name, 987654))
        return "x"

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", value, route)


@pytest.fixture
def ids(world) -> dict[str, int]:
    forum = forum_for_cohort(world.cohort)
    thread, _ = thread_create(
        actor=world.mentor_of_cohort, forum=forum, title="PPH", body="b"
    )
    post, _ = post_create(actor=world.learner, thread=thread, body="r")
    course = course_for(world.cohort)
    quiz = QuizFactory(course=course)
    now = timezone.now()
    session = Session.objects.create(
        cohort=world.cohort,
        title="Drill",
        place="Ward 3",
        starts_at=now + dt.timedelta(minutes=30),
        ends_at=now + dt.timedelta(hours=2),
    )
    return {
        "cohort_id": world.cohort.pk,
        "organisation_id": world.cohort.organisation_id,
        "forum_id": forum.pk,
        "thread_id": thread.pk,
        "post_id": post.pk,
        "course_id": course.pk,
        "lesson_id": course.modules.first().lessons.first().pk,
        "quiz_id": quiz.pk,
        "session_id": session.pk,
        "room_id": RoomFactory(cohort=world.cohort).pk,
        "seq": 1,
        **_more_ids(world, quiz, post),
    }


def _more_ids(world, quiz, post) -> dict[str, int]:
    """Cohort A's people, invitations, mentoring and notification objects."""
    from courses.services import quizzes
    from cpd.invitations.services import join_link_create
    from cpd.models import Membership
    from cpd.notifications.models import Notification
    from cpd.privacy.services import erasure_request
    from forums.services.moderation import report_create
    from mentoring.services.conversations import conversation_for_pairing
    from mentoring.services.pairing_runs import pairing_run_start
    from tests.factories.cpd import InvitationFactory
    from tests.factories.mentoring import CheckInFactory, MessageFactory, PairingFactory

    question_with(quiz, "single", [("Oxytocin", True), ("Wait", False)])
    pairing = PairingFactory(
        cohort=world.cohort, mentor=world.mentor_of_cohort, learner=world.learner
    )
    conversation = conversation_for_pairing(pairing=pairing)
    return {
        "attempt_id": quizzes.attempt_start(user=world.learner, quiz=quiz).pk,
        "invitation_id": InvitationFactory(cohort=world.cohort).pk,
        "link_id": join_link_create(
            actor=world.org_admin,
            cohort=world.cohort,
            max_uses=5,
            expires_at=timezone.now() + dt.timedelta(days=1),
        ).pk,
        "membership_id": Membership.objects.get(
            cohort=world.cohort, user=world.learner
        ).pk,
        "user_id": world.learner.pk,
        "conversation_id": conversation.pk,
        "message_id": MessageFactory(
            conversation=conversation, author=world.learner
        ).pk,
        "checkin_id": CheckInFactory(conversation=conversation).pk,
        "report_id": report_create(
            actor=world.mentor_of_cohort, post=post, reason="Names a patient"
        ).pk,
        "request_id": erasure_request(actor=world.other_learner).pk,
        "run_id": pairing_run_start(
            actor=world.org_admin, cohort=world.cohort, mode="one_to_one"
        ).pk,
        "notification_id": Notification.objects.create(
            user=world.learner, kind="forums.reply", text="A reply", url="/"
        ).pk,
    }


def _client(world, role: str) -> Client:
    client = Client(raise_request_exception=False)
    if role == "superuser":
        # Django's superuser: every policy lets it in, so it reaches the most code.
        client.force_login(
            UserFactory(display_name="Root", is_staff=True, is_superuser=True)
        )
    elif role != "anonymous":
        client.force_login(world.user(role))
    return client


def test_every_route_every_role(world, ids):
    routes = list(_routes())
    assert len(routes) > 200  # the resolver walk found the project's routes
    errors, anonymous_open, outsider_open, admin_open = [], [], [], []
    for role in ROLES:
        client = _client(world, role)
        for route, name in routes:
            url = _fill(route, ids)
            has_object = any(f"<int:{key}>" in route for key in ids)
            got = client.get(url).status_code
            posted = client.post(url, {}).status_code
            if got >= 500 or posted >= 500:
                errors.append((role, name, url, got, posted))
            if role == "anonymous" and got == 200 and name not in PUBLIC:
                anonymous_open.append(name)
            if (
                role in ("learner", "mentor_of_cohort", "other_org_admin")
                and ADMIN_ONLY.match(name or "")
                and (has_object or role != "other_org_admin")
                and got == 200
            ):
                admin_open.append((role, name))
            if (
                role in ("outsider", "other_org_admin")
                and has_object
                and got == 200
                and name not in OPEN_TO_OUTSIDERS
            ):
                outsider_open.append(name)
    assert errors == [], errors
    assert (anonymous_open, outsider_open, admin_open) == ([], [], [])
    admin_pages = [name for _, name in routes if ADMIN_ONLY.match(name or "")]
    assert len(admin_pages) > 20  # the classification still matches routes
