"""Private mentor–mentee conversations: creation, messages, read marks, reports."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from cpd.models import Image, User
from cpd.realtime import publish_on_commit, user_group
from cpd.rich_text import render_markdown
from mentoring import events, policies
from mentoring.models import (
    Conversation,
    ConversationMember,
    Message,
    Pairing,
    PairingMode,
)

MAX_MESSAGE_LENGTH = 4000


def conversation_for_pairing(*, pairing: Pairing) -> Conversation:
    """The pair's (or the mentor's group's) conversation, created when missing.

    Group mode: the learner joins the group conversation. Idempotent.
    """
    if pairing.mode == PairingMode.GROUP:
        conversation, _created = Conversation.objects.get_or_create(
            cohort=pairing.cohort,
            mentor=pairing.mentor,
            learner=None,
            group_key=pairing.group_key,
            defaults={"title": pairing.group_name},
        )
    else:
        conversation, _created = Conversation.objects.get_or_create(
            cohort=pairing.cohort,
            mentor=pairing.mentor,
            learner=pairing.learner,
            defaults={"title": ""},
        )
    for user_id in (pairing.mentor_id, pairing.learner_id):
        ConversationMember.objects.get_or_create(
            conversation=conversation, user_id=user_id
        )
    return conversation


@transaction.atomic
def message_send(
    *,
    actor: User,
    conversation: Conversation,
    body: str,
    image: Image | None = None,
) -> Message:
    """Post a message (sanitised Markdown) and notify the other participants."""
    if not policies.can_post_in_conversation(actor, conversation):
        raise PermissionDenied(_("Only the participants write here."))
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write a message first.")})
    if len(body) > MAX_MESSAGE_LENGTH:
        raise ValidationError(
            {"body": _("Keep it under %(n)s characters.") % {"n": MAX_MESSAGE_LENGTH}}
        )
    if image is not None and (
        image.owner_id != actor.pk or image.cohort_id != conversation.cohort_id
    ):
        raise ValidationError({"image": _("Attach an image you uploaded here.")})
    message = Message.objects.create(
        conversation=conversation,
        author=actor,
        body=body,
        body_html=render_markdown(body),
        image=image,
    )
    # The author has read their own message.
    ConversationMember.objects.filter(conversation=conversation, user=actor).update(
        last_read_id=message.pk
    )
    event = events.message_created(message)
    for member in conversation.members.all():
        if member.user_id != actor.pk:
            publish_on_commit(user_group(member.user_id), event)
    return message


def conversation_mark_read(*, actor: User, conversation: Conversation) -> int:
    """Mark every message as read for the actor; returns the last message id."""
    last = conversation.messages.aggregate(m=Max("id"))["m"] or 0
    ConversationMember.objects.filter(
        conversation=conversation, user=actor, last_read_id__lt=last
    ).update(last_read_id=last)
    return last


def message_report(*, actor: User, message: Message, reason: str) -> Message:
    """A participant reports a message; its body then shows to cohort admins."""
    if not policies.can_report_message(actor, message):
        raise PermissionDenied(_("You cannot report this message."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say what is wrong with this message.")})
    if message.reported_at is None:
        message.reported_at = timezone.now()
        message.reported_by = actor
        message.report_reason = reason.strip()[:200]
        message.save(update_fields=["reported_at", "reported_by", "report_reason"])
    return message
