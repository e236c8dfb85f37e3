"""Engagement against gain: Spearman's rho by hand (with ties), the figures of a
small cohort, suppressed bands, points for administrators only, constant queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses import report_scatter
from courses.report_scatter import average_ranks, spearman
from cpd import services as cpd_services
from cpd.models import Role, Verb
from cpd.record import record
from tests.conftest import ROLES, client_as
from tests.courses.test_progress import sit, tests_  # noqa: F401 - fixture
from tests.factories.cpd import UserFactory

SEES = {"mentor_of_cohort", "org_admin"}
POINTS = {"org_admin"}
NOW = timezone.now()


def test_average_ranks_share_ties():
    assert average_ranks([10, 20, 20, 30]) == [1, 2.5, 2.5, 4]
    assert average_ranks([5, 5, 5]) == [2, 2, 2]
    assert average_ranks([3, 1, 2]) == [3, 1, 2]


def test_spearman_without_ties_is_one_minus_six_d_squared():
    # d = -1, 1, -1, 1, 0: 1 - 6 * 4 / (5 * 24) = 0.8
    assert spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]) == pytest.approx(0.8)
    assert spearman([1, 2, 3, 4, 5], [50, 40, 30, 20, 10]) == pytest.approx(-1)


def test_spearman_with_ties_uses_average_ranks():
    # y ranks 1, 2, 3.5, 5, 3.5: sum dx dy = 8, sxx = 10, syy = 9.5
    rho = spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7])
    assert rho == pytest.approx(8 / (10 * 9.5) ** 0.5)  # 0.8208
    scipy_stats = pytest.importorskip("scipy.stats")
    assert rho == pytest.approx(
        scipy_stats.spearmanr([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]).statistic
    )


def test_spearman_needs_five_pairs_that_vary():
    assert spearman([1, 2, 3, 4], [1, 2, 3, 4]) is None
    assert spearman([1, 1, 1, 1, 1], [1, 2, 3, 4, 5]) is None
    assert spearman([], []) is None
    with pytest.raises(ValueError, match="differ in length"):
        spearman([1, 2], [1])


# (pre right of 4, post right of 4, extra days active before today)
SIX = [(1, 4, 0), (2, 3, 1), (0, 2, 2), (1, 2, 3), (0, 4, 4), (2, 2, 5)]


@pytest.fixture
def six(world, tests_):  # noqa: F811
    """Six learners: (days active, gain) = (1, 75) (2, 25) (3, 50) (4, 25)
    (5, 100) (6, 0). Sitting a test records today; extra days are reading."""
    _course, pre, post, qs = tests_
    learners = [world.learner]
    for n in range(5):
        user = UserFactory(display_name=f"Scatter {n}")
        cpd_services.membership_add(cohort=world.cohort, user=user, role=Role.LEARNER)
        learners.append(user)
    for user, (before, after, extra) in zip(learners, SIX, strict=True):
        sit(user, pre, qs[pre], before)
        sit(user, post, qs[post], after)
        for k in range(1, extra + 1):
            record(
                actor=user,
                verb=Verb.READ,
                object_type="lesson",
                duration_seconds=60,
                timestamp=NOW - dt.timedelta(days=k, hours=1),
            )
    return learners


def test_the_cohort_figures_match_hand_computed_values(world, six):
    report = report_scatter.engagement_gain(world.cohort)
    assert report.points == [(1, 75), (2, 25), (3, 50), (4, 25), (5, 100), (6, 0)]
    assert report.n == 6
    # x ranks 1..6, gain ranks 5, 2.5, 4, 2.5, 6, 1: -5.5 / sqrt(17.5 * 17)
    assert report.rho == pytest.approx(-5.5 / (17.5 * 17) ** 0.5)  # -0.319
    # bands of 2, 3 and 1 learners: all under five, none shown
    assert [b.learners for b in report.bands] == [None, None, None]


def test_bands_under_five_are_suppressed_and_five_shown(world, monkeypatch):
    gains = {1: 10.0, 2: 20.0, 3: 30.0, 4: 40.0, 5: 50.0, 6: 5.0, 7: 6.0, 8: 7.0}
    gains[9] = 8.0
    days = {1: 0, 2: 1, 3: 2, 4: 2, 5: 1, 6: 4, 7: 4, 8: 5, 9: 3}
    from cpd.reports import LearnerEngagement

    monkeypatch.setattr(report_scatter, "learner_gains", lambda cohort: gains)
    monkeypatch.setattr(
        report_scatter,
        "learner_engagement",
        lambda cohort, since=None: {
            u: LearnerEngagement(d, 0) for u, d in days.items()
        },
    )
    report = report_scatter.engagement_gain(world.cohort)
    bands = {str(b.label): (b.learners, b.median_gain) for b in report.bands}
    assert bands == {"0–2 days": (5, 30.0), "3–5 days": (None, None)}  # 5 and 4


def test_fewer_than_five_pairs_is_not_enough_data(client, world, tests_):  # noqa: F811
    _course, pre, post, qs = tests_
    sit(world.learner, pre, qs[pre], 1)
    sit(world.learner, post, qs[post], 3)
    report = report_scatter.engagement_gain(world.cohort)
    assert (report.n, report.rho) == (1, None)
    client_as(client, world.org_admin)
    page = client.get(reverse("cohort-report", args=[world.cohort.pk]))
    body = page.content.decode()
    assert "a rank correlation needs at least 5 learners" in body
    assert 'id="eg-title"' not in body


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_the_scatter_on_the_page(client, world, six, role):
    client_as(client, world.user(role))
    response = client.get(reverse("cohort-report", args=[world.cohort.pk]))
    if role not in SEES:
        assert response.status_code in (302, 403, 404)
        return
    body = response.content.decode()
    assert "Spearman's rank correlation of days active with gain: -0.32" in body
    assert "A correlation, not a cause" in body
    assert ('id="eg-title"' in body) is (role in POINTS)
    if role in POINTS:
        chart = body[
            body.index('id="eg-title"') : body.index(
                "</svg>", body.index('id="eg-title"')
            )
        ]
        assert chart.count("<circle") == 6
        assert "Scatter 0" not in chart  # anonymous points


@pytest.mark.parametrize("role", ROLES)
def test_who_reads_the_scatter_api(client, world, six, role):
    client_as(client, world.user(role))
    response = client.get(reverse("api-cohort-engagement-gain", args=[world.cohort.pk]))
    if role == "anonymous":
        assert response.status_code in (401, 403)
        return
    expected = 200 if role in SEES else (403 if role == "learner" else 404)
    assert response.status_code == expected
    if expected != 200:
        return
    data = response.json()
    assert data["n"] == 6
    assert data["spearman_rho"] == pytest.approx(-0.3189, abs=1e-4)
    if role in POINTS:
        assert data["points"][0] == [1, 75.0]
    else:
        assert data["points"] is None


def test_the_scatter_costs_the_same_queries_for_more_learners(
    client,
    world,
    six,
    tests_,  # noqa: F811
    django_assert_max_num_queries,
):
    _course, pre, post, qs = tests_
    client_as(client, world.org_admin)
    url = reverse("api-cohort-engagement-gain", args=[world.cohort.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for n in range(6):
        user = UserFactory(display_name=f"More {n}")
        cpd_services.membership_add(cohort=world.cohort, user=user, role=Role.LEARNER)
        sit(user, pre, qs[pre], n % 3)
        sit(user, post, qs[post], 4)
    assert count() == before
    with django_assert_max_num_queries(7):
        assert client.get(url).json()["n"] == 12


def test_a_big_cohort_draws_grouped_dots(world):
    points = sorted((n % 20, float(n % 90)) for n in range(400))
    big = report_scatter.EngagementGain(cohort=world.cohort, points=points, rho=0.1)
    chart = report_scatter.scatter(big)
    assert chart["grouped"]
    # one dot per 8-unit cell at most, never one per learner
    assert len(chart["points"]) < 300
    small = report_scatter.EngagementGain(
        cohort=world.cohort, points=points[:10], rho=0.1
    )
    assert len(report_scatter.scatter(small)["points"]) == 10


CSV_STATUS = {"learner": 403, "anonymous": 302}


@pytest.mark.parametrize("role", ROLES)
def test_who_downloads_the_scatter_and_what(client, world, six, role):
    client_as(client, world.user(role))
    url = reverse("courses-engagement-gain-csv", args=[world.cohort.pk])
    response = client.get(url)
    if role not in SEES:
        assert response.status_code == CSV_STATUS.get(role, 404)
        return
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0] == "learners with both tests,6"
    assert lines[1] == f"Spearman's rank correlation,{-5.5 / (17.5 * 17) ** 0.5:.3f}"
    # the bands, each under five learners: not shown
    assert "0–2 days,fewer than 5," in lines
    points = (
        lines[lines.index("days active,knowledge gain") + 1 :]
        if ("days active,knowledge gain" in lines)
        else []
    )
    if role in POINTS:
        assert points == ["1,75.0", "2,25.0", "3,50.0", "4,25.0", "5,100.0", "6,0.0"]
    else:
        assert points == []  # mentors: the correlation and the bands only


def test_the_scatter_csv_says_not_enough_data(client, world):
    client_as(client, world.org_admin)
    url = reverse("courses-engagement-gain-csv", args=[world.cohort.pk])
    lines = b"".join(client.get(url).streaming_content).decode().splitlines()
    assert lines[:2] == [
        "learners with both tests,0",
        "Spearman's rank correlation,not enough data",
    ]


def test_the_scatter_csv_costs_the_same_queries_for_more_learners(
    client,
    world,
    six,
    tests_,  # noqa: F811
):
    client_as(client, world.org_admin)
    url = reverse("courses-engagement-gain-csv", args=[world.cohort.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            b"".join(client.get(url).streaming_content)
        return len(ctx.captured_queries)

    before = count()
    _course, pre, post, qs = tests_
    for n in range(8):
        user = UserFactory(display_name=f"More {n}")
        cpd_services.membership_add(cohort=world.cohort, user=user, role=Role.LEARNER)
        sit(user, pre, qs[pre], 1)
        sit(user, post, qs[post], 3)
    assert count() == before
