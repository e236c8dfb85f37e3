"""A mentee's question in the cohort's forums reaches their mentor, once."""

from __future__ import annotations

from cpd.models import Membership
from cpd.notifications.models import Notification
from forums.services.forums import forum_for_cohort
from forums.services.posting import post_create, thread_create
from mentoring.forum_hooks import KIND_MENTEE_QUESTION, mentee_thread_opened
from tests.factories.cpd import UserFactory


def _told(user) -> list[str]:
    return list(
        Notification.objects.filter(user=user, kind=KIND_MENTEE_QUESTION).values_list(
            "text", flat=True
        )
    )


def test_the_mentor_hears_of_a_mentees_thread_once(world, paired):
    forum = forum_for_cohort(world.cohort)
    thread, _ = thread_create(
        actor=world.learner,
        forum=forum,
        title="Bleeding after birth",
        body="What next?",
        idempotency_key="11111111-1111-4111-8111-111111111111",
    )
    [text] = _told(world.mentor_of_cohort)
    assert "Learner A" in text
    assert "Bleeding after birth" in text
    note = Notification.objects.get(kind=KIND_MENTEE_QUESTION)
    assert note.cohort_id == world.cohort.pk
    assert note.url.endswith(f"/{thread.pk}/")
    # the same submit again (a retry) tells nobody twice; a reply is not a question
    thread_create(
        actor=world.learner,
        forum=forum,
        title="Bleeding after birth",
        body="What next?",
        idempotency_key="11111111-1111-4111-8111-111111111111",
    )
    post_create(actor=world.learner, thread=thread, body="More detail")
    mentee_thread_opened(thread)  # a listener run twice (a redelivered event)
    assert len(_told(world.mentor_of_cohort)) == 1
    # no other mentor, and not the mentee themself
    assert _told(world.other_mentor) == []
    assert _told(world.learner) == []


def test_in_the_mentors_language(world, paired, monkeypatch):
    # The msgid has no catalogue entry until the lead merges the translations:
    # show which language is active when the text is written instead.
    from django.utils import translation

    from mentoring import forum_hooks

    monkeypatch.setattr(
        forum_hooks, "_", lambda msgid: f"[{translation.get_language()}] {msgid}"
    )
    world.mentor_of_cohort.preferred_language = "fr"
    world.mentor_of_cohort.save(update_fields=["preferred_language"])
    thread_create(
        actor=world.learner, forum=forum_for_cohort(world.cohort), title="T", body="b"
    )
    [text] = _told(world.mentor_of_cohort)
    assert "Learner A" in text
    assert text.startswith("[fr] ")


def test_an_unpaired_learner_tells_no_mentor(world):
    someone = UserFactory()
    Membership.objects.create(user=someone, cohort=world.cohort, role="learner")
    thread_create(
        actor=someone, forum=forum_for_cohort(world.cohort), title="T", body="b"
    )
    assert not Notification.objects.filter(kind=KIND_MENTEE_QUESTION).exists()


def test_a_mentor_removed_from_the_cohort_is_not_told(world, paired):
    Membership.objects.filter(user=world.mentor_of_cohort, cohort=world.cohort).delete()
    from cpd.policies import forget_roles

    forget_roles(world.mentor_of_cohort)
    thread_create(
        actor=world.learner, forum=forum_for_cohort(world.cohort), title="T", body="b"
    )
    assert _told(world.mentor_of_cohort) == []
