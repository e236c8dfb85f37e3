"""Knowledge gain with its normalised gain and 95% interval, hand-computed."""

import pytest
from django.urls import reverse

from courses import selectors
from courses.selectors.progress import paired_interval
from cpd import services as cpd_services
from tests.conftest import client_as
from tests.courses.test_progress import sit, tests_  # noqa: F401 - fixture


def test_paired_interval_by_hand():
    # mean 20, sd 10, n 3: t(0.975, 2) = 4.303, half width 4.303 * 10 / sqrt 3
    assert paired_interval([10, 20, 30]) == (-4.8, 44.8)
    assert paired_interval([5]) is None
    assert paired_interval([]) is None


def test_cohort_gain_with_normalised_gain_and_interval(world, tests_):  # noqa: F811
    _course, pre, post, qs = tests_
    cpd_services.membership_add(
        cohort=world.cohort, user=world.other_learner, role="learner"
    )
    sit(world.learner, pre, qs[pre], 1)  # 25 -> 100: gain 75, normalised 1.0
    sit(world.learner, post, qs[post], 4)
    sit(world.other_learner, pre, qs[pre], 2)  # 50 -> 75: gain 25, normalised 0.5
    sit(world.other_learner, post, qs[post], 3)
    gain = selectors.cohort_gain_summary(world.cohort)
    assert (gain.mean_gain, gain.with_both) == (50.0, 2)
    assert gain.mean_normalised_gain == 0.75
    # mean 50, sd 35.36, t(0.975, 1) = 12.706: 50 +/- 317.7
    assert gain.interval == (-267.6, 367.6)


def test_the_report_shows_the_gain_or_says_there_is_not_enough(
    client,
    world,
    tests_,  # noqa: F811
):
    _course, pre, post, qs = tests_
    client_as(client, world.org_admin)
    url = reverse("cohort-report", args=[world.cohort.pk])
    sit(world.learner, pre, qs[pre], 1)
    sit(world.learner, post, qs[post], 4)
    page = client.get(url).content.decode()
    assert "a gain needs at least two learners" in page
    cpd_services.membership_add(
        cohort=world.cohort, user=world.other_learner, role="learner"
    )
    sit(world.other_learner, pre, qs[pre], 2)
    sit(world.other_learner, post, qs[post], 3)
    page = client.get(url).content.decode()
    assert "95% interval of the paired difference: -267.6 to 367.6 points" in page


pytestmark = pytest.mark.django_db
