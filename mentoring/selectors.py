"""Reads for mentoring, always scoped through mentoring.policies."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Count,
    DateTimeField,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from courses.selectors import LearnerProgress, learner_progress_for_cohort
from cpd.models import Cohort, Membership, Role, User
from cpd.policies import AnyUser
from mentoring import policies
from mentoring.models import (
    CheckIn,
    Conversation,
    ConversationMember,
    MentorProfile,
    Message,
    Pairing,
    PairingChange,
)

INACTIVE_AFTER = dt.timedelta(days=7)
FAILING_BELOW = 60.0


# --- Course data (the courses app's contract) ---------------------------------------


def learner_progress(
    *, cohort: Cohort, user_ids: Collection[int]
) -> dict[int, LearnerProgress]:
    """Course progress per learner, from the courses app's selector."""
    return learner_progress_for_cohort(cohort=cohort, user_ids=user_ids)


# --- Profiles and pairings ------------------------------------------------------------


def mentor_profile_list_for_user(user: AnyUser) -> QuerySet[MentorProfile]:
    """Mentor profiles the user may see, with users and specialties."""
    return (
        MentorProfile.objects.filter(policies.mentor_profiles_visible_to(user))
        .select_related("user")
        .prefetch_related("specialties")
        .order_by("user__display_name", "pk")
    )


def mentor_profile_of(user: User) -> MentorProfile | None:
    """The user's own mentor profile, if any."""
    return (
        MentorProfile.objects.filter(user=user).prefetch_related("specialties").first()
    )


def pairing_list_for_user(user: AnyUser, cohort: Cohort) -> QuerySet[Pairing]:
    """Active pairings of a cohort that the user may see."""
    return (
        Pairing.objects.filter(policies.pairings_visible_to(user))
        .filter(cohort=cohort, active=True)
        .select_related("mentor", "learner", "cohort")
        .order_by("mentor__display_name", "mentor_id", "learner__display_name")
    )


def pairing_get_for_user(user: AnyUser, pairing_id: int) -> Pairing:
    """One visible pairing, or Http404."""
    pairing = (
        Pairing.objects.filter(policies.pairings_visible_to(user), pk=pairing_id)
        .select_related("mentor", "learner", "cohort")
        .first()
    )
    if pairing is None:
        raise Http404("No such pairing.")
    return pairing


def pairing_changes(cohort: Cohort, limit: int = 50) -> QuerySet[PairingChange]:
    """The latest pairing changes of a cohort (audit trail)."""
    return PairingChange.objects.filter(cohort=cohort).select_related(
        "learner", "old_mentor", "new_mentor", "actor"
    )[:limit]


def unpaired_learners(cohort: Cohort) -> QuerySet[User]:
    """Learners of the cohort without an active pairing."""
    paired = Pairing.objects.filter(cohort=cohort, active=True).values("learner_id")
    return (
        User.objects.filter(memberships__cohort=cohort, memberships__role=Role.LEARNER)
        .exclude(pk__in=paired)
        .order_by("display_name", "pk")
    )


def mentoring_cohorts_for_user(user: AnyUser) -> list[tuple[Cohort, str]]:
    """The user's cohorts and role in each (from the cached roles)."""
    from cpd.selectors import cohort_list_for_user

    roles = policies.roles_of(user)
    out = []
    for cohort in cohort_list_for_user(user):
        role = roles.role_in(cohort)
        if role is not None:
            out.append((cohort, role))
        elif user.is_superuser:
            out.append((cohort, Role.ADMIN))
    return out


# --- Conversations --------------------------------------------------------------------


def _last_read_for(user: AnyUser) -> Subquery:
    return Subquery(
        ConversationMember.objects.filter(
            conversation=OuterRef("pk"), user_id=user.pk or 0
        ).values("last_read_id")[:1]
    )


def conversation_list_for_user(user: AnyUser) -> QuerySet[Conversation]:
    """The user's conversations with unread counts and last activity, newest first."""
    return (
        Conversation.objects.filter(policies.conversations_visible_to(user))
        .select_related("cohort", "mentor", "learner")
        .annotate(
            last_read=Coalesce(_last_read_for(user), Value(0)),
            last_at=Max("messages__created_at"),
        )
        .annotate(
            unread=Count(
                "messages",
                filter=Q(messages__id__gt=F("last_read"))
                & ~Q(messages__author_id=user.pk),
                distinct=True,
            )
        )
        .order_by(
            Coalesce("last_at", "created_at", output_field=DateTimeField()).desc()
        )
    )


def conversation_get_for_user(user: AnyUser, conversation_id: int) -> Conversation:
    """One conversation the user takes part in, or Http404 (missing or private)."""
    conversation = (
        Conversation.objects.filter(
            policies.conversations_visible_to(user), pk=conversation_id
        )
        .select_related("cohort", "cohort__organisation", "mentor", "learner")
        .prefetch_related("members__user")
        .first()
    )
    if conversation is None:
        raise Http404("No such conversation.")
    return conversation


def conversation_messages(
    conversation: Conversation, *, after_id: int = 0, limit: int = 100
) -> list[Message]:
    """The latest messages (oldest first), or those after ``after_id``."""
    qs = Message.objects.filter(conversation=conversation).select_related(
        "author", "image"
    )
    if after_id:
        return list(qs.filter(id__gt=after_id).order_by("id")[:limit])
    return list(reversed(qs.order_by("-id")[:limit]))


def conversation_checkins(conversation: Conversation) -> QuerySet[CheckIn]:
    """A conversation's check-ins, soonest first."""
    return CheckIn.objects.filter(conversation=conversation).order_by(
        "-done_at", "scheduled_for", "id"
    )


def checkin_get_for_user(user: AnyUser, checkin_id: int) -> CheckIn:
    """One check-in of a conversation the user takes part in, or Http404."""
    checkin = (
        CheckIn.objects.filter(policies.checkins_visible_to(user), pk=checkin_id)
        .select_related("conversation")
        .prefetch_related("conversation__members")
        .first()
    )
    if checkin is None:
        raise Http404("No such check-in.")
    return checkin


def message_get_for_user(user: AnyUser, message_id: int) -> Message:
    """One message of a conversation the user takes part in, or Http404."""
    message = (
        Message.objects.filter(
            conversation__in=Conversation.objects.filter(
                policies.conversations_visible_to(user)
            ).values("pk"),
            pk=message_id,
        )
        .select_related("conversation")
        .prefetch_related("conversation__members")
        .first()
    )
    if message is None:
        raise Http404("No such message.")
    return message


def conversation_summaries(cohort: Cohort) -> QuerySet[Conversation]:
    """Conversations of a cohort with counts only (for administrators, no bodies)."""
    return (
        Conversation.objects.filter(cohort=cohort)
        .select_related("mentor", "learner")
        .annotate(
            message_count=Count("messages"),
            reported_count=Count(
                "messages", filter=Q(messages__reported_at__isnull=False)
            ),
            last_at=Max("messages__created_at"),
        )
        .order_by("mentor__display_name", "pk")
    )


def reported_messages(user: AnyUser, cohort: Cohort) -> QuerySet[Message]:
    """Reported messages of the cohort, bodies included, for its administrators."""
    return (
        Message.objects.filter(policies.reported_messages_visible_to(user))
        .filter(conversation__cohort=cohort)
        .select_related("author", "reported_by", "conversation")
        .order_by("-reported_at")
    )


# --- Dashboards -------------------------------------------------------------------


@dataclass
class MenteeRow:
    """One mentee on a mentor's dashboard, with why they may need attention."""

    learner: User
    conversation: Conversation | None
    progress: Any
    last_seen: dt.datetime | None
    unanswered: int
    overdue: int
    next_checkin: dt.datetime | None
    reasons: list[str] = field(default_factory=list)

    @property
    def attention(self) -> int:
        return len(self.reasons)

    @property
    def percent_done(self) -> int | None:
        p = self.progress
        if p is None or not p.lessons_total:
            return None
        return round(100 * p.lessons_completed / p.lessons_total)


def _mentor_conversations(mentor: User, cohort: Cohort) -> QuerySet[Conversation]:
    last_mentor_msg = Subquery(
        Message.objects.filter(conversation=OuterRef("pk"), author_id=mentor.pk)
        .order_by("-id")
        .values("id")[:1],
        output_field=IntegerField(),
    )
    now = timezone.now()
    return (
        Conversation.objects.filter(cohort=cohort, mentor=mentor)
        .prefetch_related("members")
        .annotate(last_mentor_id=Coalesce(last_mentor_msg, Value(0)))
        .annotate(
            unanswered=Count(
                "messages",
                filter=Q(messages__id__gt=F("last_mentor_id"))
                & ~Q(messages__author_id=mentor.pk),
                distinct=True,
            ),
            overdue=Count(
                "checkins",
                filter=Q(
                    checkins__done_at__isnull=True, checkins__scheduled_for__lt=now
                ),
                distinct=True,
            ),
            next_checkin=Subquery(
                CheckIn.objects.filter(
                    conversation=OuterRef("pk"),
                    done_at__isnull=True,
                    scheduled_for__gte=now,
                )
                .order_by("scheduled_for")
                .values("scheduled_for")[:1]
            ),
            learner_last_msg=Max(
                "messages__created_at", filter=~Q(messages__author_id=mentor.pk)
            ),
        )
    )


def mentor_dashboard(mentor: User, cohort: Cohort) -> list[MenteeRow]:
    """The mentor's mentees, those needing attention first (constant queries)."""
    from django.utils.translation import gettext as _

    pairings = list(
        Pairing.objects.filter(cohort=cohort, mentor=mentor, active=True)
        .select_related("learner")
        .order_by("learner__display_name", "learner_id")
    )
    conversations = list(_mentor_conversations(mentor, cohort))
    by_learner: dict[int, Conversation] = {}
    for conv in conversations:
        for member in conv.members.all():
            # A one-to-one conversation wins over the group one for a learner.
            if member.user_id != mentor.pk and (
                conv.learner_id == member.user_id or member.user_id not in by_learner
            ):
                by_learner[member.user_id] = conv
    progress = learner_progress(
        cohort=cohort, user_ids=[p.learner_id for p in pairings]
    )
    now = timezone.now()
    rows = []
    for pairing in pairings:
        learner = pairing.learner
        mine = by_learner.get(learner.pk)
        prog = progress.get(learner.pk)
        seen = [
            t
            for t in (
                learner.last_login,
                getattr(prog, "last_activity", None),
                getattr(mine, "learner_last_msg", None),
            )
            if t is not None
        ]
        last_seen = max(seen) if seen else None
        unanswered = getattr(mine, "unanswered", 0) or 0
        overdue = getattr(mine, "overdue", 0) or 0
        reasons = []
        if unanswered:
            reasons.append(_("unanswered messages"))
        if last_seen is None or now - last_seen > INACTIVE_AFTER:
            reasons.append(_("inactive"))
        quiz = getattr(prog, "latest_quiz_percent", None)
        if quiz is not None and quiz < FAILING_BELOW:
            reasons.append(_("failing quizzes"))
        if overdue:
            reasons.append(_("overdue check-in"))
        rows.append(
            MenteeRow(
                learner=learner,
                conversation=mine,
                progress=prog,
                last_seen=last_seen,
                unanswered=unanswered,
                overdue=overdue,
                next_checkin=getattr(mine, "next_checkin", None),
                reasons=reasons,
            )
        )
    # Needs attention first: unanswered weighs most, then the number of reasons.
    rows.sort(
        key=lambda r: (-min(r.unanswered, 1), -r.attention, r.learner.display_name)
    )
    return rows


@dataclass
class MentorLoad:
    """A mentor's workload in a cohort."""

    mentor: User
    mentees: int
    capacity: int
    messages_received: int
    messages_answered: int
    median_reply: dt.timedelta | None

    @property
    def load_percent(self) -> int:
        return round(100 * self.mentees / self.capacity) if self.capacity else 0


def mentor_loads(cohort: Cohort) -> list[MentorLoad]:
    """Every mentor's mentees vs capacity, answered messages and median reply time."""
    from mentoring.services.pairing import DEFAULT_CAPACITY

    mentors = [
        m.user
        for m in Membership.objects.filter(cohort=cohort, role=Role.MENTOR)
        .select_related("user")
        .order_by("user__display_name", "user_id")
    ]
    capacity = dict(
        MentorProfile.objects.filter(user__in=[m.pk for m in mentors]).values_list(
            "user_id", "capacity"
        )
    )
    load = dict(
        Pairing.objects.filter(cohort=cohort, active=True)
        .values_list("mentor_id")
        .annotate(n=Count("id"))
        .values_list("mentor_id", "n")
    )
    # Walk each conversation's messages in order: a mentee message is answered by
    # the mentor's next message; reply time is measured from the first unanswered.
    received: dict[int, int] = defaultdict(int)
    answered: dict[int, int] = defaultdict(int)
    replies: dict[int, list[float]] = defaultdict(list)
    waiting: dict[int, tuple[dt.datetime, int]] = {}
    rows = (
        Message.objects.filter(conversation__cohort=cohort)
        .order_by("conversation_id", "id")
        .values_list(
            "conversation_id", "conversation__mentor_id", "author_id", "created_at"
        )
    )
    for conv_id, mentor_id, author_id, created in rows.iterator():
        if author_id == mentor_id:
            if conv_id in waiting:
                since, count = waiting.pop(conv_id)
                answered[mentor_id] += count
                replies[mentor_id].append((created - since).total_seconds())
        else:
            received[mentor_id] += 1
            since, count = waiting.get(conv_id, (created, 0))
            waiting[conv_id] = (since, count + 1)
    out = []
    for m in mentors:
        times = replies.get(m.pk)
        out.append(
            MentorLoad(
                mentor=m,
                mentees=load.get(m.pk, 0),
                capacity=capacity.get(m.pk, DEFAULT_CAPACITY),
                messages_received=received.get(m.pk, 0),
                messages_answered=answered.get(m.pk, 0),
                median_reply=dt.timedelta(seconds=statistics.median(times))
                if times
                else None,
            )
        )
    return out


def learner_checkins(user: User, cohort: Cohort | None = None) -> QuerySet[CheckIn]:
    """Check-ins of the learner's conversations (for agreed actions), latest first."""
    qs = CheckIn.objects.filter(policies.checkins_visible_to(user)).select_related(
        "conversation", "conversation__mentor"
    )
    if cohort is not None:
        qs = qs.filter(conversation__cohort=cohort)
    return qs.order_by("-scheduled_for")
