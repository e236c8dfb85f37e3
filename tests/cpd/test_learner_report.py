"""One learner's report: who sees it, figures and timeline against hand-computed
values, a clear state without data, bad input, and a constant query count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cpd import policies, services
from cpd.learner_report import selectors as lr
from cpd.models import Activity, Role, Verb
from cpd.record import record
from tests.conftest import ROLES, client_as
from tests.factories.cpd import UserFactory
from tests.factories.mentoring import PairingFactory

NOW = timezone.now()
# the learner, their (paired) mentor, the cohort's organisation's administrator
SEES = {"learner", "mentor_of_cohort", "org_admin"}
ROUTES = ["learner-report", "learner-timeline-csv", "api-learner-report"]


def _act(user, verb, *, days_ago=0, seconds=None, cohort=None, session="", **kw):
    record(
        actor=user,
        verb=verb,
        object_type=kw.pop("object_type", "x"),
        cohort=cohort,
        duration_seconds=seconds,
        session_key=session,
        timestamp=NOW - dt.timedelta(days=days_ago, hours=1),
        **kw,
    )


def _login(client, user):
    """Sign in without the sign-in statement (the fixtures' figures stay exact)."""
    client_as(client, user)
    Activity.objects.filter(actor=user, timestamp__gt=NOW).delete()


@pytest.fixture
def history(world):
    """Learner A: 2 days, 2 sign-ins, 30 min, 1 lesson done, 1 reply, 1 post-test.

    Plus a statement ten weeks old (in the timeline, not in the figures) and a
    reply in another cohort (in neither).
    """
    PairingFactory(
        cohort=world.cohort, mentor=world.mentor_of_cohort, learner=world.learner
    )
    Activity.objects.all().delete()  # sign-ins of the fixtures' logins
    a = world.learner
    _act(a, Verb.SIGNED_IN, days_ago=3, session="s1")
    _act(a, Verb.READ, days_ago=3, seconds=20 * 60)
    _act(a, Verb.SIGNED_IN, days_ago=1, session="s2")
    _act(a, Verb.READ, days_ago=1, seconds=10 * 60)
    _act(a, Verb.COMPLETED, days_ago=1)
    _act(a, Verb.REPLIED, days_ago=1, cohort=world.cohort)
    _act(a, Verb.ANSWERED, days_ago=1, object_type="quiz-post", score=80)
    _act(a, Verb.ROOM_MESSAGE, days_ago=70, cohort=world.cohort)
    _act(a, Verb.REPLIED, days_ago=1, cohort=world.other_cohort)
    return a


def test_figures_match_hand_computed_values(world, history):
    report = lr.learner_report(world.cohort, world.learner, now=NOW)
    assert report.enough_data
    assert report.days_active == 2
    assert report.sessions == 2
    assert report.minutes == 30
    assert report.lessons_completed == 1
    assert report.quizzes == 1
    assert report.replies == 1
    assert report.room_messages == 0  # ten weeks ago: outside the window
    assert report.social == 1  # not the other cohort's reply
    assert sum(n for _w, n in report.weeks) == 2
    assert len(report.weeks) == 9
    assert all(0 <= bar["h"] <= 65 for bar in report.chart)


def test_the_timeline_is_newest_first_in_plain_words(world, history):
    entries, more = lr.learner_timeline(world.cohort, world.learner.pk)
    assert not more
    assert len(entries) == 8  # all nine but the other cohort's reply
    assert entries == sorted(entries, key=lambda e: e.timestamp, reverse=True)
    assert entries[-1].text == "Wrote in a case room"
    texts = {e.text: e.detail for e in entries}
    assert texts["Completed a lesson"] == ""
    assert texts["Submitted a quiz"] == "post-test, 80%"
    assert "Read a lesson" in texts


def test_the_timeline_pages_by_twenty_five(world, history):
    for n in range(lr.TIMELINE_PAGE):
        _act(world.learner, Verb.OPENED, days_ago=n % 7)
    first, more = lr.learner_timeline(world.cohort, world.learner.pk, page=1)
    second, more2 = lr.learner_timeline(world.cohort, world.learner.pk, page=2)
    assert (len(first), more) == (25, True)
    assert (len(second), more2) == (8, False)
    assert first[-1].timestamp >= second[0].timestamp


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES)
def test_who_reads_a_learner_report(client, world, history, role, route):
    client_as(client, world.user(role))
    response = client.get(reverse(route, args=[world.cohort.pk, world.learner.pk]))
    if role == "anonymous":
        assert response.status_code in (302, 401, 403)
        return
    assert response.status_code == (200 if role in SEES else 404)
    if response.status_code == 200:
        body = (
            b"".join(response.streaming_content)
            if response.streaming
            else response.content
        ).decode()
        assert "Completed a lesson" in body


@pytest.fixture
def unpaired_mentor(world):
    mentor = UserFactory(display_name="Mentor C")
    services.membership_add(cohort=world.cohort, user=mentor, role=Role.MENTOR)
    return mentor


@pytest.fixture
def peer(world):
    learner = UserFactory(display_name="Learner Peer")
    services.membership_add(cohort=world.cohort, user=learner, role=Role.LEARNER)
    return learner


@pytest.mark.parametrize("route", ROUTES)
def test_another_mentor_of_the_cohort_is_refused(
    client, world, history, unpaired_mentor, route
):
    client_as(client, unpaired_mentor)
    response = client.get(reverse(route, args=[world.cohort.pk, world.learner.pk]))
    assert response.status_code == 403


@pytest.mark.parametrize("route", ROUTES)
def test_another_learner_of_the_cohort_is_refused(client, world, history, peer, route):
    client_as(client, peer)
    response = client.get(reverse(route, args=[world.cohort.pk, world.learner.pk]))
    assert response.status_code == 403
    # and reads their own
    own = client.get(reverse(route, args=[world.cohort.pk, peer.pk]))
    assert own.status_code == 200


def test_an_ended_pairing_no_longer_opens_the_report(client, world, history):
    from mentoring.models import Pairing

    Pairing.objects.filter(learner=world.learner).update(active=False)
    client_as(client, world.mentor_of_cohort)
    url = reverse("learner-report", args=[world.cohort.pk, world.learner.pk])
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("route", ROUTES)
def test_a_pairing_in_another_cohort_does_not_open_this_cohorts_report(
    client, world, unpaired_mentor, route
):
    # given: the learner and Mentor C in both cohorts, paired in the other only
    services.membership_add(
        cohort=world.other_cohort, user=world.learner, role=Role.LEARNER
    )
    services.membership_add(
        cohort=world.other_cohort, user=unpaired_mentor, role=Role.MENTOR
    )
    PairingFactory(
        cohort=world.other_cohort, mentor=unpaired_mentor, learner=world.learner
    )
    client_as(client, unpaired_mentor)
    # when / then: the other cohort's report opens, this cohort's does not
    other = reverse(route, args=[world.other_cohort.pk, world.learner.pk])
    assert client.get(other).status_code == 200
    url = reverse(route, args=[world.cohort.pk, world.learner.pk])
    assert client.get(url).status_code == 403
    assert not lr.learner_reports_for(unpaired_mentor, world.cohort).exists()


@pytest.mark.parametrize("route", ROUTES)
def test_someone_who_is_not_a_learner_of_the_cohort_has_no_report(
    client, world, history, route
):
    client_as(client, world.org_admin)
    # ids past the database's integer range are absent too, not a 500
    for user_id in (
        world.mentor_of_cohort.pk,
        world.other_learner.pk,
        999_999,
        2**63,
        10**25,
    ):
        url = reverse(route, args=[world.cohort.pk, user_id])
        assert client.get(url).status_code == 404
    for cohort_id in (999_999, 10**25):
        url = reverse(route, args=[cohort_id, world.learner.pk])
        assert client.get(url).status_code == 404


@pytest.mark.parametrize("route", ["learner-report", "api-learner-report"])
@pytest.mark.parametrize(
    "page",
    # "²" passes str.isdigit() but not int(); 5,000 digits exceed int()'s limit
    ["x", "0", "-1", "1.5", "99999999", "²", "9" * 5000],
)
def test_a_bad_page_is_a_400(client, world, history, route, page):
    client_as(client, world.learner)
    url = reverse(route, args=[world.cohort.pk, world.learner.pk])
    assert client.get(url, {"page": page}).status_code == 400


def test_a_page_past_the_end_says_nothing_older(client, world, history):
    client_as(client, world.learner)
    url = reverse("learner-report", args=[world.cohort.pk, world.learner.pk])
    page = client.get(url, {"page": "3"})
    assert page.status_code == 200
    assert "Nothing older." in page.content.decode()


def test_a_learner_with_no_activity_sees_not_enough_data(client, world, peer):
    client_as(client, peer)
    Activity.objects.filter(actor=peer).delete()
    page = client.get(reverse("learner-report", args=[world.cohort.pk, peer.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Not enough data yet: no activity in this cohort" in body
    assert "Not enough data yet: nothing recorded in this cohort." in body
    assert '<svg role="img"' not in body  # no chart (the bell is an icon)
    api = client.get(reverse("api-learner-report", args=[world.cohort.pk, peer.pk]))
    assert api.json()["enough_data"] is False


def test_the_page_is_small_and_has_an_accessible_chart(client, world, history):
    client_as(client, world.learner)
    page = client.get(
        reverse("learner-report", args=[world.cohort.pk, world.learner.pk])
    )
    body = page.content.decode()
    assert len(page.content) < 60_000
    # the chart's own title (the page's <title> is in every page's head)
    assert '<svg role="img" aria-labelledby="lw-title"' in body
    assert '<title id="lw-title">Days active per week</title>' in body
    assert "<th>Days active</th>" in body  # the table beside it
    assert "My progress" in body


def test_the_api_carries_the_figures_the_parts_and_the_timeline(client, world, history):
    client_as(client, world.org_admin)
    data = client.get(
        reverse("api-learner-report", args=[world.cohort.pk, world.learner.pk])
    ).json()
    assert (data["days_active"], data["sessions"], data["minutes"]) == (2, 2, 30)
    assert len(data["timeline"]) == 8
    assert data["timeline"][0]["text"]
    assert data["timeline_more"] is False
    assert set(data["parts"]) == {"courses", "cpd_hours", "mentor_contact"}
    assert data["parts"]["mentor_contact"]["mentors"] == ["Mentor A"]


def test_the_csv_lists_the_timeline_newest_first(client, world, history):
    _login(client, world.learner)
    response = client.get(
        reverse("learner-timeline-csv", args=[world.cohort.pk, world.learner.pk])
    )
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert len(lines) == 1 + 8
    assert lines[-1].endswith("Wrote in a case room,")


def test_the_policy_by_role(world, history, unpaired_mentor, peer):
    allowed = {
        role: policies.can_view_learner_report(
            world.user(role), world.cohort, world.learner.pk
        )
        for role in ROLES
    }
    assert {r for r, ok in allowed.items() if ok} == SEES
    assert not policies.can_view_learner_report(
        unpaired_mentor, world.cohort, world.learner.pk
    )
    assert not policies.can_view_learner_report(peer, world.cohort, world.learner.pk)
    # the queryset form agrees
    visible = {
        m.user_id for m in lr.learner_reports_for(world.mentor_of_cohort, world.cohort)
    }
    assert visible == {world.learner.pk}
    assert not lr.learner_reports_for(unpaired_mentor, world.cohort).exists()
    assert {
        m.user_id for m in lr.learner_reports_for(world.org_admin, world.cohort)
    } == {world.learner.pk, peer.pk}
    assert [m.user_id for m in lr.learner_reports_for(peer, world.cohort)] == [peer.pk]


def test_links_lead_to_the_report(client, world, history):
    url = reverse("learner-report", args=[world.cohort.pk, world.learner.pk])
    client_as(client, world.learner)
    assert url in client.get(reverse("home")).content.decode()
    client.logout()
    client_as(client, world.org_admin)
    assert (
        url
        in client.get(reverse("cohort-report", args=[world.cohort.pk])).content.decode()
    )
    client.logout()
    client_as(client, world.mentor_of_cohort)
    assert (
        url
        in client.get(
            reverse("mentoring-dashboard", args=[world.cohort.pk])
        ).content.decode()
    )


def test_the_report_costs_the_same_queries_for_a_longer_history(
    client, world, history, peer
):
    from tests.factories.courses import course_for
    from tests.factories.mentoring import ConversationFactory, MessageFactory

    client_as(client, world.mentor_of_cohort)
    urls = [
        reverse(route, args=[world.cohort.pk, world.learner.pk]) for route in ROUTES
    ]

    def counts() -> list[int]:
        out = []
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
                assert response.status_code == 200
                if response.streaming:
                    b"".join(response.streaming_content)
            out.append(len(ctx.captured_queries))
        return out

    before = counts()
    course_for(world.cohort, lessons=3)
    conversation = ConversationFactory(
        cohort=world.cohort, mentor=world.mentor_of_cohort, learner=world.learner
    )
    for n in range(30):
        _act(world.learner, Verb.READ, days_ago=n % 20, seconds=120)
        _act(world.learner, Verb.ROOM_MESSAGE, days_ago=n % 9, cohort=world.cohort)
        MessageFactory(conversation=conversation)
        more = UserFactory()
        services.membership_add(cohort=world.cohort, user=more, role=Role.LEARNER)
    assert counts() == before
    # session, user, roles (2), cohort, learner, pairing, figures, weeks,
    # timeline, courses (6), hours (1), mentor contact (1), the layout's
    assert max(before) <= 20
