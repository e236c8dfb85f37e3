"""Pairing in the database: preview, confirm, re-run, override and the audit log."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cpd import services as cpd_services
from cpd.models import Role
from mentoring.models import (
    Conversation,
    ConversationMember,
    Pairing,
    PairingChange,
    PairingMode,
)
from mentoring.services import pairing
from tests.factories.cpd import UserFactory
from tests.factories.mentoring import MentorProfileFactory, SpecialtyFactory


def _add(cohort, role, n=1, **fields):
    users = UserFactory.create_batch(n, **fields)
    for u in users:
        cpd_services.membership_add(cohort=cohort, user=u, role=role)
    return users


def test_preview_prefers_the_mentor_who_speaks_the_learners_language(world):
    # given a Swahili-speaking mentor and an English-only one, both with room
    sw_mentor, en_mentor = _add(world.cohort, Role.MENTOR, 2)
    MentorProfileFactory(user=sw_mentor, languages=["sw"], capacity=3)
    MentorProfileFactory(user=en_mentor, languages=["en"], capacity=3)
    MentorProfileFactory(user=world.mentor_of_cohort, languages=["fr"], capacity=3)
    (sw_learner,) = _add(world.cohort, Role.LEARNER, preferred_language="sw")
    # when the admin previews
    proposal = pairing.pairing_preview(
        actor=world.org_admin, cohort=world.cohort, mode=PairingMode.ONE_TO_ONE
    )
    # then the Swahili speaker goes to the Swahili-speaking mentor; nothing is saved
    assert proposal.new_pairs[sw_learner.pk] == sw_mentor.pk
    assert not Pairing.objects.exists()


def test_specialty_fit_to_cadre_breaks_ties_after_language(world):
    midwifery = SpecialtyFactory(slug="midwifery", cadres=["midwife"])
    fits, other = _add(world.cohort, Role.MENTOR, 2)
    MentorProfileFactory(user=other, capacity=2, districts=["Elsewhere"])
    MentorProfileFactory(
        user=fits, capacity=2, districts=["Elsewhere"]
    ).specialties.add(midwifery)
    MentorProfileFactory(user=world.mentor_of_cohort, capacity=0)
    (midwife,) = _add(world.cohort, Role.LEARNER, cadre="midwife")
    world.learner.delete()
    proposal = pairing.pairing_preview(
        actor=world.org_admin, cohort=world.cohort, mode=PairingMode.ONE_TO_ONE
    )
    assert proposal.new_pairs == {midwife.pk: fits.pk}


def test_confirm_saves_pairs_logs_each_and_opens_a_conversation(world):
    proposal = pairing.pairing_preview(
        actor=world.org_admin, cohort=world.cohort, mode=PairingMode.ONE_TO_ONE
    )
    created = pairing.pairing_confirm(
        actor=world.org_admin,
        cohort=world.cohort,
        mode=PairingMode.ONE_TO_ONE,
        assignments=proposal.new_pairs,
    )
    assert [(p.learner, p.mentor) for p in created] == [
        (world.learner, world.mentor_of_cohort)
    ]
    change = PairingChange.objects.get()
    assert (change.actor, change.old_mentor, change.new_mentor) == (
        world.org_admin,
        None,
        world.mentor_of_cohort,
    )
    assert change.reason == "automatic pairing"
    conv = Conversation.objects.get()
    assert set(ConversationMember.objects.values_list("user_id", flat=True)) == {
        world.learner.pk,
        world.mentor_of_cohort.pk,
    }
    assert conv.learner == world.learner


def test_an_admin_change_to_the_proposal_is_noted_in_the_log(world):
    (second_mentor,) = _add(world.cohort, Role.MENTOR)
    MentorProfileFactory(user=second_mentor, languages=["fr"], capacity=2)
    MentorProfileFactory(user=world.mentor_of_cohort, languages=["en"], capacity=2)
    pairing.pairing_confirm(
        actor=world.org_admin,
        cohort=world.cohort,
        mode=PairingMode.ONE_TO_ONE,
        assignments={world.learner.pk: second_mentor.pk},
        reason="knows the facility",
    )
    change = PairingChange.objects.get()
    assert change.new_mentor == second_mentor
    assert "changed by an administrator" in change.reason
    assert "knows the facility" in change.reason


def test_rerunning_after_new_learners_join_keeps_existing_pairs(world):
    MentorProfileFactory(user=world.mentor_of_cohort, capacity=3)
    first = pairing.pairing_preview(
        actor=world.org_admin, cohort=world.cohort, mode=PairingMode.ONE_TO_ONE
    )
    pairing.pairing_confirm(
        actor=world.org_admin,
        cohort=world.cohort,
        mode=PairingMode.ONE_TO_ONE,
        assignments=first.new_pairs,
    )
    kept = Pairing.objects.get()
    newcomers = _add(world.cohort, Role.LEARNER, 4)
    # when pairing runs again
    second = pairing.pairing_preview(
        actor=world.org_admin, cohort=world.cohort, mode=PairingMode.ONE_TO_ONE
    )
    # then only newcomers are proposed, within the 2 places left; the rest reported
    assert second.kept == 1
    assert set(second.new_pairs) | set(second.unpaired) == {u.pk for u in newcomers}
    assert len(second.new_pairs) == 2
    assert len(second.unpaired) == 2
    pairing.pairing_confirm(
        actor=world.org_admin,
        cohort=world.cohort,
        mode=PairingMode.ONE_TO_ONE,
        assignments=second.new_pairs,
    )
    assert Pairing.objects.filter(pk=kept.pk, active=True).exists()
    assert Pairing.objects.filter(active=True).count() == 3


def test_confirm_refuses_to_exceed_a_mentors_capacity(world):
    MentorProfileFactory(user=world.mentor_of_cohort, capacity=1)
    (extra,) = _add(world.cohort, Role.LEARNER)
    with pytest.raises(ValidationError, match="capacity"):
        pairing.pairing_confirm(
            actor=world.org_admin,
            cohort=world.cohort,
            mode=PairingMode.ONE_TO_ONE,
            assignments={
                world.learner.pk: world.mentor_of_cohort.pk,
                extra.pk: world.mentor_of_cohort.pk,
            },
        )
    assert not Pairing.objects.exists()


def test_confirm_refuses_people_from_another_cohort(world):
    with pytest.raises(ValidationError, match="not a mentor of this cohort"):
        pairing.pairing_confirm(
            actor=world.org_admin,
            cohort=world.cohort,
            mode=PairingMode.ONE_TO_ONE,
            assignments={world.learner.pk: world.other_mentor.pk},
        )


@pytest.mark.parametrize("who", ["mentor_of_cohort", "learner", "other_org_admin"])
def test_only_cohort_admins_pair(world, who):
    with pytest.raises(PermissionDenied):
        pairing.pairing_preview(
            actor=world.user(who), cohort=world.cohort, mode=PairingMode.ONE_TO_ONE
        )


def test_reassign_moves_the_learner_and_logs_old_and_new(world, paired):
    (new_mentor,) = _add(world.cohort, Role.MENTOR)
    pairing.pairing_reassign(
        actor=world.org_admin,
        cohort=world.cohort,
        learner=world.learner,
        mentor=new_mentor,
        reason="language",
    )
    active = Pairing.objects.get(cohort=world.cohort, active=True)
    assert active.mentor == new_mentor
    change = PairingChange.objects.filter(cohort=world.cohort)[0]
    assert (change.old_mentor, change.new_mentor, change.reason) == (
        world.mentor_of_cohort,
        new_mentor,
        "language",
    )


def test_reassign_needs_a_reason_and_a_free_place(world, paired):
    (full,) = _add(world.cohort, Role.MENTOR)
    MentorProfileFactory(user=full, capacity=0)
    with pytest.raises(ValidationError, match="reason"):
        pairing.pairing_reassign(
            actor=world.org_admin,
            cohort=world.cohort,
            learner=world.learner,
            mentor=full,
            reason=" ",
        )
    with pytest.raises(ValidationError, match="capacity"):
        pairing.pairing_reassign(
            actor=world.org_admin,
            cohort=world.cohort,
            learner=world.learner,
            mentor=full,
            reason="try",
        )


def test_group_mode_puts_the_mentors_learners_in_one_conversation(world):
    (second,) = _add(world.cohort, Role.LEARNER)
    proposal = pairing.pairing_preview(
        actor=world.org_admin, cohort=world.cohort, mode=PairingMode.GROUP
    )
    pairing.pairing_confirm(
        actor=world.org_admin,
        cohort=world.cohort,
        mode=PairingMode.GROUP,
        assignments=proposal.new_pairs,
    )
    conv = Conversation.objects.get()
    assert conv.learner is None
    assert conv.group_key
    assert set(conv.members.values_list("user_id", flat=True)) == {
        world.mentor_of_cohort.pk,
        world.learner.pk,
        second.pk,
    }
    assert set(Pairing.objects.values_list("group_key", flat=True)) == {conv.group_key}
    # found by mutation testing: the group's name and who paired were not checked
    assert conv.title == f"Group of {world.mentor_of_cohort}"
    assert set(Pairing.objects.values_list("group_name", "created_by")) == {
        (conv.title, world.org_admin.pk)
    }


def test_two_mentors_groups_are_two_conversations(world):
    """Found by mutation testing: one group key for every mentor went unseen."""
    (second_mentor,) = _add(world.cohort, Role.MENTOR)
    (second,) = _add(world.cohort, Role.LEARNER)
    pairing.pairing_confirm(
        actor=world.org_admin,
        cohort=world.cohort,
        mode=PairingMode.GROUP,
        assignments={
            world.learner.pk: world.mentor_of_cohort.pk,
            second.pk: second_mentor.pk,
        },
    )
    members = {
        frozenset(c.members.values_list("user_id", flat=True))
        for c in Conversation.objects.all()
    }
    assert members == {
        frozenset({world.mentor_of_cohort.pk, world.learner.pk}),
        frozenset({second_mentor.pk, second.pk}),
    }


def test_one_to_one_pairs_carry_no_group_and_name_who_paired(world):
    """Found by mutation testing: a group key on a one-to-one pair went unseen."""
    (second,) = _add(world.cohort, Role.LEARNER)
    pairing.pairing_confirm(
        actor=world.org_admin,
        cohort=world.cohort,
        mode=PairingMode.ONE_TO_ONE,
        assignments={
            world.learner.pk: world.mentor_of_cohort.pk,
            second.pk: world.mentor_of_cohort.pk,
        },
    )
    assert set(
        Pairing.objects.values_list("group_key", "group_name", "created_by")
    ) == {("", "", world.org_admin.pk)}
    assert Conversation.objects.filter(learner__isnull=False).count() == 2


def test_a_long_mentor_name_still_fits_the_group_name(world):
    """Found by mutation testing: the cut at 80 characters was unchecked.

    "Group of " and an 80-character display name make 89 characters; the
    column holds 80 (PostgreSQL refuses more). Both paths that name a group,
    confirm (bulk) and reassign (one row), must cut it with an ellipsis.
    """
    long = "M" * 80
    world.mentor_of_cohort.display_name = long
    world.mentor_of_cohort.save(update_fields=["display_name"])
    (second_mentor,) = _add(world.cohort, Role.MENTOR, display_name="N" * 80)
    (second,) = _add(world.cohort, Role.LEARNER)
    pairing.pairing_confirm(
        actor=world.org_admin,
        cohort=world.cohort,
        mode=PairingMode.GROUP,
        assignments={world.learner.pk: world.mentor_of_cohort.pk},
    )
    pairing.pairing_reassign(
        actor=world.org_admin,
        cohort=world.cohort,
        learner=second,
        mentor=second_mentor,
        reason="group of its own",
        mode=PairingMode.GROUP,
    )
    names = dict(Pairing.objects.values_list("learner_id", "group_name"))
    assert names[world.learner.pk] == "Group of " + "M" * 70 + "…"
    assert names[second.pk] == "Group of " + "N" * 70 + "…"
    assert {len(n) for n in names.values()} == {80}
    titles = set(Conversation.objects.values_list("title", flat=True))
    assert titles == set(names.values())


def test_a_group_name_of_exactly_80_characters_is_kept_whole(world):
    name = "M" * (80 - len("Group of "))
    world.mentor_of_cohort.display_name = name
    world.mentor_of_cohort.save(update_fields=["display_name"])
    pairing.pairing_confirm(
        actor=world.org_admin,
        cohort=world.cohort,
        mode=PairingMode.GROUP,
        assignments={world.learner.pk: world.mentor_of_cohort.pk},
    )
    assert Pairing.objects.get().group_name == f"Group of {name}"


def test_confirming_twice_never_pairs_a_learner_twice(world):
    assignments = {world.learner.pk: world.mentor_of_cohort.pk}
    pairing.pairing_confirm(
        actor=world.org_admin,
        cohort=world.cohort,
        mode=PairingMode.ONE_TO_ONE,
        assignments=assignments,
    )
    with pytest.raises(ValidationError, match="not an unpaired learner"):
        pairing.pairing_confirm(
            actor=world.org_admin,
            cohort=world.cohort,
            mode=PairingMode.ONE_TO_ONE,
            assignments=assignments,
        )
    assert Pairing.objects.filter(learner=world.learner, active=True).count() == 1


def test_unpairing_a_learner_without_a_mentor_is_refused(world):
    with pytest.raises(ValidationError, match="no mentor to remove"):
        pairing.pairing_reassign(
            actor=world.org_admin,
            cohort=world.cohort,
            learner=world.learner,
            mentor=None,
            reason="tidy",
        )
    assert not PairingChange.objects.exists()
