"""Mentoring's listener on forums (registered in MentoringConfig.ready).

A mentee who opens a thread (a question) in their cohort's forums: their
mentor is told, if the mentor may still see that forum when it happens.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from cpd.notifications.services import notify
from forums.models import Thread
from forums.policies import can_view_forum
from mentoring.models import Pairing

KIND_MENTEE_QUESTION = "mentoring.mentee_question"


def mentee_thread_opened(thread: Thread) -> None:
    """Notify the author's active mentor in the thread's cohort (one query)."""
    forum = thread.forum
    pairing = (
        Pairing.objects.filter(
            cohort_id=forum.cohort_id, learner_id=thread.author_id, active=True
        )
        .select_related("mentor", "learner")
        .first()
    )
    if pairing is None or pairing.mentor_id == thread.author_id:
        return
    mentor = pairing.mentor
    if not can_view_forum(mentor, forum):
        return
    who, title = pairing.learner.display_name, thread.title
    notify(
        user=mentor,
        kind=KIND_MENTEE_QUESTION,
        text=lambda: (
            _("Your mentee %(who)s asked in the forums: %(thread)s")
            % {"who": who, "thread": title}
        ),
        url=reverse("forums-thread", args=[thread.pk]),
        dedupe_key=f"mentee-question:{thread.pk}",
        cohort=forum.cohort_id,
    )


def register() -> None:
    from forums.hooks import thread_opened_register

    thread_opened_register(mentee_thread_opened)
