"""Mean knowledge gain per group (cadre, district, facility; gender and age band
for consenting learners only): hand-computed means, cells under five learners
with a gain hidden, and a shown cell hidden when the cohort's own mean would
give a hidden one away; on the page, in the CSV and the API, by role."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cpd import cohort_hooks, reports, services
from cpd.models import Membership, Role, User, Verb
from cpd.record import record
from tests.conftest import ROLES, client_as
from tests.courses.test_progress import sit, tests_  # noqa: F401 - fixture
from tests.factories.cpd import UserFactory

SEES = {"mentor_of_cohort", "org_admin"}


def _learner(world, name, cadre, *, consent=False, gender=""):
    user = UserFactory(display_name=name, cadre=cadre)
    services.membership_add(cohort=world.cohort, user=user, role=Role.LEARNER)
    User.objects.filter(pk=user.pk).update(demographics_consent=consent, gender=gender)
    return user


@pytest.fixture
def cadres(world, monkeypatch):
    """nurse: Learner A (no gain) and five with gains 10..50 (mean 30);
    clinical officer: five, three with a gain; midwife: five consenting women,
    all with gains 0, 10, 20, 30, 40 (mean 20). The gains come through the
    courses hook, replaced here by a dict (``gains``)."""
    nurses = [_learner(world, f"N{i}", "nurse") for i in range(5)]
    officers = [_learner(world, f"C{i}", "clinical_officer") for i in range(5)]
    midwives = [
        _learner(world, f"W{i}", "midwife", consent=True, gender="female")
        for i in range(5)
    ]
    gains = {u.pk: 10.0 * (i + 1) for i, u in enumerate(nurses)}
    gains |= {u.pk: 5.0 for u in officers[:3]}
    gains |= {u.pk: 10.0 * i for i, u in enumerate(midwives)}
    monkeypatch.setattr(
        reports.cohort_hooks,
        "learner_scores",
        lambda cohort: {u: {"pre": 0.0, "post": g} for u, g in gains.items()},
    )
    record(actor=world.learner, verb=Verb.READ, object_type="x", duration_seconds=60)
    return nurses, officers, midwives, gains


def _gain(groups):
    return {str(g.label): (g.mean_gain, g.gain_n, g.gain_protects) for g in groups}


def test_mean_gain_per_cadre_by_hand_with_the_smallest_shown_one_hidden(world, cadres):
    report = reports.cohort_report(world.cohort)
    assert _gain(report.by_cadre) == {
        # 3 learners with a gain: not shown
        "clinical_officer": (None, None, False),
        # 5, but the cohort's mean (n = 13) less nurse's would give the three
        # clinical officers' gains away: hidden too (the smaller of the two)
        "midwife": (None, None, True),
        "nurse": (30.0, 5, False),
    }


def test_two_more_gains_lift_the_suppression(world, cadres):
    _nurses, officers, _midwives, gains = cadres
    gains |= {officers[3].pk: 15.0, officers[4].pk: 25.0}
    report = reports.cohort_report(world.cohort)
    assert _gain(report.by_cadre) == {
        "clinical_officer": (11.0, 5, False),  # (5 + 5 + 5 + 15 + 25) / 5
        "midwife": (20.0, 5, False),
        "nurse": (30.0, 5, False),
    }


def test_gender_gain_counts_consenting_learners_only(world, cadres):
    report = reports.cohort_report(world.cohort)
    assert _gain(report.by_gender) == {
        "Female": (20.0, 5, False),  # the five consenting midwives
        # Learner A, the nurses and the officers: 8 gains (50 + 150 + 15) / 8
        "not shared": (round((150 + 15) / 8, 1), 8, False),
    }


def test_a_group_without_anyone_with_both_tests_says_not_enough_data(
    client, world, cadres, monkeypatch
):
    monkeypatch.setattr(reports.cohort_hooks, "learner_scores", lambda cohort: {})
    report = reports.cohort_report(world.cohort)
    assert report.gains == {}
    assert [g.gain_n for g in report.by_cadre] == [0, 0, 0]
    client_as(client, world.org_admin)
    page = client.get(reverse("cohort-report", args=[world.cohort.pk])).content
    assert "Mean knowledge gain" not in page.decode()  # no column without data


def test_a_hidden_group_row_hides_its_gain(world, cadres):
    _nurses, officers, _midwives, _gains = cadres
    # four officers left: the row itself is hidden, and so is its gain
    Membership.objects.filter(user=officers[4], cohort=world.cohort).delete()
    report = reports.cohort_report(world.cohort)
    officer = next(g for g in report.by_cadre if str(g.label) == "clinical_officer")
    assert officer.learners is None
    assert (officer.mean_gain, officer.gain_n) == (None, None)


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_the_gain_per_group(client, world, cadres, role):
    client_as(client, world.user(role))
    page = client.get(reverse("cohort-report", args=[world.cohort.pk]))
    api = client.get(reverse("api-cohort-report", args=[world.cohort.pk]))
    if role not in SEES:
        assert page.status_code in (302, 403, 404)
        assert api.status_code in (401, 403, 404)
        if role in ("other_org_admin", "outsider", "other_mentor"):
            assert page.status_code == 404
            assert api.status_code == 404
        return
    body = page.content.decode()
    assert "Mean knowledge gain" in body
    assert "30.0 points (n = 5)" in body
    by_cadre = {g["group"]: g for g in api.json()["by_cadre"]}
    assert by_cadre["nurse"]["mean_gain"] == 30.0
    assert by_cadre["nurse"]["gain_n"] == 5
    assert by_cadre["midwife"]["mean_gain"] is None
    assert by_cadre["midwife"]["gain_protects"] is True
    csv = client.get(reverse("cohort-report-csv", args=[world.cohort.pk]))
    text = b"".join(csv.streaming_content).decode()
    assert "nurse,6,16.7,0.0,30.0,5" in text
    assert "mean knowledge gain" in text


def test_the_gains_come_from_courses_through_the_hook(world, tests_):  # noqa: F811
    _course, pre, post, qs = tests_
    assert cohort_hooks.hook(cohort_hooks.LEARNER_SCORES) is not None
    others = [_learner(world, f"G{i}", "nurse") for i in range(4)]
    for i, user in enumerate([world.learner, *others]):
        sit(user, pre, qs[pre], 1)  # 25%
        sit(user, post, qs[post], 1 + (i % 4))  # 25, 50, 75, 100, 25 %
    report = reports.cohort_report(world.cohort)
    nurse = next(g for g in report.by_cadre if str(g.label) == "nurse")
    # gains 0, 25, 50, 75, 0: mean 30
    assert (nurse.mean_gain, nurse.gain_n) == (30.0, 5)


def test_the_group_gains_cost_no_more_queries_for_more_learners(
    client, world, cadres, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client_as(client, world.org_admin)
    url = reverse("cohort-report", args=[world.cohort.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    _n, _o, _m, gains = cadres
    for i in range(20):
        gains[_learner(world, f"More {i}", "doctor").pk] = float(i)
    assert count() == before
    # 14 with the scores handed in by this test's hook (the real one reads
    # them in one query): the gain panel and engagement against gain reuse
    # the report's scores, and the network is one statement
    with django_assert_max_num_queries(14):
        client.get(url)
