"""Every cohort rule, for every role."""

import pytest

from cpd import policies
from cpd.models import Cohort
from tests.conftest import ROLES

VIEW = {
    "learner": True,
    "mentor_of_cohort": True,
    "other_mentor": False,
    "org_admin": True,
    "other_org_admin": False,
    "outsider": False,
    "anonymous": False,
}
MANAGE = {role: role == "org_admin" for role in ROLES}
MODERATE = {role: role in {"mentor_of_cohort", "org_admin"} for role in ROLES}


@pytest.mark.parametrize("role", ROLES)
def test_can_view_cohort_by_role(world, role):
    assert policies.can_view_cohort(world.user(role), world.cohort) is VIEW[role]


@pytest.mark.parametrize("role", ROLES)
def test_cohorts_visible_to_matches_can_view(world, role):
    # given the same user seen through the queryset form of the rule
    user = world.user(role)
    # when
    visible = Cohort.objects.filter(policies.cohorts_visible_to(user))
    # then
    assert (world.cohort in visible) is VIEW[role]


@pytest.mark.parametrize("role", ROLES)
def test_can_manage_cohort_only_for_its_organisations_admins(world, role):
    assert policies.can_manage_cohort(world.user(role), world.cohort) is MANAGE[role]


@pytest.mark.parametrize("role", ROLES)
def test_can_invite_follows_manage(world, role):
    assert policies.can_invite_to_cohort(world.user(role), world.cohort) is MANAGE[role]


@pytest.mark.parametrize("role", ROLES)
def test_can_moderate_cohort_for_its_mentors_and_admins(world, role):
    assert (
        policies.can_moderate_cohort(world.user(role), world.cohort) is MODERATE[role]
    )


@pytest.mark.parametrize("role", ROLES)
def test_can_view_members_only_from_inside(world, role):
    assert policies.can_view_members(world.user(role), world.cohort) is VIEW[role]


def test_superuser_sees_and_manages_everything(world):
    world.outsider.is_superuser = True
    assert policies.can_manage_cohort(world.outsider, world.other_cohort)


def test_roles_are_loaded_once_per_user_object(world, django_assert_num_queries):
    user = world.learner
    policies.roles_of(user)
    with django_assert_num_queries(0):
        for _ in range(10):
            policies.can_view_cohort(user, world.cohort)
