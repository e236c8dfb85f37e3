"""Reads for mentoring, always scoped through mentoring.policies.

One module per topic; every name is re-exported here, so callers keep importing
from ``mentoring.selectors``.
"""

from __future__ import annotations

from mentoring.selectors.conversations import (
    checkin_get_for_user,
    conversation_checkins,
    conversation_get_for_user,
    conversation_list_for_user,
    conversation_messages,
    conversation_summaries,
    learner_checkins,
    message_get_for_user,
    reported_messages,
)
from mentoring.selectors.dashboard import (
    FAILING_BELOW,
    INACTIVE_AFTER,
    MenteeRow,
    learner_progress,
    mentor_dashboard,
    mentoring_cohorts_for_user,
)
from mentoring.selectors.loads import (
    MentorLoad,
    mentor_loads,
)
from mentoring.selectors.pairings import (
    mentor_profile_list_for_user,
    mentor_profile_of,
    pairing_changes,
    pairing_get_for_user,
    pairing_list_for_user,
    unpaired_learners,
)

__all__ = [
    "FAILING_BELOW",
    "INACTIVE_AFTER",
    "MenteeRow",
    "MentorLoad",
    "checkin_get_for_user",
    "conversation_checkins",
    "conversation_get_for_user",
    "conversation_list_for_user",
    "conversation_messages",
    "conversation_summaries",
    "learner_checkins",
    "learner_progress",
    "mentor_dashboard",
    "mentor_loads",
    "mentor_profile_list_for_user",
    "mentor_profile_of",
    "mentoring_cohorts_for_user",
    "message_get_for_user",
    "pairing_changes",
    "pairing_get_for_user",
    "pairing_list_for_user",
    "reported_messages",
    "unpaired_learners",
]
