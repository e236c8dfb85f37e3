"""A thread in each cohort of the role matrix, made through the services."""

from dataclasses import dataclass

import pytest

from forums.models import Post, Thread
from forums.services import posting
from forums.services.forums import forum_for_cohort


@dataclass
class Threads:
    thread: Thread
    opening: Post
    learner_reply: Post
    other_thread: Thread


@pytest.fixture
def threads(world) -> Threads:
    forum = forum_for_cohort(world.cohort)
    thread, _ = posting.thread_create(
        actor=world.mentor_of_cohort,
        forum=forum,
        title="Retained placenta after 40 minutes",
        body="Case: placenta not delivered after 40 minutes. Next steps?",
        tags=["case"],
        no_identifiers_confirmed=True,
        idempotency_key="t1",
    )
    reply, _ = posting.post_create(
        actor=world.learner,
        thread=thread,
        body="We would try controlled cord traction again and call the doctor.",
        no_identifiers_confirmed=True,
        idempotency_key="r1",
    )
    other, _ = posting.thread_create(
        actor=world.other_learner,
        forum=forum_for_cohort(world.other_cohort),
        title="Placenta praevia in the other cohort",
        body="Secret case text about placenta praevia.",
        idempotency_key="t2",
    )
    return Threads(
        thread=thread,
        opening=thread.posts.first(),
        learner_reply=reply,
        other_thread=other,
    )
