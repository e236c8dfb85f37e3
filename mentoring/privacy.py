"""The mentoring section of a person's data: export (read) and erasure (write).

Registered with ``cpd.privacy.registry`` in ``MentoringConfig.ready()``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q

from cpd.models import User
from cpd.privacy.registry import ErasureContext, ExportPart
from mentoring.models import (
    CheckIn,
    Conversation,
    ConversationMember,
    MentorProfile,
    Message,
    Pairing,
    PairingChange,
    PairingRun,
)


def _conversations_of(user: User) -> Q:
    members = ConversationMember.objects.filter(user=user).values("conversation_id")
    return Q(mentor=user) | Q(learner=user) | Q(pk__in=members)


def mentoring_export(user: User) -> ExportPart:
    """Conversations the person is in (every message), check-ins, mentor profile."""
    conversations = (
        Conversation.objects.filter(_conversations_of(user))
        .select_related("cohort", "mentor", "learner")
        .prefetch_related("messages__author", "messages__image", "checkins")
        .order_by("pk")
    )
    images = []
    rows = []
    for c in conversations:
        messages = []
        for m in c.messages.all():
            mine = m.author_id == user.pk
            if mine and m.image is not None:
                images.append(m.image)
            messages.append(
                {
                    "id": m.pk,
                    "by_me": mine,
                    "author": m.author.display_name if m.author else None,
                    "body": m.body,
                    "created_at": m.created_at,
                    "image": f"images/{m.image_id}.jpg"
                    if mine and m.image_id
                    else None,
                }
            )
        rows.append(
            {
                "id": c.pk,
                "cohort": c.cohort.name,
                "title": c.title,
                "mentor": c.mentor.display_name,
                "learner": c.learner.display_name if c.learner else None,
                "messages": messages,
                "checkins": [
                    {
                        "scheduled_for": ch.scheduled_for,
                        "mode": ch.mode,
                        "notes": ch.notes,
                        "agreed_actions": ch.agreed_actions,
                        "done_at": ch.done_at,
                    }
                    for ch in c.checkins.all()
                ],
            }
        )
    profile = MentorProfile.objects.filter(user=user).first()
    data: dict[str, Any] = {
        "conversations": rows,
        "mentor_profile": None
        if profile is None
        else {
            "specialties": [s.name for s in profile.specialties.all()],
            "languages": profile.languages,
            "districts": profile.districts,
            "capacity": profile.capacity,
            "availability": profile.availability,
        },
        "pairings": list(
            Pairing.objects.filter(Q(mentor=user) | Q(learner=user)).values(
                "cohort_id", "mentor_id", "learner_id", "active", "created_at"
            )
        ),
    }
    return ExportPart(data=data, images=images)


def mentoring_erase(user: User, context: ErasureContext) -> dict[str, int]:
    """A one-to-one conversation about the person goes with its check-ins; in
    others their messages someone answered lose the author, the rest go.

    The mentor profile and pairings are deleted; pairing history keeps the
    event without the person.
    """
    about_me = Conversation.objects.filter(learner=user)
    counts = {"conversations_deleted": about_me.delete()[0]}
    answered = Message.objects.filter(
        conversation_id=OuterRef("conversation_id"), pk__gt=OuterRef("pk")
    ).filter(Q(author__isnull=True) | ~Q(author=user))
    mine = Message.objects.filter(author=user)
    kept_ids = list(mine.filter(Exists(answered)).values_list("pk", flat=True))
    counts["messages_kept_anonymous"] = Message.objects.filter(pk__in=kept_ids).update(
        author=None
    )
    counts["messages_deleted"] = mine.exclude(pk__in=kept_ids).delete()[0]
    Message.objects.filter(reported_by=user).update(reported_by=None)
    CheckIn.objects.filter(created_by=user).update(created_by=None)
    counts["conversation_memberships"] = ConversationMember.objects.filter(
        user=user
    ).delete()[0]
    counts["mentor_profile"] = MentorProfile.objects.filter(user=user).delete()[0]
    counts["pairings"] = Pairing.objects.filter(
        Q(mentor=user) | Q(learner=user)
    ).delete()[0]
    Pairing.objects.filter(created_by=user).update(created_by=None)
    counts["pairing_changes"] = PairingChange.objects.filter(learner=user).delete()[0]
    PairingChange.objects.filter(old_mentor=user).update(old_mentor=None)
    PairingChange.objects.filter(new_mentor=user).update(new_mentor=None)
    PairingChange.objects.filter(actor=user).update(actor=None)
    for field in _user_fields(PairingRun):
        PairingRun.objects.filter(**{field: user}).update(**{field: None})
    return counts


def _user_fields(model: Any) -> list[str]:
    return [
        f.name
        for f in model._meta.get_fields()
        if getattr(f, "many_to_one", False)
        and f.related_model is User
        and getattr(f, "null", False)
    ]
