"""Workload reads: each mentor's mentees against capacity, and reply times."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count

from cpd.models import Cohort, Membership, Role, User
from cpd.reports import SMALL_CELL
from mentoring.models import DEFAULT_CAPACITY, MentorProfile, Message, Pairing

# A mentor's median reply time shows from this many replies: from one or two,
# it would be one conversation's wait ("not enough data" until then).
MIN_REPLY_TIMES = SMALL_CELL


@dataclass
class MentorLoad:
    """A mentor's workload in a cohort."""

    mentor: User
    mentees: int
    capacity: int
    messages_received: int
    messages_answered: int
    # None ("not enough data") under MIN_REPLY_TIMES replies
    median_reply: dt.timedelta | None
    replies: int = 0  # reply times measured

    @property
    def load_percent(self) -> int:
        return round(100 * self.mentees / self.capacity) if self.capacity else 0


def mentor_loads(cohort: Cohort) -> list[MentorLoad]:
    """Every mentor's mentees vs capacity, answered messages and median reply time."""
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
                if times and len(times) >= MIN_REPLY_TIMES
                else None,
                replies=len(times or ()),
            )
        )
    return out
