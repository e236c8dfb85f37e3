"""Demo forum threads in both cohorts, including an answered case; idempotent."""

from __future__ import annotations

import datetime as dt
from typing import TextIO

from django.utils import timezone

from cpd.demo import DemoWorld
from cpd.models import User
from forums.models import Forum, Post, Thread
from forums.services import engagement, posting
from forums.services.forums import forum_create, forum_for_cohort

CASE_BODY = (
    "P2 at 38 weeks, delivered at home 3 hours ago, brought in with heavy bleeding. "
    "Uterus soft and boggy, pulse 118, BP 90/60. We have oxytocin but no "
    "misoprostol in stock. What should we do first while waiting for transport?\n\n"
    "(No patient identifiers in this post.)"
)
ANSWER_BODY = (
    "This is postpartum haemorrhage from uterine atony until proven otherwise.\n\n"
    "1. Call for help and start **bimanual uterine massage**.\n"
    "2. Oxytocin 10 IU IM (or 20 IU in 1 L saline IV) now.\n"
    "3. Two large-bore IV lines, warm fluids, empty the bladder.\n"
    "4. Check the placenta is complete and look for tears.\n"
    "5. Tranexamic acid 1 g IV within 3 hours of birth.\n\n"
    "Keep massaging during transfer. @faith-achieng well done for acting fast."
)


def _reply(user: User, thread: Thread, key: str, body: str, case: bool = False):
    post, _created = posting.post_create(
        actor=user,
        thread=thread,
        body=body,
        idempotency_key=key,
        no_identifiers_confirmed=case,
    )
    return post


def seed(world: DemoWorld, out: TextIO) -> None:
    """Seed threads and replies; running again changes nothing."""
    from django.core.cache import caches

    caches["counters"].delete_many(
        [f"cpd:rl:post:{u.pk}" for u in world.users.values()]
    )  # seeding many posts must not trip the posting limit
    u = world.users
    maternal = forum_for_cohort(world.cohorts["maternal"])
    emergency = forum_for_cohort(world.cohorts["emergency"])
    if not Forum.objects.filter(cohort=maternal.cohort, is_default=False).exists():
        forum_create(
            cohort=maternal.cohort,
            title="Case library",
            description="Finished case discussions worth keeping.",
        )

    case, _ = posting.thread_create(
        actor=u["faith"],
        forum=maternal,
        title="PPH after home delivery: what first without misoprostol?",
        body=CASE_BODY,
        tags=["case", "question", "pph"],
        idempotency_key="demo-case-pph",
        no_identifiers_confirmed=True,
    )
    answer = _reply(u["amina"], case, "demo-case-pph-answer", ANSWER_BODY, case=True)
    _reply(
        u["mercy"],
        case,
        "demo-case-pph-mercy",
        "We keep a PPH box (oxytocin, TXA, cannulas, catheter) in the labour "
        "ward. It saved time last month.",
        case=True,
    )
    engagement.answer_accept(actor=u["amina"], thread=case, post=answer)
    engagement.helpful_set(actor=u["faith"], post=answer, helpful=True)
    engagement.helpful_set(actor=u["mercy"], post=answer, helpful=True)

    question, _ = posting.thread_create(
        actor=u["peter"],
        forum=maternal,
        title="Partograph: when do we act on the alert line?",
        body="Our team reads the alert line differently. Do you refer at the "
        "alert line or the action line in a health centre without theatre?",
        tags=["question"],
        idempotency_key="demo-partograph",
    )
    _reply(
        u["amina"],
        question,
        "demo-partograph-answer",
        "In a health centre: crossing the **alert line** is the time to refer, "
        "because transfer takes hours. Do not wait for the action line.",
    )
    resource, _ = posting.thread_create(
        actor=u["amina"],
        forum=maternal,
        title="WHO recommendations on PPH (2023) — summary",
        body="A one-page summary for the ward wall. Read it before our skills day.",
        tags=["resource"],
        idempotency_key="demo-who-pph",
    )
    if not resource.is_pinned:
        from forums.services.moderation import thread_pin

        thread_pin(actor=u["amina"], thread=resource, pinned=True)

    eclampsia, _ = posting.thread_create(
        actor=u["hassan"],
        forum=emergency,
        title="Eclampsia: magnesium sulphate loading dose in the community",
        body="A woman fitted on the way to the dispensary. Can a CHW give the "
        "IM loading dose before referral?",
        tags=["case", "question"],
        idempotency_key="demo-eclampsia",
        no_identifiers_confirmed=True,
    )
    reply = _reply(
        u["joseph"],
        eclampsia,
        "demo-eclampsia-answer",
        "Only where your county protocol allows it and you were trained: 10 g IM "
        "(5 g each buttock) then refer at once. Otherwise: recovery position, "
        "airway, and fastest transport.",
        case=True,
    )
    _reply(
        u["peter"],
        eclampsia,
        "demo-eclampsia-peter",
        "In Siaya the protocol allows it for trained CHWs since last year.",
        case=True,
    )
    engagement.answer_accept(actor=u["joseph"], thread=eclampsia, post=reply)
    _classmates_talk(world, maternal)
    count = Thread.objects.filter(forum__cohort__in=world.cohorts.values()).count()
    out.write(f"Forums: {count} threads in the demo cohorts.\n")


# Questions the maternal cohort's classmates asked: (asker, title, body, days
# ago, replies as (who, hours after, body)). Their times are set in the past
# so the report's reply times to questions are believable.
CLASSMATE_QUESTIONS = [
    (
        "classmate0",
        "Oxytocin storage when the fridge is off",
        "Power cuts leave our fridge off most afternoons. How long is oxytocin "
        "still good outside the cold chain?",
        3,
        [
            (
                "classmate1",
                2,
                "We keep it in a cool box with ice packs from the EPI fridge.",
            ),
            (
                "amina",
                5,
                "Oxytocin needs 2–8 °C. Out of the cold chain, replace it "
                "after the time on the manufacturer's label, and ask for a heat-stable "
                "carbetocin supply if cuts are daily.",
            ),
            ("classmate2", 7, "Our pharmacist marks the date it left the fridge."),
        ],
    ),
    (
        "classmate3",
        "Estimating blood loss: do you weigh the pads?",
        "Visual estimates in our ward are always low. Does anyone weigh pads and "
        "drapes?",
        6,
        [
            (
                "faith",
                1,
                "Yes: 1 g is about 1 ml. We keep a kitchen scale in labour ward.",
            ),
            ("classmate4", 3, "We use a calibrated drape under the mother."),
            (
                "amina",
                9,
                "Weighing or a calibrated drape beats visual estimates. "
                "Act on signs of shock whatever the estimate says.",
            ),
        ],
    ),
    (
        "classmate5",
        "Fundal massage after the placenta: how long?",
        "How long do you keep massaging after the placenta is out?",
        9,
        [
            ("classmate0", 4, "Until the uterus is firm, then check every 15 minutes."),
            ("classmate6", 6, "Teach the mother to feel it too."),
            ("amina", 20, "Check tone every 15 minutes for the first 2 hours."),
        ],
    ),
]


def _classmates_talk(world: DemoWorld, forum: Forum) -> None:
    """The classmates' questions and replies, dated in the past (idempotent)."""
    u = world.users
    now = timezone.now()
    for asker, title, body, days_ago, replies in CLASSMATE_QUESTIONS:
        if asker not in u:
            continue
        thread, created = posting.thread_create(
            actor=u[asker],
            forum=forum,
            title=title,
            body=body,
            tags=["question"],
            idempotency_key=f"demo-{asker}-question",
        )
        opened = now - dt.timedelta(days=days_ago)
        posts = [
            _reply(u[who], thread, f"demo-{asker}-reply-{n}", text)
            for n, (who, _hours, text) in enumerate(replies)
        ]
        if not created:
            continue
        Thread.objects.filter(pk=thread.pk).update(created_at=opened)
        Post.objects.filter(thread=thread, author=u[asker]).update(created_at=opened)
        for post, (_who, hours, _text) in zip(posts, replies, strict=True):
            Post.objects.filter(pk=post.pk).update(
                created_at=opened + dt.timedelta(hours=hours)
            )
