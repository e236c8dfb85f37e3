"""Conversation reads: the user's conversations, messages, check-ins and reports."""

from __future__ import annotations

from django.db.models import (
    Count,
    DateTimeField,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from cpd.models import Cohort, User
from cpd.policies import AnyUser
from mentoring import policies
from mentoring.models import CheckIn, Conversation, ConversationMember, Message


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


def learner_checkins(user: User, cohort: Cohort | None = None) -> QuerySet[CheckIn]:
    """Check-ins of the learner's conversations (for agreed actions), latest first."""
    qs = CheckIn.objects.filter(policies.checkins_visible_to(user)).select_related(
        "conversation", "conversation__mentor"
    )
    if cohort is not None:
        qs = qs.filter(conversation__cohort=cohort)
    return qs.order_by("-scheduled_for")


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
