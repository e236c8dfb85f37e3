"""Private mentor–mentee conversations: creation, messages, read marks, reports."""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cpd.limits import rate_limit_hit
from cpd.models import Cohort, Image, User, Verb
from cpd.notifications.services import notify
from cpd.policies import ensure_cohort_writable
from cpd.realtime import publish_on_commit, user_group
from cpd.record import record
from cpd.rich_text import render_markdown
from cpd.services import image_files_delete, image_upload
from mentoring import events, policies
from mentoring.models import (
    Conversation,
    ConversationMember,
    Message,
    Pairing,
    PairingMode,
)

KIND_MESSAGE = "mentoring.message"
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


def conversations_for_pairings(*, cohort: Cohort, pairings: Sequence[Pairing]) -> None:
    """:func:`conversation_for_pairing` for many new pairings of one cohort.

    Four queries whatever their number: missing conversations are inserted
    with ``ON CONFLICT DO NOTHING`` (the partial unique constraints say what a
    duplicate is), read back, and the members inserted the same way.
    """
    if not pairings:
        return
    group = [p for p in pairings if p.mode == PairingMode.GROUP]
    single = [p for p in pairings if p.mode != PairingMode.GROUP]
    Conversation.objects.bulk_create(
        [
            Conversation(
                cohort=cohort,
                mentor_id=p.mentor_id,
                learner=None,
                group_key=p.group_key,
                title=p.group_name,
            )
            for p in {p.group_key: p for p in group}.values()
        ]
        + [
            Conversation(cohort=cohort, mentor_id=p.mentor_id, learner_id=p.learner_id)
            for p in single
        ],
        ignore_conflicts=True,
    )
    found = Conversation.objects.filter(cohort=cohort).filter(
        Q(learner__isnull=True, group_key__in={p.group_key for p in group})
        | Q(
            learner_id__in={p.learner_id for p in single},
            mentor_id__in={p.mentor_id for p in single},
        )
    )
    by_group, by_pair = {}, {}
    for conversation in found:
        if conversation.learner_id is None:
            by_group[(conversation.mentor_id, conversation.group_key)] = conversation
        else:
            by_pair[(conversation.mentor_id, conversation.learner_id)] = conversation
    members = []
    for p in pairings:
        conversation = (
            by_group[(p.mentor_id, p.group_key)]
            if p.mode == PairingMode.GROUP
            else by_pair[(p.mentor_id, p.learner_id)]
        )
        members += [
            ConversationMember(conversation=conversation, user_id=p.mentor_id),
            ConversationMember(conversation=conversation, user_id=p.learner_id),
        ]
    ConversationMember.objects.bulk_create(members, ignore_conflicts=True)


def _clean_body(body: str, *, with_photo: bool) -> str:
    body = (body or "").strip()
    if not body and not with_photo:
        raise ValidationError({"body": _("Write a message or attach a photo.")})
    if len(body) > MAX_MESSAGE_LENGTH:
        raise ValidationError(
            {"body": _("Keep it under %(n)s characters.") % {"n": MAX_MESSAGE_LENGTH}}
        )
    return body


def _store_photo(*, actor: User, conversation: Conversation, photo: IO[bytes]) -> Image:
    try:
        return image_upload(
            actor=actor,
            cohort=conversation.cohort,
            file=photo,
            no_identifiers_confirmed=True,
            private=True,
        )
    except ValidationError as exc:
        # cpd reports a bad file without a field; here it belongs to the photo.
        if hasattr(exc, "error_dict"):
            raise
        raise ValidationError({"image": exc.error_list}) from exc


def message_send(
    *,
    actor: User,
    conversation: Conversation,
    body: str,
    photo: IO[bytes] | None = None,
    no_identifiers_confirmed: bool = False,
) -> Message:
    """Post a message (sanitised Markdown, optional photo) and notify the others.

    A photo needs the no-identifiers confirmation; it is re-encoded and stored as
    a private image of the conversation's cohort, in the message's transaction:
    if the message fails, neither the image row nor its files remain.
    Rate-limited per sender (``mentor_message``): RateLimited before any write.
    """
    if not policies.can_post_in_conversation(actor, conversation):
        raise PermissionDenied(_("Only the participants write here."))
    ensure_cohort_writable(conversation.cohort)
    body = _clean_body(body, with_photo=photo is not None)
    if photo is not None and not no_identifiers_confirmed:
        raise ValidationError(
            {
                "no_identifiers_confirmed": _(
                    "Confirm that the photo shows no patient name, face, number "
                    "or other identifier."
                )
            }
        )
    rate_limit_hit(user_id=actor.pk, action="mentor_message")
    image: Image | None = None
    try:
        with transaction.atomic():
            if photo is not None:
                image = _store_photo(
                    actor=actor, conversation=conversation, photo=photo
                )
            message = Message.objects.create(
                conversation=conversation,
                author=actor,
                body=body,
                body_html=render_markdown(body),
                image=image,
            )
            record(
                actor=actor,
                verb=Verb.MENTOR_MESSAGE,
                object_type="conversation",
                object_id=conversation.pk,
                cohort=conversation.cohort_id,
                client_key=f"message:{message.pk}",
                timestamp=message.created_at,
            )
            # The author has read their own message.
            ConversationMember.objects.filter(
                conversation=conversation, user=actor
            ).update(last_read_id=message.pk)
            event = events.message_created(message)
            for member in conversation.members.select_related("user"):
                if member.user_id != actor.pk:
                    publish_on_commit(user_group(member.user_id), event)
                    notify(
                        user=member.user,
                        kind=KIND_MESSAGE,
                        text=lambda: (
                            _("New message from %(who)s") % {"who": actor.display_name}
                        ),
                        url=reverse("mentoring-conversation", args=[conversation.pk]),
                        dedupe_key=f"message:{message.pk}",
                        cohort=conversation.cohort_id,
                    )
    except BaseException:
        # The image row went with the rollback; its files are not transactional.
        if image is not None:
            image_files_delete(image=image)
        raise
    return message


def conversation_mark_read(*, actor: User, conversation: Conversation) -> int:
    """Mark every message as read for the actor; returns the last message id."""
    last = conversation.messages.aggregate(m=Max("id"))["m"] or 0
    ConversationMember.objects.filter(
        conversation=conversation, user=actor, last_read_id__lt=last
    ).update(last_read_id=last)
    return last


def message_report(*, actor: User, message: Message, reason: str) -> Message:
    """A participant reports a message; its body then shows to cohort admins.

    Reporting a reported message again changes nothing and counts nothing; a new
    report counts towards the sender's ``report`` limit (shared with forum posts).
    """
    if not policies.can_report_message(actor, message):
        raise PermissionDenied(_("You cannot report this message."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say what is wrong with this message.")})
    if message.reported_at is None:
        rate_limit_hit(user_id=actor.pk, action="report")
        message.reported_at = timezone.now()
        message.reported_by = actor
        message.report_reason = reason.strip()[:200]
        message.save(update_fields=["reported_at", "reported_by", "report_reason"])
    return message
