"""The cohort report: who sees it, figures against hand-computed values, small
cells suppressed, a clear state without data, and a constant query count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cpd import reports, services
from cpd.models import Activity, Role, Verb
from cpd.record import record
from tests.conftest import ROLES, client_as
from tests.factories.cpd import UserFactory

SEES = {"mentor_of_cohort", "org_admin"}
ROWS = {"org_admin"}
NOW = timezone.now()


def _act(user, verb, *, days_ago=0, seconds=None, cohort=None, session=""):
    record(
        actor=user,
        verb=verb,
        object_type="x",
        cohort=cohort,
        duration_seconds=seconds,
        session_key=session,
        timestamp=NOW - dt.timedelta(days=days_ago, hours=1),
    )


@pytest.fixture
def three(world):
    """Learner A: 2 days, 2 sign-ins, 30 min, 1 reply; B: 1 day, 10 min; C: nothing."""
    b = UserFactory(display_name="Learner B2", cadre="midwife", district="Siaya")
    c = UserFactory(display_name="Learner C2", cadre="midwife", district="Siaya")
    for user in (b, c):
        services.membership_add(cohort=world.cohort, user=user, role=Role.LEARNER)
    Activity.objects.all().delete()  # sign-ins of the fixtures' logins
    a = world.learner
    _act(a, Verb.SIGNED_IN, days_ago=3, session="s1")
    _act(a, Verb.SIGNED_IN, days_ago=1, session="s2")
    _act(a, Verb.READ, days_ago=3, seconds=20 * 60)
    _act(a, Verb.READ, days_ago=1, seconds=10 * 60)
    _act(a, Verb.REPLIED, days_ago=1, cohort=world.cohort)
    _act(b, Verb.READ, days_ago=2, seconds=10 * 60)
    # another cohort's statements do not count here
    _act(b, Verb.REPLIED, days_ago=2, cohort=world.other_cohort)
    return a, b, c


def test_figures_match_hand_computed_values(world, three):
    report = reports.cohort_report(world.cohort, now=NOW)
    assert report.learners == 3
    assert report.enough_data
    assert report.active_learners == 2
    assert report.median_days_active == 1  # days active: 2, 1, 0
    assert report.median_sessions == 0  # sign-ins: 2, 0, 0
    assert report.median_minutes == 10  # minutes: 30, 10, 0
    assert report.posted_share == pytest.approx(33.3)  # only A was social here
    assert report.quiet_learners == 2
    assert {str(label): n for label, n in report.time_distribution} == {
        "none": 1,
        "under 30 min": 1,
        "30 min – 2 h": 1,
        "2–10 h": 0,
        "10 h or more": 0,
    }
    assert sum(n for _week, n in report.weeks) >= 2
    by_row = {r.name: r for r in report.rows}
    assert by_row["Learner A"].days_active == 2
    assert by_row["Learner A"].sessions == 2
    assert by_row["Learner B2"].social == 0


def test_weeks_before_the_cohort_started_are_not_shown_as_zeros(world, three):
    # a 0 before the start is no result: the weeks begin with the start's
    start = timezone.localdate(NOW - dt.timedelta(days=10))
    world.cohort.starts_on = start
    world.cohort.save(update_fields=["starts_on"])
    weeks = reports.cohort_report(world.cohort, now=NOW).weeks
    first_monday = start - dt.timedelta(days=start.weekday())
    assert weeks[0][0] == first_monday
    assert len(weeks) in (2, 3)  # the start's week to this one
    assert weeks[-1][0] == timezone.localdate(NOW) - dt.timedelta(
        days=timezone.localdate(NOW).weekday()
    )
    world.cohort.starts_on = start - dt.timedelta(weeks=20)
    world.cohort.save(update_fields=["starts_on"])
    assert len(reports.cohort_report(world.cohort, now=NOW).weeks) == 9  # 8 + this


def test_groups_under_five_are_suppressed(world, three):
    report = reports.cohort_report(world.cohort, now=NOW)
    assert all(g.learners is None for g in report.by_cadre)  # 1 nurse, 2 midwives
    for n in range(3):
        user = UserFactory(display_name=f"Midwife {n}", cadre="midwife")
        services.membership_add(cohort=world.cohort, user=user, role=Role.LEARNER)
    report = reports.cohort_report(world.cohort, now=NOW)
    groups = {g.label: g for g in report.by_cadre}
    # the nurse alone is hidden; the five midwives would give her away (the
    # total minus five), so they are hidden too
    assert groups["nurse"].learners is None
    assert groups["midwife"].learners is None
    assert groups["midwife"].protects
    # with a second small group, only the sum of the two could be worked out
    chw = UserFactory(display_name="CHW", cadre="chw")
    services.membership_add(cohort=world.cohort, user=chw, role=Role.LEARNER)
    report = reports.cohort_report(world.cohort, now=NOW)
    groups = {g.label: g for g in report.by_cadre}
    assert groups["midwife"].learners == 5
    assert groups["midwife"].active_share == 20.0  # B of the five
    assert (groups["nurse"].learners, groups["chw"].learners) == (None, None)
    assert not any(g.protects for g in report.by_cadre)
    # the page names the cadre; the API keeps its code
    assert groups["chw"].shown == "Community health worker"
    assert groups["midwife"].shown == "Midwife"


def test_an_empty_cohort_says_there_is_not_enough_data(client, world):
    services.membership_add(
        cohort=world.other_cohort, user=world.org_admin, role=Role.ADMIN
    )
    world.other_cohort.memberships.filter(role=Role.LEARNER).delete()
    client_as(client, world.org_admin)
    page = client.get(reverse("cohort-report", args=[world.other_cohort.pk]))
    assert page.status_code == 200
    assert "Not enough data yet: this cohort has no learners." in page.content.decode()
    idle = client.get(reverse("cohort-report", args=[world.cohort.pk]))
    Activity.objects.filter(actor=world.learner).delete()
    idle = client.get(reverse("cohort-report", args=[world.cohort.pk]))
    assert "no learner of this cohort has used the platform" in idle.content.decode()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "route", ["cohort-report", "cohort-report-csv", "api-cohort-report"]
)
def test_who_reads_the_report(client, world, three, role, route):
    client_as(client, world.user(role))
    url = reverse(route, args=[world.cohort.pk])
    response = client.get(url + ("?rows=1" if route.startswith("api") else ""))
    if role == "anonymous":
        assert response.status_code in (302, 401, 403)
        return
    expected = 200 if role in SEES else (403 if role == "learner" else 404)
    assert response.status_code == expected
    if expected != 200:
        return
    body = (
        b"".join(response.streaming_content) if response.streaming else response.content
    ).decode()
    # the per-learner figures are the administrators' only
    assert ("Learner B2" in body) is (role in ROWS)


@pytest.mark.parametrize("role", ROLES)
def test_only_administrators_export_the_record(client, world, three, role):
    client_as(client, world.user(role))
    response = client.get(reverse("cohort-statements", args=[world.cohort.pk]))
    if role == "anonymous":
        assert response.status_code == 302
        return
    expected = (
        200
        if role in ROWS
        else (403 if role in {"learner", "mentor_of_cohort"} else 404)
    )
    assert response.status_code == expected
    if expected == 200:
        lines = b"".join(response.streaming_content).decode().splitlines()
        assert len(lines) == 6  # A's five and B's read; not B's other cohort


def test_the_report_costs_the_same_queries_for_ten_times_the_learners(
    client, world, three
):
    client_as(client, world.org_admin)
    urls = [
        reverse("cohort-report", args=[world.cohort.pk]),
        reverse("api-cohort-report", args=[world.cohort.pk]),
    ]

    def counts() -> list[int]:
        out = []
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            out.append(len(ctx.captured_queries))
        return out

    before = counts()
    for n in range(27):
        user = UserFactory(display_name=f"More {n}")
        services.membership_add(cohort=world.cohort, user=user, role=Role.LEARNER)
        _act(user, Verb.READ, days_ago=n % 7, seconds=300)
        _act(user, Verb.ROOM_MESSAGE, days_ago=n % 5, cohort=world.cohort)
    assert counts() == before
    # page: session, user, roles, cohort, the report's 3, the gain, the layout's,
    # CPD hours (courses) and mentor contact (mentoring): one query each; the
    # course-report links (courses): one; engagement against gain (1: the
    # gains; the days are the report's rows); forums' social part (3: people,
    # reply links, first replies)
    assert max(before) <= 18


def test_the_api_leaves_rows_out_unless_asked(client, world, three):
    client_as(client, world.org_admin)
    url = reverse("api-cohort-report", args=[world.cohort.pk])
    assert client.get(url).json()["rows"] is None
    assert len(client.get(url, {"rows": "1"}).json()["rows"]) == 3


def test_weekly_bars_are_drawn_to_their_scale():
    weeks = [
        (dt.date(2026, 1, 5), 7),
        (dt.date(2026, 1, 12), 2),
        (dt.date(2026, 1, 19), 0),
    ]
    assert reports.week_bars(weeks, 7) == [
        {"x": 2, "h": 65, "y": 5},
        {"x": 12, "h": 19, "y": 51},  # 65 * 2 / 7 = 18.6
        {"x": 22, "h": 0, "y": 70},
    ]
    # nothing at all: flat bars, no division by zero
    assert reports.week_bars(weeks[2:], 0) == [{"x": 2, "h": 0, "y": 70}]


def test_weeks_without_statements_count_zero():
    since = dt.datetime(2026, 1, 7, 15, tzinfo=dt.UTC)  # a Wednesday
    counts = [(dt.datetime(2026, 1, 12, tzinfo=dt.UTC), 3)]
    assert reports.week_list(counts, since, 2) == [
        (dt.date(2026, 1, 5), 0),
        (dt.date(2026, 1, 12), 3),
        (dt.date(2026, 1, 19), 0),
    ]


def test_a_median_needs_its_minimum_of_values():
    assert reports.median_of([]) is None
    assert reports.median_of([3]) == 3.0
    assert reports.median_of([3], min_n=2) is None
    assert reports.median_of([4, 1], min_n=2) == 2.5
    assert reports.median_of([0.25, 0.3, 9]) == 0.3  # to one decimal


def test_the_page_names_each_cadre(client, world, three):
    for n in range(5):
        user = UserFactory(display_name=f"Officer {n}", cadre="clinical_officer")
        services.membership_add(cohort=world.cohort, user=user, role=Role.LEARNER)
    client_as(client, world.org_admin)
    page = client.get(reverse("cohort-report", args=[world.cohort.pk])).content.decode()
    assert "<tr><td>Clinical officer</td>" in page
    assert "clinical_officer" not in page
    api = client.get(reverse("api-cohort-report", args=[world.cohort.pk])).json()
    assert "clinical_officer" in {g["group"] for g in api["by_cadre"]}
