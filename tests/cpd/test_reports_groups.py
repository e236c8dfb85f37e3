"""Disaggregation: facility, and gender and age band only with consent; every cell
under five suppressed, on the page, in the CSV and in the API."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from cpd import reports, services
from cpd.models import Role, User, Verb
from cpd.record import record
from tests.conftest import client_as
from tests.factories.cpd import UserFactory

NOW = timezone.now()


def _learner(world, name, *, consent, gender="", age_band="", facility=""):
    user = UserFactory(display_name=name, facility=facility)
    services.membership_add(cohort=world.cohort, user=user, role=Role.LEARNER)
    # Written past User.save(), which blanks them without consent: the report
    # itself must still leave a non-consenting learner out of every group.
    User.objects.filter(pk=user.pk).update(
        demographics_consent=consent, gender=gender, age_band=age_band
    )
    return user


@pytest.fixture
def mixed(world):
    """5 consenting women (25–34, Kisumu HC), 2 of them active, 1 social;
    4 consenting men (35–44, Siaya DH); 6 men who did not consent (Siaya DH);
    and Learner A (no consent, no facility)."""
    women = [
        _learner(
            world,
            f"W{i}",
            consent=True,
            gender="female",
            age_band="25-34",
            facility="Kisumu HC",
        )
        for i in range(5)
    ]
    men = [
        _learner(
            world,
            f"M{i}",
            consent=True,
            gender="male",
            age_band="35-44",
            facility="Siaya DH",
        )
        for i in range(4)
    ]
    hidden = [
        _learner(world, f"H{i}", consent=False, gender="male", facility="Siaya DH")
        for i in range(6)
    ]
    for user in (women[0], women[1]):
        record(actor=user, verb=Verb.READ, object_type="x", duration_seconds=60)
    record(actor=women[0], verb=Verb.REPLIED, object_type="x", cohort=world.cohort)
    return women, men, hidden


def _by(groups):
    return {str(g.label): (g.learners, g.active_share, g.social_share) for g in groups}


def test_gender_counts_consenting_learners_only(world, mixed):
    report = reports.cohort_report(world.cohort)
    # were the six non-consenting men counted, "Male" would show 10
    assert _by(report.by_gender) == {
        # hidden too: the four men would be 16 - 5 - 7 (secondary suppression)
        "Female": (None, None, None),
        "Male": (None, None, None),  # 4: suppressed
        "not shared": (7, 0.0, 0.0),  # six men and Learner A
    }
    assert [g.protects for g in report.by_gender] == [True, False, False]
    assert _by(report.by_age_band) == {
        "25–34": (None, None, None),
        "35–44": (None, None, None),
        "not shared": (7, 0.0, 0.0),
    }


def test_a_fifth_learner_lifts_the_suppression(world, mixed):
    _learner(
        world, "M4", consent=True, gender="male", age_band="35-44", facility="Siaya DH"
    )
    report = reports.cohort_report(world.cohort)
    assert _by(report.by_gender)["Male"] == (5, 0.0, 0.0)
    assert _by(report.by_gender)["Female"] == (5, 40.0, 20.0)  # hand-computed
    assert _by(report.by_age_band)["35–44"] == (5, 0.0, 0.0)
    assert _by(report.by_age_band)["25–34"] == (5, 40.0, 20.0)


def test_by_facility_with_hand_computed_shares(world, mixed):
    # a second small group: only the sum of the two hidden ones is known
    _learner(world, "B1", consent=False, facility="Bondo")
    report = reports.cohort_report(world.cohort)
    assert _by(report.by_facility) == {
        "Bondo": (None, None, None),
        "Kisumu HC": (5, 40.0, 20.0),
        "Siaya DH": (10, 0.0, 0.0),  # facility needs no consent
        "—": (None, None, None),  # Learner A alone
    }


def test_the_page_csv_and_api_show_the_groups(client, world, mixed):
    client_as(client, world.mentor_of_cohort)  # aggregates: mentors read them too
    page = client.get(reverse("cohort-report", args=[world.cohort.pk])).content
    body = page.decode()
    assert "<summary>By gender</summary>" in body
    assert "<summary>By facility</summary>" in body
    assert "Kisumu HC" in body
    csv = b"".join(
        client.get(
            reverse("cohort-report-csv", args=[world.cohort.pk])
        ).streaming_content
    ).decode()
    assert "gender,learners,active %,social %" in csv
    assert 'Female,"not shown, so that a smaller group cannot be worked out",,' in csv
    assert "Male,fewer than 5,," in csv
    assert "not shared,7,0.0,0.0" in csv
    assert "not shown, so that a smaller group cannot be worked out" in body
    data = client.get(reverse("api-cohort-report", args=[world.cohort.pk])).json()
    assert {g["group"]: (g["learners"], g["protects"]) for g in data["by_gender"]} == {
        "Female": (None, True),
        "Male": (None, False),
        "not shared": (7, False),
    }
    assert {g["group"]: g["learners"] for g in data["by_facility"]}["Siaya DH"] == 10


def test_a_non_consenting_learners_gender_never_appears(client, world):
    """Five men, none consenting: no "Male" group anywhere, only "not shared"."""
    for i in range(5):
        user = _learner(world, f"H{i}", consent=False, gender="male")
        record(actor=user, verb=Verb.READ, object_type="x", duration_seconds=60)
    report = reports.cohort_report(world.cohort)
    assert [str(g.label) for g in report.by_gender] == ["not shared"]
    client_as(client, world.org_admin)
    data = client.get(reverse("api-cohort-report", args=[world.cohort.pk])).json()
    assert [g["group"] for g in data["by_gender"]] == ["not shared"]
    assert [g["group"] for g in data["by_age_band"]] == ["not shared"]
    body = client.get(reverse("cohort-report", args=[world.cohort.pk])).content
    assert b"<td>Male</td>" not in body


def test_a_facility_typed_as_a_formula_is_text_in_the_csv(client, world):
    # given five learners whose facility would run in a spreadsheet
    for i in range(5):
        user = _learner(world, f"F{i}", consent=False, facility='=HYPERLINK("x")')
        if i == 0:  # and a name typed the same way, in the learners' rows
            User.objects.filter(pk=user.pk).update(display_name="@SUM(1)")
        record(actor=user, verb=Verb.READ, object_type="x", duration_seconds=60)
    client_as(client, world.org_admin)
    csv = b"".join(
        client.get(
            reverse("cohort-report-csv", args=[world.cohort.pk])
        ).streaming_content
    ).decode()
    assert "'=HYPERLINK" in csv
    assert '\n"=HYPERLINK' not in csv
    assert "\n'@SUM(1)," in csv
