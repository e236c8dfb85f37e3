"""The cohort report's social part: the reply network and reply times against
hand-computed figures, names for administrators only, and a constant query count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cpd import services
from cpd.models import Role, Verb
from cpd.record import record
from forums import report as social
from tests.conftest import ROLES, client_as
from tests.factories.cpd import UserFactory
from tests.factories.forums import ForumFactory, PostFactory, ThreadFactory

SEES = {"mentor_of_cohort", "org_admin"}
NAMES = {"org_admin"}
NOW = timezone.now()
H = dt.timedelta(hours=1)


def _thread(forum, author, opened):
    thread = ThreadFactory(forum=forum, author=author, created_at=opened)
    PostFactory(thread=thread, author=author, created_at=opened)  # opening post
    return thread


def _active(user):
    """A statement, so the cohort report has data and shows its panels."""
    record(actor=user, verb=Verb.READ, object_type="x", duration_seconds=60)


def _reply(thread, author, after, **kw):
    return PostFactory(
        thread=thread, author=author, created_at=thread.created_at + after, **kw
    )


@pytest.fixture
def net(world):
    """A, B, C learners and M mentor; replies chosen so every figure is by hand.

    T1 (A's): B at 1 h and 3 h, M at 2 h, A herself at 4 h (no link); C's
    deleted reply, an outsider's and another cohort's mentor's do not count.
    T2 (B's): A at 2 h, M at 6 h.  T3 (M's, not a question): A at 1 h.
    T4 (C's): no reply.  Links: B→A 2, M→A 1, A→B 1, M→B 1, A→M 1.
    """
    b = UserFactory(display_name="Learner B2")
    c = UserFactory(display_name="Learner C2")
    for user in (b, c):
        services.membership_add(cohort=world.cohort, user=user, role=Role.LEARNER)
    a, m = world.learner, world.mentor_of_cohort
    forum = ForumFactory(cohort=world.cohort)
    t1 = _thread(forum, a, NOW - 30 * H)
    _reply(t1, b, 1 * H)
    _reply(t1, m, 2 * H)
    _reply(t1, b, 3 * H)
    _reply(t1, a, 4 * H)
    _reply(t1, c, H / 2, deleted_at=NOW)
    _reply(t1, world.outsider, H / 4)
    _reply(t1, world.other_mentor, H / 10)
    t2 = _thread(forum, b, NOW - 20 * H)
    _reply(t2, a, 2 * H)
    _reply(t2, m, 6 * H)
    t3 = _thread(forum, m, NOW - 10 * H)
    _reply(t3, a, 1 * H)
    _thread(forum, c, NOW - 5 * H)
    # another cohort's forum: nothing here counts
    elsewhere = _thread(ForumFactory(cohort=world.other_cohort), a, NOW - 5 * H)
    _reply(elsewhere, b, H)
    _active(a)
    return a, b, c, m


def test_the_network_matches_hand_computed_figures(world, net):
    a, b, _c, m = net
    report = social.social_report(world.cohort, with_names=True, now=NOW)
    assert report.people == 4  # A, B, C, M
    assert report.learners == 3
    assert report.links == 5
    assert report.replies == 6
    assert report.connected == 3  # C is linked to nobody
    assert report.learners_connected == 2
    assert report.learners_connected_share == pytest.approx(66.7)
    assert report.density == pytest.approx(0.417)  # 5 of 4 × 3 directed pairs
    pairs = {(p.source.name, p.target.name): p.replies for p in report.top_pairs}
    assert pairs == {
        ("Learner B2", "Learner A"): 2,
        ("Mentor A", "Learner A"): 1,
        ("Learner A", "Learner B2"): 1,
        ("Mentor A", "Learner B2"): 1,
        ("Learner A", "Mentor A"): 1,
    }
    people = {p.name: p for p in report.drawn}
    assert {n: (p.degree, p.replies) for n, p in people.items()} == {
        "Learner A": (2, 5),
        "Learner B2": (2, 4),
        "Mentor A": (2, 3),
    }
    assert people["Mentor A"].mentor
    assert not report.capped


def test_reply_times_are_medians_for_mentors_and_peers(world, net):
    report = social.social_report(world.cohort, with_names=False, now=NOW)
    assert report.questions == 3  # T1, T2, T4: the learners' threads
    assert report.mentor_reply.n == 2
    assert report.mentor_reply.median_hours == 4.0  # 2 h and 6 h
    assert report.peer_reply.n == 2
    assert report.peer_reply.median_hours == 1.5  # 1 h (B on T1) and 2 h (A on T2)


def test_mentors_get_no_names(world, net):
    report = social.social_report(world.cohort, with_names=False, now=NOW)
    assert report.links == 5
    assert report.top_pairs == []
    assert report.drawn == []


def test_one_reply_time_is_not_enough_data(client, world):
    _active(world.learner)
    forum = ForumFactory(cohort=world.cohort)
    thread = _thread(forum, world.learner, NOW - 3 * H)
    _reply(thread, world.mentor_of_cohort, H)
    report = social.social_report(world.cohort, with_names=True, now=NOW)
    assert report.mentor_reply.n == 1
    assert report.mentor_reply.median_hours is None
    assert report.peer_reply.n == 0
    client_as(client, world.org_admin)
    page = client.get(reverse("cohort-report", args=[world.cohort.pk])).content
    # the reply-time table: the mentor's median and the peers' (none)
    part = page.decode().split("Reply time to questions", 1)[1].split("</table>")[0]
    assert part.count("not enough data") == 2


def test_no_replies_says_not_enough_data(client, world):
    _active(world.learner)
    _thread(ForumFactory(cohort=world.cohort), world.learner, NOW - H)
    client_as(client, world.org_admin)
    page = client.get(reverse("cohort-report", args=[world.cohort.pk])).content
    assert "nobody in this cohort replied" in page.decode()
    assert 'id="net-title"' not in page.decode()


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_the_network_on_the_page(client, world, net, role):
    client_as(client, world.user(role))
    response = client.get(reverse("cohort-report", args=[world.cohort.pk]))
    if role not in SEES:
        assert response.status_code in (302, 403, 404)
        return
    body = response.content.decode()
    assert "Who replies to whom" in body
    assert "Reply time to questions" in body
    assert ('id="net-title"' in body) is (role in NAMES)
    assert ("Most frequent reply links" in body) is (role in NAMES)


@pytest.mark.parametrize("role", ROLES)
def test_who_reads_the_social_api(client, world, net, role):
    client_as(client, world.user(role))
    response = client.get(reverse("api-cohort-social-report", args=[world.cohort.pk]))
    if role == "anonymous":
        assert response.status_code in (401, 403)
        return
    expected = 200 if role in SEES else (403 if role == "learner" else 404)
    assert response.status_code == expected
    if expected != 200:
        return
    data = response.json()
    assert data["links"] == 5
    assert data["mentor_reply"] == {"n": 2, "median_hours": 4.0}
    if role in NAMES:
        assert len(data["top_pairs"]) == 5
    else:
        assert data["top_pairs"] is None
        assert "Learner B2" not in response.content.decode()


def test_a_missing_cohort_is_404(client, world):
    client_as(client, world.org_admin)
    assert client.get("/api/cohorts/999999/report/social/").status_code == 404


def test_the_network_costs_the_same_queries_for_many_more_people(
    client, world, net, django_assert_max_num_queries
):
    client_as(client, world.org_admin)
    urls = [
        reverse("cohort-report", args=[world.cohort.pk]),
        reverse("api-cohort-social-report", args=[world.cohort.pk]),
    ]

    def counts() -> list[int]:
        out = []
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            out.append(len(ctx.captured_queries))
        return out

    before = counts()
    forum = ForumFactory(cohort=world.cohort)
    thread = _thread(forum, world.learner, NOW - 2 * H)
    for n in range(45):
        user = UserFactory(display_name=f"More {n}")
        services.membership_add(cohort=world.cohort, user=user, role=Role.LEARNER)
        _reply(thread, user, H)
        _reply(_thread(forum, user, NOW - 3 * H), world.mentor_of_cohort, H)
    assert counts() == before
    with django_assert_max_num_queries(18):  # the cohort report's ceiling
        page = client.get(urls[0])
    # 48 people are linked; the drawing keeps the 40 most connected, and says so
    report = social.social_report(world.cohort, with_names=True)
    assert report.connected == 48
    assert len(report.drawn) == social.MAX_NODES
    assert report.capped
    assert "40 most connected people are drawn" in page.content.decode()


def test_only_the_heaviest_lines_are_drawn(world, net, monkeypatch):
    monkeypatch.setattr(social, "MAX_LINES", 3)
    report = social.social_report(world.cohort, with_names=True, now=NOW)
    assert report.lines_capped
    assert len(report.drawn_links) == 3
    assert max(link.replies for link in report.drawn_links) == 2  # B → A kept
    assert report.links == 5  # the figures still count every link


REFUSED = {"learner": 403, "mentor_of_cohort": 403, "other_mentor": 404}


@pytest.mark.parametrize("role", ROLES)
def test_who_downloads_every_reply_link(client, world, net, role):
    client_as(client, world.user(role))
    url = reverse("forums-reply-network-csv", args=[world.cohort.pk])
    response = client.get(url)
    if role == "anonymous":
        assert response.status_code == 302
        return
    if role not in NAMES:
        # mentors read the aggregates only, as on the page
        assert response.status_code == REFUSED.get(role, 404)
        return
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0] == "who replied,their role,in the thread of,their role,replies"
    # the five links by hand, heaviest first
    assert lines[1] == "Learner B2,learner,Learner A,learner,2"
    assert sorted(lines[2:]) == sorted(
        [
            "Mentor A,mentor,Learner A,learner,1",
            "Learner A,learner,Learner B2,learner,1",
            "Mentor A,mentor,Learner B2,learner,1",
            "Learner A,learner,Mentor A,mentor,1",
        ]
    )


@pytest.mark.parametrize("role", ROLES)
def test_who_reads_the_reply_links_api(client, world, net, role):
    client_as(client, world.user(role))
    url = reverse("api-cohort-reply-links", args=[world.cohort.pk])
    response = client.get(url)
    if role == "anonymous":
        assert response.status_code in (401, 403)
        return
    if role not in NAMES:
        assert response.status_code == REFUSED.get(role, 404)
        return
    data = response.json()
    assert data["count"] == 5
    first = data["results"][0]
    assert (first["replier"], first["thread_starter"], first["replies"]) == (
        "Learner B2",
        "Learner A",
        2,
    )
    assert first["replier_id"] == net[1].pk
    assert {r["replier_is_mentor"] for r in data["results"]} == {True, False}
    page = client.get(url, {"limit": 2, "offset": 4}).json()
    assert len(page["results"]) == 1


def test_the_links_cost_the_same_queries_for_many_more_links(
    client, world, net, django_assert_max_num_queries
):
    client_as(client, world.org_admin)
    csv_url = reverse("forums-reply-network-csv", args=[world.cohort.pk])
    api_url = reverse("api-cohort-reply-links", args=[world.cohort.pk])

    def counts() -> list[int]:
        out = []
        for url in (csv_url, api_url):
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
                if response.streaming:
                    b"".join(response.streaming_content)
            out.append(len(ctx.captured_queries))
        return out

    before = counts()
    forum = ForumFactory(cohort=world.cohort)
    thread = _thread(forum, world.learner, NOW - 2 * H)
    for n in range(30):
        user = UserFactory(display_name=f"Link {n}")
        services.membership_add(cohort=world.cohort, user=user, role=Role.LEARNER)
        _reply(thread, user, H)
    assert counts() == before
    with django_assert_max_num_queries(10):
        client.get(api_url)


def test_a_name_typed_as_a_formula_is_text_in_the_links_csv(client, world, net):
    a = net[0]
    a.display_name = "=HYPERLINK(1)"
    a.save()
    client_as(client, world.org_admin)
    url = reverse("forums-reply-network-csv", args=[world.cohort.pk])
    body = b"".join(client.get(url).streaming_content).decode()
    assert "'=HYPERLINK(1)" in body
    assert "\n=HYPERLINK" not in body
