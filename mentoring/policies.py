"""Who may see and do what in mentoring.

Moderation rule for private conversations: only the participants (the mentor and
the mentee, or the mentor and the group's learners) read messages. Cohort
administrators see that a conversation exists, its message count and last
activity, never its bodies; a participant may report a message, and from then
that one message's body (and its photo) is visible to the cohort's administrators.
Photos attached to messages are private ``cpd.Image`` rows; the rule below is
registered with cpd in ``MentoringConfig.ready()`` so they follow the messages.
"""

from __future__ import annotations

from django.db.models import Q

from cpd.models import Cohort, Image, Membership, Role
from cpd.policies import (
    AnyUser,
    can_manage_cohort,
    cohorts_visible_to,
    roles_of,
)
from mentoring.models import CheckIn, Conversation, Message, Pairing


def _managed_cohorts(user: AnyUser) -> Q:
    if not user.is_authenticated:
        return Q(pk__in=[])
    return Q(organisation__admins=user) | Q(
        pk__in=Membership.objects.filter(user=user, role=Role.ADMIN).values("cohort")
    )


# --- Profiles --------------------------------------------------------------------


def mentor_profiles_visible_to(user: AnyUser) -> Q:
    """Profiles of mentors in cohorts the user can see (to choose and know mentors)."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    cohorts = Cohort.objects.filter(cohorts_visible_to(user)).values("pk")
    mentors = Membership.objects.filter(cohort__in=cohorts, role=Role.MENTOR)
    return Q(user=user) | Q(user__in=mentors.values("user"))


def can_edit_mentor_profile(user: AnyUser, owner_id: int) -> bool:
    """A mentor edits their own profile; superusers edit any."""
    return bool(user.is_authenticated and (user.is_superuser or owner_id == user.pk))


def can_have_mentor_profile(user: AnyUser) -> bool:
    """Only people who mentor in some cohort have a mentor profile."""
    return Role.MENTOR in roles_of(user).by_cohort.values() or bool(
        user.is_authenticated and user.is_superuser
    )


# --- Pairings --------------------------------------------------------------------


def pairings_visible_to(user: AnyUser) -> Q:
    """Administrators see their cohorts' pairings; mentors and learners their own."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    managed = Cohort.objects.filter(_managed_cohorts(user)).values("pk")
    return Q(cohort__in=managed) | Q(mentor=user) | Q(learner=user)


def can_view_pairing(user: AnyUser, pairing: Pairing) -> bool:
    """Object form of ``pairings_visible_to``."""
    if not user.is_authenticated:
        return False
    return user.pk in (pairing.mentor_id, pairing.learner_id) or can_manage_cohort(
        user, pairing.cohort
    )


def can_pair_in_cohort(user: AnyUser, cohort: Cohort) -> bool:
    """Cohort administrators run, change and confirm pairings."""
    return can_manage_cohort(user, cohort)


def can_view_mentor_load(user: AnyUser, cohort: Cohort) -> bool:
    """Cohort administrators see mentors' load and unpaired learners."""
    return can_manage_cohort(user, cohort)


def can_view_dashboard(user: AnyUser, cohort: Cohort) -> bool:
    """A cohort's mentors see their own mentee dashboard."""
    return roles_of(user).role_in(cohort) == Role.MENTOR


# --- Conversations ----------------------------------------------------------------


def conversations_visible_to(user: AnyUser) -> Q:
    """Only participants see a conversation (administrators included: see above)."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    return Q(members__user=user)


def can_post_in_conversation(user: AnyUser, conversation: Conversation) -> bool:
    """Participants write; the caller has fetched it through the visible scope."""
    if not user.is_authenticated:
        return False
    return any(m.user_id == user.pk for m in conversation.members.all())


def can_view_conversation_summaries(user: AnyUser, cohort: Cohort) -> bool:
    """Administrators see that conversations exist and their counts, not bodies."""
    return can_manage_cohort(user, cohort)


def can_report_message(user: AnyUser, message: Message) -> bool:
    """A participant reports someone else's message."""
    return bool(
        user.is_authenticated
        and message.author_id != user.pk
        and can_post_in_conversation(user, message.conversation)
    )


def reported_messages_visible_to(user: AnyUser) -> Q:
    """Reported messages of cohorts the user administers."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.is_superuser:
        return Q(reported_at__isnull=False)
    managed = Cohort.objects.filter(_managed_cohorts(user)).values("pk")
    return Q(reported_at__isnull=False, conversation__cohort__in=managed)


def can_view_message(user: AnyUser, message: Message) -> bool:
    """Participants read a message; the cohort's administrators once it is reported.

    Object form of ``messages_visible_to``; expects the conversation's members
    and cohort loaded (one query per check otherwise).
    """
    if not user.is_authenticated:
        return False
    if can_post_in_conversation(user, message.conversation):
        return True
    return message.is_reported and can_manage_cohort(user, message.conversation.cohort)


def messages_visible_to(user: AnyUser) -> Q:
    """Messages of the user's conversations, and reported ones they administer."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    mine = Conversation.objects.filter(conversations_visible_to(user)).values("pk")
    return Q(conversation__in=mine) | reported_messages_visible_to(user)


def message_images_visible_to(user: AnyUser) -> Q:
    """Private images (a ``cpd.Image`` filter) attached to messages the user reads."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    readable = Message.objects.filter(messages_visible_to(user), image__isnull=False)
    return Q(pk__in=readable.values("image"))


def can_view_message_image(user: AnyUser, image: Image) -> bool:
    """Object form of ``message_images_visible_to``."""
    if not user.is_authenticated:
        return False
    attached = Message.objects.filter(image=image).select_related(
        "conversation__cohort"
    )
    return any(
        can_view_message(user, m)
        for m in attached.prefetch_related("conversation__members")
    )


# --- Check-ins --------------------------------------------------------------------


def checkins_visible_to(user: AnyUser) -> Q:
    """Check-ins of conversations the user takes part in."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    return Q(conversation__members__user=user)


def can_schedule_checkin(user: AnyUser, conversation: Conversation) -> bool:
    """The conversation's mentor schedules check-ins."""
    return bool(user.is_authenticated and conversation.mentor_id == user.pk)


def can_record_checkin(user: AnyUser, checkin: CheckIn) -> bool:
    """The conversation's mentor records notes, actions and completion."""
    return can_schedule_checkin(user, checkin.conversation)
