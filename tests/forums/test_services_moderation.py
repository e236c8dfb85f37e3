"""Moderation actions are logged with who, what, when and why."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from cpd.limits import RateLimited
from forums.models import ModerationLog, Report
from forums.services import engagement, moderation
from forums.services.forums import forum_create


def test_every_action_is_logged(world, threads):
    mentor = world.mentor_of_cohort
    moderation.thread_pin(actor=mentor, thread=threads.thread, pinned=True)
    moderation.thread_lock(actor=mentor, thread=threads.thread, locked=True)
    moderation.post_hide(actor=mentor, post=threads.learner_reply, reason="names")
    moderation.post_unhide(actor=mentor, post=threads.learner_reply, reason="fixed")
    library = forum_create(cohort=world.cohort, title="Library")
    moderation.thread_move(
        actor=mentor, thread=threads.thread, forum=library, reason="done"
    )
    report = moderation.report_create(
        actor=world.learner, post=threads.opening, reason="check the dose"
    )
    moderation.report_resolve(actor=mentor, report=report)
    actions = list(
        ModerationLog.objects.order_by("created_at", "pk").values_list(
            "action", "reason"
        )
    )
    assert actions == [
        ("pin", ""),
        ("lock", ""),
        ("hide", "names"),
        ("unhide", "fixed"),
        ("move", "done"),
        ("resolve", "check the dose"),
    ]
    assert all(e.actor == mentor for e in ModerationLog.objects.all())


def test_hiding_needs_a_reason(world, threads):
    with pytest.raises(ValidationError, match="Say why"):
        moderation.post_hide(
            actor=world.mentor_of_cohort, post=threads.learner_reply, reason=" "
        )


def test_another_cohorts_mentor_cannot_moderate(world, threads):
    with pytest.raises(PermissionDenied):
        moderation.thread_pin(
            actor=world.other_mentor, thread=threads.thread, pinned=True
        )


def test_moving_across_cohorts_is_refused(world, threads):
    with pytest.raises(ValidationError, match="within their cohort"):
        moderation.thread_move(
            actor=world.org_admin,
            thread=threads.thread,
            forum=threads.other_thread.forum,
        )


def test_reporting_twice_keeps_one_open_report(world, threads):
    one = moderation.report_create(
        actor=world.learner, post=threads.opening, reason="a"
    )
    two = moderation.report_create(
        actor=world.learner, post=threads.opening, reason="b"
    )
    assert one == two
    assert Report.objects.count() == 1


@override_settings(RATE_LIMITS={"report": (1, 600)})
def test_reporting_is_rate_limited(world, threads):
    moderation.report_create(actor=world.org_admin, post=threads.opening, reason="a")
    with pytest.raises(RateLimited, match="many reports. Wait 600 seconds"):
        moderation.report_create(
            actor=world.org_admin, post=threads.learner_reply, reason="b"
        )


def test_accepting_needs_a_visible_reply_of_the_thread(world, threads):
    with pytest.raises(ValidationError):
        engagement.answer_accept(
            actor=world.mentor_of_cohort,
            thread=threads.thread,
            post=threads.other_thread.posts.get(),
        )
    thread = engagement.answer_accept(
        actor=world.mentor_of_cohort, thread=threads.thread, post=threads.learner_reply
    )
    assert thread.accepted_post == threads.learner_reply


def test_helpful_marks_are_idempotent_and_not_for_own_posts(world, threads):
    for _ in range(2):
        engagement.helpful_set(
            actor=world.mentor_of_cohort, post=threads.learner_reply, helpful=True
        )
    assert threads.learner_reply.marks.count() == 1
    with pytest.raises(PermissionDenied):
        engagement.helpful_set(
            actor=world.learner, post=threads.learner_reply, helpful=True
        )


def test_authors_soft_delete_their_replies(world, threads):
    from forums.services import posting

    posting.post_delete(actor=world.learner, post=threads.learner_reply)
    threads.learner_reply.refresh_from_db()
    threads.thread.refresh_from_db()
    assert threads.learner_reply.deleted_at is not None
    assert threads.thread.deleted_at is None
    assert threads.thread.reply_count == 0
    assert not ModerationLog.objects.filter(action="delete").exists()


def test_deleting_the_opening_post_deletes_the_thread_and_logs_a_moderator(
    world, threads
):
    from forums import selectors
    from forums.services import posting

    posting.post_delete(actor=world.org_admin, post=threads.opening)
    threads.thread.refresh_from_db()
    assert threads.thread.deleted_at is not None
    assert ModerationLog.objects.filter(action="delete", actor=world.org_admin).exists()
    assert selectors.search(world.learner, "placenta") == []


@pytest.mark.parametrize(
    "role", ["learner", "other_learner", "other_mentor", "outsider"]
)
def test_others_cannot_delete_a_post(world, threads, role):
    from forums.services import posting

    with pytest.raises(PermissionDenied):
        posting.post_delete(actor=getattr(world, role), post=threads.opening)
