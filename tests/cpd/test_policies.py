"""Every cohort rule, for every role."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone

from cpd import policies, services
from cpd.models import (
    Cohort,
    Image,
    Invitation,
    JoinLink,
    Membership,
    Organisation,
    Role,
)
from tests.conftest import ROLES
from tests.factories.cpd import UserFactory
from tests.factories.mentoring import PairingFactory

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


# --- Added for mutation testing: each rule by role, as unit tests ---------------------

ADMIN_A = {"org_admin"}
MODERATE_A = {"mentor_of_cohort", "org_admin"}


def _superuser():
    return UserFactory(is_superuser=True, is_staff=True)


@pytest.fixture
def mentee(world):
    """Learner A's active pairing with Mentor A (the mentee rule reads it)."""
    return PairingFactory(
        cohort=world.cohort, mentor=world.mentor_of_cohort, learner=world.learner
    )


@pytest.mark.parametrize("role", ROLES)
def test_cohort_report_for_mentors_and_admins_rows_for_admins(world, role):
    user = world.user(role)
    assert policies.can_view_cohort_report(user, world.cohort) is (role in MODERATE_A)
    assert policies.can_view_learner_rows(user, world.cohort) is (role in ADMIN_A)


@pytest.mark.parametrize("role", ROLES)
def test_learner_report_by_role(world, mentee, role):
    user = world.user(role)
    reader = {"learner", "mentor_of_cohort", "org_admin"}
    assert policies.can_view_learner_report(user, world.cohort, world.learner.pk) is (
        role in reader
    )
    rows = set(
        Membership.objects.filter(
            policies.learner_reports_visible_to(user, world.cohort)
        ).values_list("user_id", flat=True)
    )
    assert rows == ({world.learner.pk} if role in reader else set())


def test_learner_report_of_another_learner_of_the_cohort(world, mentee):
    (peer,) = _members(world.cohort, Role.LEARNER)
    # the learner reads their own report only
    assert not policies.can_view_learner_report(world.learner, world.cohort, peer.pk)
    # the mentor reads their mentee's, not the unpaired learner's
    assert not policies.can_view_learner_report(
        world.mentor_of_cohort, world.cohort, peer.pk
    )
    assert policies.is_mentor_of(world.mentor_of_cohort, world.cohort, world.learner.pk)
    assert not policies.is_mentor_of(world.mentor_of_cohort, world.cohort, peer.pk)
    # the administrator reads every learner's, and only learners' rows
    rows = set(
        Membership.objects.filter(
            policies.learner_reports_visible_to(world.org_admin, world.cohort)
        ).values_list("user_id", flat=True)
    )
    assert rows == {world.learner.pk, peer.pk}
    assert policies.can_view_learner_report(world.org_admin, world.cohort, peer.pk)
    root = _superuser()
    assert policies.can_view_learner_report(root, world.cohort, peer.pk)
    rows = set(
        Membership.objects.filter(
            policies.learner_reports_visible_to(root, world.cohort)
        ).values_list("user_id", flat=True)
    )
    assert rows == {world.learner.pk, peer.pk}


def test_a_pairing_elsewhere_does_not_make_a_mentor(world):
    # Mentor B is paired with Learner A in cohort B, but is no mentor of cohort A
    PairingFactory(
        cohort=world.other_cohort, mentor=world.other_mentor, learner=world.learner
    )
    assert not policies.is_mentor_of(world.other_mentor, world.cohort, world.learner.pk)
    # a learner of cohort A with a pairing row as "mentor" is still a learner there
    (peer,) = _members(world.cohort, Role.LEARNER)
    PairingFactory(cohort=world.cohort, mentor=peer, learner=world.learner)
    assert not policies.is_mentor_of(peer, world.cohort, world.learner.pk)
    assert not Membership.objects.filter(
        policies.learner_reports_visible_to(peer, world.cohort), user=world.learner
    ).exists()


def test_a_mentors_rows_are_the_cohorts_learners_only(world, mentee):
    # a pairing with a mentor of the cohort (not a learner) shows no mentor row
    (colleague,) = _members(world.cohort, Role.MENTOR)
    PairingFactory(
        cohort=world.cohort, mentor=world.mentor_of_cohort, learner=colleague
    )
    rows = set(
        Membership.objects.filter(
            policies.learner_reports_visible_to(world.mentor_of_cohort, world.cohort)
        ).values_list("user_id", flat=True)
    )
    assert rows == {world.learner.pk}


def _members(cohort, role, n=1):
    users = UserFactory.create_batch(n)
    for u in users:
        services.membership_add(cohort=cohort, user=u, role=role)
    return users


def _invitation(cohort, **fields):
    return Invitation.objects.create(
        cohort=cohort,
        role=Role.LEARNER,
        expires_at=timezone.now() + timedelta(days=7),
        **fields,
    )


def test_an_invitation_is_accepted_by_its_address_only(world):
    user = UserFactory(email="nurse@example.org", phone="+254700000001")
    by_email = _invitation(world.cohort, email="  Nurse@Example.org ")
    by_phone = _invitation(world.cohort, phone=" +254700000001 ")
    other_email = _invitation(world.cohort, email="someone@example.org")
    other_phone = _invitation(world.cohort, phone="+254700000002")
    blank = _invitation(world.cohort)
    assert policies.can_accept_invitation(user, by_email)
    assert policies.can_accept_invitation(user, by_phone)
    assert not policies.can_accept_invitation(user, other_email)
    assert not policies.can_accept_invitation(user, other_phone)
    assert not policies.can_accept_invitation(user, blank)
    assert not policies.can_accept_invitation(AnonymousUser(), by_email)


def test_an_invitation_with_neither_side_blank_matches_nothing(world):
    # an account with no phone never matches an invitation by phone on ""
    no_phone = UserFactory(email="a@example.org")
    assert not policies.can_accept_invitation(
        no_phone, _invitation(world.cohort, email="b@example.org")
    )
    no_email = UserFactory(email=None, phone="+254700000003")
    assert not policies.can_accept_invitation(
        no_email, _invitation(world.cohort, phone="+254700000004")
    )


def test_an_invitation_for_an_account_is_that_accounts_only(world):
    target = UserFactory(email="target@example.org")
    same_address = UserFactory(email="same@example.org")
    invitation = _invitation(world.cohort, email="same@example.org", user=target)
    assert policies.can_accept_invitation(target, invitation)
    assert not policies.can_accept_invitation(same_address, invitation)


@pytest.mark.parametrize("role", ROLES)
def test_invitations_and_join_links_are_for_the_cohorts_admins(world, role):
    user = world.user(role)
    invitation = _invitation(world.cohort, email="x@example.org")
    other = _invitation(world.other_cohort, email="y@example.org")
    link = JoinLink.objects.create(
        cohort=world.cohort, max_uses=5, expires_at=timezone.now() + timedelta(days=1)
    )
    allowed = role in ADMIN_A
    visible = set(Invitation.objects.filter(policies.invitations_visible_to(user)))
    assert visible == ({invitation} if allowed else set()) | (
        {other} if role == "other_org_admin" else set()
    )
    links = set(JoinLink.objects.filter(policies.join_links_visible_to(user)))
    assert links == ({link} if allowed else set())
    assert policies.can_manage_invitations(user, world.cohort) is allowed
    assert policies.can_manage_invitation(user, invitation) is allowed
    assert policies.can_manage_join_link(user, link) is allowed
    # anyone signed in may use a code (the code is the secret)
    assert policies.can_use_join_link(user, link) is (role != "anonymous")


def test_a_cohort_admin_by_membership_sees_its_invitations_only(world):
    admin = _members(world.cohort, Role.ADMIN)[0]
    mentor_elsewhere = world.mentor_of_cohort
    invitation = _invitation(world.cohort, email="x@example.org")
    _invitation(world.other_cohort, email="y@example.org")
    assert set(Invitation.objects.filter(policies.invitations_visible_to(admin))) == {
        invitation
    }
    assert policies.can_manage_invitation(admin, invitation)
    assert not Invitation.objects.filter(
        policies.invitations_visible_to(mentor_elsewhere)
    ).exists()


def test_a_superuser_sees_every_invitation(world):
    a = _invitation(world.cohort, email="x@example.org")
    b = _invitation(world.other_cohort, email="y@example.org")
    root = _superuser()
    assert set(Invitation.objects.filter(policies.invitations_visible_to(root))) == {
        a,
        b,
    }
    assert policies.can_manage_invitation(root, b)


def test_an_inactive_account_uses_no_join_link(world):
    link = JoinLink.objects.create(
        cohort=world.cohort, max_uses=5, expires_at=timezone.now() + timedelta(days=1)
    )
    world.outsider.is_active = False
    assert not policies.can_use_join_link(world.outsider, link)


@pytest.mark.parametrize("role", ROLES)
def test_moderated_cohorts_and_visible_memberships(world, role):
    user = world.user(role)
    moderated = set(Cohort.objects.filter(policies.cohorts_moderated_by(user)))
    expected = set()
    if role in MODERATE_A:
        expected.add(world.cohort)
    if role in {"other_mentor", "other_org_admin"}:
        expected.add(world.other_cohort)
    assert moderated == expected
    memberships = set(
        Membership.objects.filter(policies.memberships_visible_to(user)).values_list(
            "cohort_id", flat=True
        )
    )
    seen = set()
    if role in {"learner", "mentor_of_cohort", "org_admin"}:
        seen.add(world.cohort.pk)
    if role in {"other_mentor", "other_org_admin"}:
        seen.add(world.other_cohort.pk)
    assert memberships == seen


def test_a_learner_moderates_nothing_and_a_superuser_everything(world):
    assert not Cohort.objects.filter(
        policies.cohorts_moderated_by(world.learner)
    ).exists()
    root = _superuser()
    assert set(Cohort.objects.filter(policies.cohorts_moderated_by(root))) == {
        world.cohort,
        world.other_cohort,
    }
    assert set(
        Membership.objects.filter(policies.memberships_visible_to(root)).values_list(
            "cohort_id", flat=True
        )
    ) == {world.cohort.pk, world.other_cohort.pk}


# --- Images ---------------------------------------------------------------------------


def _image(owner, cohort, **fields):
    return Image.objects.create(
        owner=owner,
        cohort=cohort,
        full="f.jpg",
        small="s.jpg",
        width=1,
        height=1,
        **fields,
    )


@pytest.fixture
def images(world):
    """A course image, cohort A images (shown, hidden, hidden but the learner's
    own) and a private image of the learner's."""
    hidden = {"hidden_at": timezone.now()}
    return {
        "course": _image(None, None),
        "shown": _image(world.mentor_of_cohort, world.cohort),
        "hidden": _image(world.mentor_of_cohort, world.cohort, **hidden),
        "own_hidden": _image(world.learner, world.cohort, **hidden),
        "private": _image(world.learner, world.cohort, private=True),
        "b": _image(world.other_mentor, world.other_cohort),
    }


IMAGES_SEEN = {
    "learner": {"course", "shown", "own_hidden", "private"},
    "mentor_of_cohort": {"course", "shown", "hidden", "own_hidden"},
    "other_mentor": {"course", "b"},
    "org_admin": {"course", "shown", "hidden", "own_hidden"},
    "other_org_admin": {"course", "b"},
    "outsider": {"course"},
    "anonymous": set(),
}


@pytest.mark.parametrize("role", ROLES)
def test_images_by_role_both_forms(world, images, monkeypatch, role):
    monkeypatch.setattr(policies, "_private_image_rules", [])
    user = world.user(role)
    visible = set(Image.objects.filter(policies.images_visible_to(user)))
    assert visible == {images[k] for k in IMAGES_SEEN[role]}
    for name, image in images.items():
        assert policies.can_view_image(user, image) is (name in IMAGES_SEEN[role])


def test_a_superuser_sees_every_image(world, images):
    root = _superuser()
    assert set(Image.objects.filter(policies.images_visible_to(root))) == set(
        images.values()
    )
    assert all(policies.can_view_image(root, i) for i in images.values())


def test_a_private_image_rule_grants_readers_until_the_image_is_hidden(
    world, images, monkeypatch
):
    private = images["private"]
    grant = policies.PrivateImageRule(
        q_for_user=lambda user: (
            Q(pk=private.pk) if user.pk == world.mentor_of_cohort.pk else Q(pk__in=[])
        ),
        can_view=lambda user, image: user.pk == world.mentor_of_cohort.pk,
    )
    monkeypatch.setattr(policies, "_private_image_rules", [grant])
    mentor = world.mentor_of_cohort
    assert policies.can_view_image(mentor, private)
    assert private in Image.objects.filter(policies.images_visible_to(mentor))
    assert not policies.can_view_image(world.org_admin, private)
    assert private not in Image.objects.filter(
        policies.images_visible_to(world.org_admin)
    )
    Image.objects.filter(pk=private.pk).update(hidden_at=timezone.now())
    private.refresh_from_db()
    assert not policies.can_view_image(mentor, private)
    assert private not in Image.objects.filter(policies.images_visible_to(mentor))
    # its owner still sees it
    assert policies.can_view_image(world.learner, private)
    assert private in Image.objects.filter(policies.images_visible_to(world.learner))


@pytest.mark.parametrize("role", ROLES)
def test_upload_and_hide_images_by_role(world, images, role):
    user = world.user(role)
    member = role in {"learner", "mentor_of_cohort", "org_admin"}
    assert policies.can_upload_image(user, world.cohort) is member
    assert policies.can_upload_image(user, None) is False  # course images: staff
    assert policies.can_hide_image(user, images["shown"]) is (role in MODERATE_A)
    assert policies.can_hide_image(user, images["b"]) is (
        role in {"other_mentor", "other_org_admin"}
    )
    assert policies.can_hide_image(user, images["course"]) is False
    assert policies.can_hide_image(user, images["private"]) is False


def test_staff_upload_and_hide_course_images_superusers_private_ones(world, images):
    world.outsider.is_staff = True
    assert policies.can_upload_image(world.outsider, None)
    assert policies.can_hide_image(world.outsider, images["course"])
    assert not policies.can_hide_image(world.outsider, images["private"])
    root = _superuser()
    assert policies.can_hide_image(root, images["private"])


# --- Organisations and administration -------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_organisation_rules_by_role(world, role):
    user = world.user(role)
    org = world.cohort.organisation
    admin = role == "org_admin"
    assert policies.can_read_audit(user, org) is admin
    assert policies.can_administer_organisation(user, org) is admin
    assert policies.can_create_cohort(user, org) is admin
    assert policies.can_archive_cohort(user, world.cohort) is admin
    assert policies.administers_any_organisation(user) is (
        role in {"org_admin", "other_org_admin"}
    )
    administered = set(
        Organisation.objects.filter(policies.organisations_administered_by(user))
    )
    assert administered == (
        {org}
        if admin
        else {world.other_cohort.organisation}
        if role == "other_org_admin"
        else set()
    )
    assert policies.can_see_organisation(user, org) is (
        role in {"learner", "mentor_of_cohort", "org_admin"}
    )


def test_organisation_rules_for_a_superuser(world):
    root = _superuser()
    org = world.other_cohort.organisation
    assert policies.can_read_audit(root, org)
    assert policies.can_administer_organisation(root, org)
    assert policies.administers_any_organisation(root)
    assert policies.can_see_organisation(root, org)
    assert policies.can_archive_cohort(root, world.other_cohort)
    assert set(
        Organisation.objects.filter(policies.organisations_administered_by(root))
    ) == {world.cohort.organisation, org}


@pytest.mark.parametrize("role", ROLES)
def test_editing_cohorts_and_members_by_role(world, role):
    user = world.user(role)
    manage = role in ADMIN_A
    learner = Membership.objects.get(cohort=world.cohort, user=world.learner)
    assert policies.can_edit_cohort(user, world.cohort) is manage
    assert policies.can_manage_members(user, world.cohort) is manage
    assert policies.can_change_member_role(user, learner, Role.MENTOR) is manage
    assert policies.can_change_member_role(user, learner, Role.ADMIN) is manage
    assert policies.can_remove_member(user, learner) is manage


def test_a_cohort_admin_by_membership_grants_no_admin_role(world):
    delegate = _members(world.cohort, Role.ADMIN)[0]
    fellow = Membership.objects.get(
        cohort=world.cohort, user=_members(world.cohort, Role.ADMIN)[0]
    )
    learner = Membership.objects.get(cohort=world.cohort, user=world.learner)
    assert policies.can_edit_cohort(delegate, world.cohort)
    assert policies.can_change_member_role(delegate, learner, Role.MENTOR)
    assert not policies.can_change_member_role(delegate, learner, Role.ADMIN)
    assert not policies.can_change_member_role(delegate, fellow, Role.LEARNER)
    assert policies.can_remove_member(delegate, learner)
    assert not policies.can_remove_member(delegate, fellow)
    assert not policies.can_archive_cohort(delegate, world.cohort)
    # the organisation's administrator does both
    assert policies.can_change_member_role(world.org_admin, fellow, Role.LEARNER)
    assert policies.can_remove_member(world.org_admin, fellow)


def test_an_archived_cohort_is_read_only(world):
    assert policies.cohort_is_writable(world.cohort)
    policies.ensure_cohort_writable(world.cohort)  # no error
    world.cohort.archived_at = timezone.now()
    assert not policies.cohort_is_writable(world.cohort)
    with pytest.raises(PermissionDenied) as refused:
        policies.ensure_cohort_writable(world.cohort)
    assert "Cohort A is archived" in str(refused.value)
