"""Dashboard reads: the user's mentoring cohorts and a mentor's mentees by need."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Count,
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
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.selectors import LearnerProgress, learner_progress_for_cohort
from cpd.models import Cohort, Role, User
from cpd.policies import AnyUser
from cpd.selectors import cohort_list_for_user
from mentoring import policies
from mentoring.models import CheckIn, Conversation, Message, Pairing

INACTIVE_AFTER = dt.timedelta(days=7)
FAILING_BELOW = 60.0


def learner_progress(
    *, cohort: Cohort, user_ids: Collection[int]
) -> dict[int, LearnerProgress]:
    """Course progress per learner, from the courses app's selector."""
    return learner_progress_for_cohort(cohort=cohort, user_ids=user_ids)


def mentoring_cohorts_for_user(user: AnyUser) -> list[tuple[Cohort, str]]:
    """The user's cohorts and role in each (from the cached roles)."""
    roles = policies.roles_of(user)
    out = []
    for cohort in cohort_list_for_user(user):
        role = roles.role_in(cohort)
        if role is not None:
            out.append((cohort, role))
        elif user.is_superuser:
            out.append((cohort, Role.ADMIN))
    return out


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
