"""Mentor contact for the reports: who mentors whom, messages, check-ins, replies.

``cpd`` draws the learner and cohort reports but cannot import mentoring, so
mentoring hands over, in ``AppConfig.ready()``:

- the mentee rule (``cpd.policies.register_mentee_rule``): a mentor reads the
  learner report of their mentees only;
- a panel for each report (``cpd.panels``) and the learner's figures for the
  report's API (``cpd.learner_report.selectors.learner_part_register``).

Per learner in a cohort: messages the learner wrote, messages their mentors
wrote in conversations the learner is in, check-ins held, and the time from the
learner's first message to the first reply of that conversation's mentor. One
query for any number of learners: correlated subqueries per learner row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import asdict, dataclass
from typing import Any

from django.db.models import (
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.http import HttpRequest
from django.template.loader import render_to_string

from cpd.models import Cohort, Membership, Role, User
from cpd.policies import AnyUser
from cpd.report_cache import report_cached
from cpd.reports import MIN_FOR_MEDIAN, SMALL_CELL, median_of
from mentoring.models import CheckIn, Message, Pairing

# A median reply time needs this many replies: with one mentor in a cohort it
# is that mentor's own figure, and two or three replies would show each one.
MIN_REPLY_TIMES = SMALL_CELL


def _count_of(rows: QuerySet[Any]) -> Subquery:
    """COUNT of a correlated subquery's rows (an aggregate with no GROUP BY)."""
    return Subquery(
        rows.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n"),
        output_field=IntegerField(),
    )


# --- the mentee rule (cpd.policies) ------------------------------------------------


def _active_pairings(user: AnyUser, cohort: Cohort) -> QuerySet[Pairing]:
    return Pairing.objects.filter(cohort=cohort, mentor_id=user.pk or 0, active=True)


def mentees_q(user: AnyUser, cohort: Cohort) -> Q:
    """Membership rows of the user's active mentees in the cohort."""
    return Q(user_id__in=_active_pairings(user, cohort).values("learner_id"))


def is_mentor_of(user: AnyUser, cohort: Cohort, learner_id: int) -> bool:
    """The user has an active pairing with the learner in the cohort."""
    return _active_pairings(user, cohort).filter(learner_id=learner_id).exists()


# --- figures -------------------------------------------------------------------------


@dataclass(frozen=True)
class MentorContact:
    """One learner's contact with their mentors in one cohort."""

    user_id: int
    has_mentor: bool
    # the active mentor's name (pairing_one_active_per_learner: at most one)
    mentor_name: str | None
    from_learner: int
    from_mentor: int
    checkins: int
    first_message_at: dt.datetime | None
    first_reply_at: dt.datetime | None

    @property
    def messages(self) -> int:
        return self.from_learner + self.from_mentor

    @property
    def reply_hours(self) -> float | None:
        if self.first_message_at is None or self.first_reply_at is None:
            return None
        seconds = (self.first_reply_at - self.first_message_at).total_seconds()
        return round(seconds / 3600, 1)

    @property
    def awaiting_reply(self) -> bool:
        return self.first_message_at is not None and self.first_reply_at is None


def mentor_contact_rows(
    cohort: Cohort, user_ids: Collection[int] | None = None
) -> dict[int, MentorContact]:
    """Mentor contact per learner of the cohort (or of ``user_ids``), one query."""
    learners = Membership.objects.filter(cohort=cohort, role=Role.LEARNER)
    if user_ids is not None:
        learners = learners.filter(user_id__in=list(user_ids))
    uid = OuterRef("user_id")
    messages = Message.objects.filter(conversation__cohort=cohort)
    first = messages.filter(author_id=uid).order_by("created_at", "id")
    rows = (
        learners.annotate(
            mentor_name=Subquery(
                Pairing.objects.filter(cohort=cohort, learner_id=uid, active=True)
                .order_by()
                .values("mentor__display_name")[:1]
            ),
            from_learner=_count_of(messages.filter(author_id=uid)),
            from_mentor=_count_of(
                messages.filter(
                    conversation__members__user_id=uid,
                    author_id=F("conversation__mentor_id"),
                )
            ),
            checkins=_count_of(
                CheckIn.objects.filter(
                    conversation__cohort=cohort,
                    conversation__members__user_id=uid,
                    done_at__isnull=False,
                )
            ),
            first_at=Subquery(first.values("created_at")[:1]),
            first_conversation=Subquery(first.values("conversation_id")[:1]),
        )
        .annotate(
            reply_at=Subquery(
                Message.objects.filter(
                    conversation_id=OuterRef("first_conversation"),
                    created_at__gt=OuterRef("first_at"),
                    author_id=F("conversation__mentor_id"),
                )
                .order_by("created_at", "id")
                .values("created_at")[:1]
            )
        )
        .order_by()
        .values(
            "user_id",
            "mentor_name",
            "from_learner",
            "from_mentor",
            "checkins",
            "first_at",
            "reply_at",
        )
    )
    return {
        r["user_id"]: MentorContact(
            user_id=r["user_id"],
            has_mentor=r["mentor_name"] is not None,
            mentor_name=r["mentor_name"],
            from_learner=r["from_learner"],
            from_mentor=r["from_mentor"],
            checkins=r["checkins"],
            first_message_at=r["first_at"],
            first_reply_at=r["reply_at"],
        )
        for r in rows
    }


@dataclass(frozen=True)
class CohortMentorContact:
    """Mentor contact over a cohort's learners."""

    learners: int
    with_mentor: int
    with_mentor_share: float | None
    median_messages: float | None
    median_checkins: float | None
    # over learners whose first message was answered (n: replied)
    median_reply_hours: float | None
    replied: int
    awaiting_reply: int


def cohort_mentor_contact(cohort: Cohort) -> CohortMentorContact:
    """The cohort's mentor contact: share paired, medians with their n (one query).

    Kept with the report's other parts (``cpd.report_cache``): aggregates only.
    """
    return report_cached(cohort.pk, "mentor-contact", lambda: _mentor_contact(cohort))


def _mentor_contact(cohort: Cohort) -> CohortMentorContact:
    rows = list(mentor_contact_rows(cohort).values())
    n = len(rows)
    with_mentor = sum(1 for r in rows if r.has_mentor)
    replies = [r.reply_hours for r in rows if r.reply_hours is not None]
    return CohortMentorContact(
        learners=n,
        with_mentor=with_mentor,
        with_mentor_share=round(100 * with_mentor / n, 1) if n else None,
        median_messages=median_of([r.messages for r in rows], min_n=MIN_FOR_MEDIAN),
        median_checkins=median_of([r.checkins for r in rows], min_n=MIN_FOR_MEDIAN),
        median_reply_hours=median_of(replies, min_n=MIN_REPLY_TIMES),
        replied=len(replies),
        awaiting_reply=sum(1 for r in rows if r.awaiting_reply),
    )


def cohort_mentor_contact_figures(cohort: Cohort) -> dict[str, Any]:
    """The cohort's mentor contact as JSON-ready figures, for the report's API."""
    return asdict(cohort_mentor_contact(cohort))


def learner_mentor_contact(cohort: Cohort, learner_id: int) -> dict[str, Any]:
    """The learner's mentor and contact figures, JSON-ready (one query)."""
    contact = mentor_contact_rows(cohort, [learner_id]).get(learner_id)
    mentors = [contact.mentor_name] if contact and contact.has_mentor else []
    return {
        "mentors": mentors,
        "messages_from_learner": contact.from_learner if contact else 0,
        "messages_from_mentor": contact.from_mentor if contact else 0,
        "checkins": contact.checkins if contact else 0,
        "first_message_at": (
            contact.first_message_at.isoformat()
            if contact and contact.first_message_at
            else None
        ),
        "first_reply_hours": contact.reply_hours if contact else None,
        "awaiting_reply": contact.awaiting_reply if contact else False,
    }


# --- panels (cpd.panels) -------------------------------------------------------------


def learner_mentor_panel(request: HttpRequest, cohort: Cohort, learner: User) -> str:
    """Learner report: their mentors, messages, check-ins and first reply time."""
    return render_to_string(
        "mentoring/partials/learner_mentor_contact.html",
        {"contact": learner_mentor_contact(cohort, learner.pk)},
    )


def cohort_mentor_panel(request: HttpRequest, cohort: Cohort) -> str:
    """Cohort report: share with a mentor, medians of messages, check-ins, reply."""
    return render_to_string(
        "mentoring/partials/cohort_mentor_contact.html",
        {"contact": cohort_mentor_contact(cohort), "min_n": MIN_REPLY_TIMES},
    )
