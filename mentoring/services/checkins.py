"""Check-ins: schedule, record, and send one reminder per check-in."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cpd import outbox
from cpd.limits import rate_limit_hit
from cpd.models import User, Verb
from cpd.notifications.services import notify
from cpd.realtime import publish_on_commit, user_group
from cpd.record import record
from mentoring import events, policies
from mentoring.models import CheckIn, CheckInMode, Conversation

KIND_CHECKIN = "mentoring.checkin"

# Remind this long before a check-in.
REMINDER_LEAD = dt.timedelta(hours=2)
# Owe a reminder (a due time in the outbox, cpd.outbox) only this far ahead; later
# check-ins are picked up by the periodic sweep ``checkin_reminders_queue``.
QUEUE_HORIZON = dt.timedelta(hours=24)


def _reminder_enqueue(checkin_id: int, *, eta: dt.datetime | None = None) -> None:
    """Queue one check-in's reminder task (eager mode runs it in-process)."""
    # The one import of tasks from services, and lazy on purpose: mentoring.tasks
    # imports this module at its top (tasks are thin entry points over services).
    # Enqueuing by name instead (app.signature or send_task) would need no import,
    # but in the embedded mode (CELERY_TASK_ALWAYS_EAGER) Celery runs a task
    # in-process only if it is registered, and nothing else imports
    # mentoring.tasks in a web process: the reminder would sit in the broker.
    from mentoring.tasks import checkin_remind as checkin_remind_task

    outbox.enqueue(checkin_remind_task, checkin_id, eta=eta)


def _queue_reminder(checkin: CheckIn) -> None:
    eta = max(checkin.scheduled_for - REMINDER_LEAD, timezone.now())
    _reminder_enqueue(checkin.pk, eta=eta)


@transaction.atomic
def checkin_schedule(
    *,
    actor: User,
    conversation: Conversation,
    scheduled_for: dt.datetime,
    mode: str,
    agreed_actions: str = "",
) -> CheckIn:
    """The mentor schedules a check-in; its reminder is queued after commit.

    Rate-limited per mentor (``checkin``): RateLimited before any write.
    """
    if not policies.can_schedule_checkin(actor, conversation):
        raise PermissionDenied(_("Only the mentor schedules check-ins."))
    if mode not in CheckInMode.values:
        raise ValidationError({"mode": _("Choose call, message or in person.")})
    if scheduled_for < timezone.now() - dt.timedelta(minutes=5):
        raise ValidationError({"scheduled_for": _("Choose a time in the future.")})
    rate_limit_hit(user_id=actor.pk, action="checkin")
    checkin = CheckIn.objects.create(
        conversation=conversation,
        scheduled_for=scheduled_for,
        mode=mode,
        agreed_actions=agreed_actions.strip(),
        created_by=actor,
    )
    if checkin.scheduled_for - REMINDER_LEAD <= timezone.now() + QUEUE_HORIZON:
        _queue_reminder(checkin)
    return checkin


@transaction.atomic
def checkin_record(
    *,
    actor: User,
    checkin: CheckIn,
    notes: str,
    agreed_actions: str,
    done: bool,
) -> CheckIn:
    """The mentor records notes and agreed actions, and marks the check-in done."""
    if not policies.can_record_checkin(actor, checkin):
        raise PermissionDenied(_("Only the mentor records check-ins."))
    checkin.notes = notes.strip()
    checkin.agreed_actions = agreed_actions.strip()
    if done and checkin.done_at is None:
        checkin.done_at = timezone.now()
        conversation = checkin.conversation
        for member_id in conversation.members.values_list("user_id", flat=True):
            record(
                actor=member_id,
                verb=Verb.CHECKED_IN,
                object_type="checkin",
                object_id=checkin.pk,
                cohort=conversation.cohort_id,
                client_key=f"checkin:{checkin.pk}",
            )
    if not done:
        checkin.done_at = None
    checkin.save(update_fields=["notes", "agreed_actions", "done_at"])
    return checkin


def checkin_remind_send(*, checkin_id: int) -> bool:
    """Remind both participants once (in-app, and email where known).

    The reminder marker is set under a row lock, so retries and duplicate queue
    entries send nothing the second time. Returns whether a reminder went out.
    """
    with transaction.atomic():
        checkin = (
            CheckIn.objects.select_for_update()
            .select_related("conversation")
            .filter(pk=checkin_id)
            .first()
        )
        if checkin is None or checkin.reminder_sent_at or checkin.done_at:
            return False
        if checkin.scheduled_for - REMINDER_LEAD > timezone.now():
            return False  # too early (rescheduled): the sweep queues it again later
        users = list(
            User.objects.filter(
                pk__in=checkin.conversation.members.values("user_id")
            ).order_by("pk")
        )
        event = events.checkin_reminder(checkin)
        when = timezone.localtime(checkin.scheduled_for).strftime("%d %b %H:%M")
        for user in users:
            publish_on_commit(user_group(user.pk), event)
            notify(
                user=user,
                kind=KIND_CHECKIN,
                text=lambda: _("Mentoring check-in at %(when)s") % {"when": when},
                url=reverse("mentoring-conversation", args=[checkin.conversation_id]),
                dedupe_key=f"checkin:{checkin.pk}",
                cohort=checkin.conversation.cohort_id,
            )
        recipients = [u.email for u in users if u.email]
        if recipients:
            send_mail(
                subject=_("Mentoring check-in at %(when)s") % {"when": when},
                message=_("You have a %(mode)s check-in at %(when)s.")
                % {"mode": checkin.get_mode_display(), "when": when},
                from_email=None,
                recipient_list=recipients,
            )
        checkin.reminder_sent_at = timezone.now()
        checkin.save(update_fields=["reminder_sent_at"])
    return True


def checkin_reminders_queue() -> int:
    """Queue reminders for check-ins due within the lead time and not yet sent."""
    due = CheckIn.objects.filter(
        reminder_sent_at__isnull=True,
        done_at__isnull=True,
        scheduled_for__lte=timezone.now() + REMINDER_LEAD,
        scheduled_for__gte=timezone.now() - dt.timedelta(days=1),
    ).values_list("pk", flat=True)
    ids = list(due)
    for pk in ids:
        _reminder_enqueue(pk)
    return len(ids)
