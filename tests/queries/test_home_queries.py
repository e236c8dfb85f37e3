"""Query budgets: the home page and cohort list cost the same at 1x and 10x data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cpd import services
from cpd.models import Role
from tests.conftest import client_as
from tests.factories.cpd import CohortFactory, OrganisationFactory, UserFactory


def _grow(org, admin, cohorts: int, members_each: int):
    for _ in range(cohorts):
        cohort = CohortFactory(organisation=org)
        services.membership_add(cohort=cohort, user=admin, role=Role.MENTOR)
        for user in UserFactory.create_batch(members_each):
            services.membership_add(cohort=cohort, user=user, role=Role.LEARNER)


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", [reverse("home"), reverse("api-cohort-list")])
@pytest.mark.parametrize("who", ["org_admin", "mentor"])
def test_query_count_is_constant_as_cohorts_and_members_grow(client, db, url, who):
    # given an organisation with 2 cohorts of 3 members
    org = OrganisationFactory()
    user = UserFactory()
    if who == "org_admin":
        org.admins.add(user)
    _grow(org, user, cohorts=2, members_each=3)
    client_as(client, user)
    small = _count(client, url)
    # when cohorts and members grow tenfold
    _grow(org, user, cohorts=18, members_each=30)
    # then the page costs the same number of queries
    assert _count(client, url) == small


def test_cohort_page_query_count_is_constant_as_members_grow(client, db):
    org = OrganisationFactory()
    admin = UserFactory()
    org.admins.add(admin)
    cohort = CohortFactory(organisation=org)
    for user in UserFactory.create_batch(3):
        services.membership_add(cohort=cohort, user=user, role=Role.LEARNER)
    client_as(client, admin)
    url = reverse("cohort-detail", args=[cohort.pk])
    small = _count(client, url)
    for user in UserFactory.create_batch(30):
        services.membership_add(cohort=cohort, user=user, role=Role.LEARNER)
    assert _count(client, url) == small
