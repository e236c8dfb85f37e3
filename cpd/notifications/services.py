"""Notify a person of an event: the inbox row, then the channels that carry it.

``notify`` is called by apps in the transaction of their action, like
``publish_on_commit``. It writes one inbox row (once per event: ``dedupe_key``),
pushes it to the person's open sockets after commit, and for each channel picks
the person's mode (or the kind's default): at once, in the daily digest, or
not at all. Each immediate channel becomes one ``Delivery`` row, owed to a task
through the outbox (``cpd.outbox``) — at the end of the person's quiet hours if
the event falls inside them.

A delivery is sent at most once: the task marks it ``sending`` and commits
before it calls the backend, so a redelivered task (a killed worker) skips it;
a send that raises is marked failed with the reason.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from anymail.exceptions import AnymailAPIError, AnymailError
from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from cpd import outbox
from cpd.models import Cohort, Membership, User
from cpd.notifications import sms_text
from cpd.notifications.backends import sms_backend
from cpd.notifications.backends.push import PushError, PushGone, push_send
from cpd.notifications.backends.sms import SmsError
from cpd.notifications.kinds import kind_get, kinds
from cpd.notifications.models import (
    Channel,
    CohortDefault,
    Delivery,
    DeliveryStatus,
    Mode,
    Notification,
    Preference,
    PushSubscription,
    QuietHours,
)
from cpd.realtime import publish_on_commit, user_group

logger = logging.getLogger(__name__)

EVENT_KIND = "notification.created"


def _modes(user: User, kind: str, cohort: int | None = None) -> dict[str, str]:
    """Mode per channel: the person's choice, else the cohort's, else the kind's."""
    spec = kind_get(kind)
    chosen = dict(
        Preference.objects.filter(user=user, kind=kind).values_list("channel", "mode")
    )
    cohort_chosen = (
        dict(
            CohortDefault.objects.filter(cohort_id=cohort, kind=kind).values_list(
                "channel", "mode"
            )
        )
        if cohort is not None and len(chosen) < len(Channel.values)
        else {}
    )
    return {
        c: chosen.get(c, cohort_chosen.get(c, spec.default(c))) for c in Channel.values
    }


def _reachable(user: User, channel: str) -> bool:
    if channel == Channel.EMAIL:
        return bool(user.email)
    if channel == Channel.SMS:
        return bool(user.phone)
    return PushSubscription.objects.filter(user=user).exists()


def quiet_until(user: User, now: dt.datetime | None = None) -> dt.datetime | None:
    """When the person's quiet hours end, if ``now`` falls inside them."""
    quiet = QuietHours.objects.filter(user=user).first()
    if quiet is None or quiet.starts is None or quiet.ends is None:
        return None
    try:
        zone = zoneinfo.ZoneInfo(quiet.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    local = (now or timezone.now()).astimezone(zone)
    t = local.time()
    inside = (
        quiet.starts <= t < quiet.ends
        if quiet.starts <= quiet.ends
        else (t >= quiet.starts or t < quiet.ends)
    )
    if not inside:
        return None
    end = local.replace(
        hour=quiet.ends.hour, minute=quiet.ends.minute, second=0, microsecond=0
    )
    if end <= local:
        end += dt.timedelta(days=1)
    return end.astimezone(dt.UTC)


def notify(
    *,
    user: User,
    kind: str,
    text: str | Callable[[], str],
    url: str = "",
    dedupe_key: str = "",
    cohort: int | None = None,
) -> Notification | None:
    """Tell ``user`` about an event; returns the inbox row (None if a repeat).

    Pass ``text`` as a callable to have it written in the person's language
    (it is called with their language active), not the sender's.
    """
    if not user.is_active:
        return None
    if callable(text):
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            text = str(text())
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                user=user,
                kind=kind,
                cohort_id=cohort,
                text=text[:300],
                url=url[:300],
                dedupe_key=dedupe_key,
            )
    except IntegrityError:
        return None  # this event was notified already
    publish_on_commit(
        user_group(user.pk),
        {
            "type": "notify",
            "kind": EVENT_KIND,
            "id": notification.pk,
            "text": notification.text,
            "url": notification.url,
        },
    )
    checked, later = False, None
    for channel, mode in _modes(user, kind, cohort).items():
        if mode != Mode.IMMEDIATE or not _reachable(user, channel):
            continue
        if not checked:
            checked, later = True, quiet_until(user)
        delivery = Delivery.objects.create(notification=notification, channel=channel)
        from cpd.notifications.tasks import deliver as deliver_task

        outbox.enqueue(deliver_task, delivery.pk, eta=later)
    return notification


def notify_many(
    *,
    user_ids: list[int],
    kind: str,
    message: str,
    params: dict[str, Any],
    url: str = "",
    dedupe_prefix: str,
    cohort: int | None = None,
) -> None:
    """Notify many people of one event, from a task (after commit, in batches).

    ``message`` is an untranslated msgid (mark it with gettext_noop); each person
    reads it in their own language. One row per person and event: the dedupe key
    is ``<dedupe_prefix>:<user id>``.
    """
    if not user_ids:
        return
    from cpd.notifications.tasks import notify_many as notify_many_task

    outbox.enqueue(
        notify_many_task,
        list(user_ids),
        kind,
        message,
        params,
        url,
        dedupe_prefix,
        cohort,
    )


def notify_many_now(
    *,
    user_ids: list[int],
    kind: str,
    message: str,
    params: dict[str, Any],
    url: str,
    dedupe_prefix: str,
    cohort: int | None = None,
) -> int:
    """The task's work: one notify per person, each in their language."""
    sent = 0
    for user in User.objects.filter(pk__in=user_ids, is_active=True).order_by("pk"):
        with transaction.atomic():
            note = notify(
                user=user,
                kind=kind,
                text=lambda: _(message) % params,  # noqa: INT001 - msgid given by caller
                url=url,
                dedupe_key=f"{dedupe_prefix}:{user.pk}",
                cohort=cohort,
            )
        sent += note is not None
    return sent


def _claim(delivery_id: int) -> Delivery | None:
    """Mark a queued delivery as sending (committed); None if not ours to send."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update()
            .select_related("notification", "notification__user")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status != DeliveryStatus.QUEUED:
            return None
        delivery.status = DeliveryStatus.SENDING
        delivery.save(update_fields=["status", "updated_at"])
    return delivery


def _finish(
    delivery: Delivery,
    status: str,
    *,
    provider_id: str = "",
    error: str = "",
    cost: str = "",
) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(
        status=status,
        provider_id=provider_id[:120],
        cost=cost[:20],
        error=error[:300],
        updated_at=timezone.now(),
    )


def _absolute(url: str) -> str:
    return settings.SITE_URL.rstrip("/") + url if url.startswith("/") else url


# A delivery whose send failed without reaching anyone is tried again after
# these waits (seconds), through the outbox; then it stays failed.
RETRY_BACKOFF = (60, 300, 1800)


def _failed(delivery: Delivery, error: Exception, *, retry: bool) -> str:
    """Log a failed send, and owe another try if one is left and it is safe."""
    logger.warning("delivery %s failed: %s", delivery.pk, error)
    attempt = delivery.attempts + 1
    if not retry or attempt > len(RETRY_BACKOFF):
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED,
            attempts=attempt,
            error=str(error)[:300],
            updated_at=timezone.now(),
        )
        return DeliveryStatus.FAILED
    from cpd.notifications.tasks import deliver as deliver_task

    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.QUEUED,
            attempts=attempt,
            error=str(error)[:300],
            updated_at=timezone.now(),
        )
        outbox.enqueue(
            deliver_task,
            delivery.pk,
            eta=timezone.now() + dt.timedelta(seconds=RETRY_BACKOFF[attempt - 1]),
        )
    return DeliveryStatus.QUEUED


def deliver(*, delivery_id: int) -> str:
    """Send one delivery once; returns its final status (or ``queued`` to retry)."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return "skipped"
    notification = delivery.notification
    user = notification.user
    digest = bool(delivery.body)  # counts by kind and a link to one's own inbox
    if (
        not digest
        and notification.cohort_id
        and not Membership.objects.filter(
            user=user, cohort_id=notification.cohort_id
        ).exists()
    ):
        # Removed from the cohort since the event: told nothing more of it.
        _finish(delivery, DeliveryStatus.SKIPPED, error="no longer a member")
        return DeliveryStatus.SKIPPED
    if delivery.channel == Channel.SMS and not sms_budget_allows(
        notification, digest=digest
    ):
        _finish(delivery, DeliveryStatus.SKIPPED, error="monthly SMS budget reached")
        return DeliveryStatus.SKIPPED
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        try:
            if delivery.channel == Channel.EMAIL:
                _email(
                    user,
                    subject=notification.text[:78],
                    text=f"{notification.text}\n\n{_absolute(notification.url)}",
                    kind=notification.kind,
                )
                _finish(delivery, DeliveryStatus.SENT)
            elif delivery.channel == Channel.SMS:
                text = delivery.body or sms_text.fit(
                    notification.text,
                    _absolute(notification.url),
                    max_segments=SMS_SEGMENTS.get(notification.kind, 1),
                )
                sent = sms_backend().send(user.phone or "", text)
                _finish(
                    delivery,
                    DeliveryStatus.SENT,
                    provider_id=sent.provider_id,
                    cost=sent.cost,
                )
            else:
                _push(delivery, notification)
        except SmsError as error:
            return _failed(delivery, error, retry=error.retry)
        except (PushError, AnymailAPIError, OSError) as error:
            # Nothing reached the person: the push service, the email service
            # or the mail server answered with an error or could not be reached.
            return _failed(delivery, error, retry=True)
        except AnymailError as error:  # refused recipients, bad settings
            return _failed(delivery, error, retry=False)
    return str(Delivery.objects.values_list("status", flat=True).get(pk=delivery.pk))


UNSUBSCRIBE_SALT = "cpd.notifications.unsubscribe"
# The digest's link turns off every kind's email (it carries them all).
UNSUBSCRIBE_ALL = "*"


def unsubscribe_url(user: User, kind: str) -> str:
    """An absolute one-click link that turns off ``kind``'s email for ``user``."""
    token = signing.dumps({"u": user.pk, "k": kind}, salt=UNSUBSCRIBE_SALT)
    return _absolute(reverse("notifications-unsubscribe", args=[token]))


def unsubscribe_read(token: str) -> tuple[User, str] | None:
    """The person and kind a link names, or None for a forged or stale one."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    user = User.objects.filter(pk=data.get("u"), is_active=True).first()
    kind = str(data.get("k", ""))
    if user is None or (
        kind != UNSUBSCRIBE_ALL and kind not in {k.name for k in kinds()}
    ):
        return None
    return user, kind


def unsubscribe(*, token: str) -> bool:
    """Turn the email off for the kind (or all kinds) a signed link names."""
    found = unsubscribe_read(token)
    if found is None:
        return False
    user, kind = found
    names = [k.name for k in kinds()] if kind == UNSUBSCRIBE_ALL else [kind]
    with transaction.atomic():
        for name in names:
            Preference.objects.update_or_create(
                user=user, kind=name, channel=Channel.EMAIL, defaults={"mode": Mode.OFF}
            )
    logger.info("email turned off by unsubscribe link for user %s", user.pk)
    return True


def _email(user: User, *, subject: str, text: str, kind: str, html: str = "") -> None:
    """Send one email with its unsubscribe link (in the body and the headers)."""
    link = unsubscribe_url(user, kind)
    footer = _("Stop these emails: %(link)s") % {"link": link}
    message = EmailMultiAlternatives(
        subject=subject,
        body=f"{text}\n\n--\n{footer}",
        to=[user.email or ""],
        headers={
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    if html:
        message.attach_alternative(
            f'{html}<p><small><a href="{escape(link)}">'
            f"{escape(_('Stop these emails'))}</a></small></p>",
            "text/html",
        )
    message.send()


def _push(delivery: Delivery, notification: Notification) -> None:
    payload = {
        "title": _("CPD"),
        "body": notification.text,
        "url": notification.url or "/notifications/",
    }
    sent, failure = 0, None
    for subscription in PushSubscription.objects.filter(user=notification.user_id):
        try:
            push_send(subscription, payload)
            sent += 1
        except PushGone:
            subscription.delete()
        except PushError as error:
            failure = error
    if failure is not None and not sent:
        raise failure  # no device got it: try again later
    _finish(
        delivery,
        DeliveryStatus.SENT if sent else DeliveryStatus.SKIPPED,
        error=str(failure or "")[:300],
    )


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def digest_zones_due(now: dt.datetime) -> tuple[set[str], set[str]]:
    """The time zones whose daily digest, and weekly digest, are due at ``now``.

    A person's zone is the one of their quiet hours, else ``NOTIFY_TIME_ZONE``.
    The digest goes at ``NOTIFY_DIGEST_HOUR`` local time, and the weekly one on
    ``NOTIFY_DIGEST_WEEKDAY`` (0 is Monday) at that hour. Beat runs every hour,
    so each zone's hour comes once a day (half-hour zones too: at :30 local).
    """
    names = set(QuietHours.objects.values_list("time_zone", flat=True).distinct())
    names.add(settings.NOTIFY_TIME_ZONE)
    daily, weekly = set(), set()
    for name in names:
        local = now.astimezone(_zone(name))
        if local.hour == settings.NOTIFY_DIGEST_HOUR:
            daily.add(name)
            if local.weekday() == settings.NOTIFY_DIGEST_WEEKDAY:
                weekly.add(name)
    return daily, weekly


def digests_send(*, now: dt.datetime | None = None) -> int:
    """Send the digests due now: to each person whose local digest hour it is.

    Each person's notifications not yet read nor digested are gathered: kinds
    whose email mode is ``digest`` (or, on the weekly day, ``weekly``) go in one
    email; kinds whose SMS mode is such in one SMS that fits one segment
    (``digest.sms_digest_text``). Each row is marked digested in the
    transaction that sends, so a rerun sends nothing twice. The SMS is a
    delivery of the newest row: it is logged, counted against the
    organisation's budget and retried like any SMS. Returns the number of
    messages sent or queued.
    """
    from cpd.notifications.digest import sms_digest_text
    from cpd.notifications.tasks import deliver as deliver_task

    now = now or timezone.now()
    daily, weekly = digest_zones_due(now)
    if not daily:
        return 0
    zoned = QuietHours.objects.filter(user_id=OuterRef("user_id"))
    due = Q(
        user_id__in=QuietHours.objects.filter(time_zone__in=daily).values("user_id")
    )
    if settings.NOTIFY_TIME_ZONE in daily:
        due |= ~Q(user_id__in=QuietHours.objects.values("user_id"))
    pending = (
        Notification.objects.filter(due)
        .filter(
            read_at__isnull=True,
            digested_at__isnull=True,
            created_at__gte=now - dt.timedelta(days=8),
        )
        .exclude(user__email="", user__phone="")
        .annotate(
            zone=Coalesce(
                Subquery(zoned.values("time_zone")[:1]),
                Value(settings.NOTIFY_TIME_ZONE),
            ),
            sent_by_sms=Exists(
                Delivery.objects.filter(
                    notification=OuterRef("pk"), channel=Channel.SMS
                )
            ),
        )
        .select_related("user")
        .order_by("user_id", "created_at")
    )
    by_user: dict[int, list[Notification]] = defaultdict(list)
    weekly_users, sent_by_sms = set(), set()
    for notification in pending:
        annotated: Any = notification
        by_user[notification.user_id].append(notification)
        if annotated.zone in weekly:
            weekly_users.add(notification.user_id)
        if annotated.sent_by_sms:
            sent_by_sms.add(notification.pk)
    sent = 0
    for user_id, rows in by_user.items():
        user = rows[0].user
        taken = {Mode.DIGEST, Mode.WEEKLY} if user_id in weekly_users else {Mode.DIGEST}
        modes: dict[tuple[str, int | None], dict[str, str]] = {}
        by_email, by_sms = [], []
        for row in rows:
            key = (row.kind, row.cohort_id)
            if key not in modes:
                try:
                    modes[key] = _modes(user, row.kind, row.cohort_id)
                except KeyError:
                    modes[key] = dict.fromkeys(Channel.values, Mode.OFF)
            if user.email and modes[key][Channel.EMAIL] in taken:
                by_email.append(row)
            if (
                user.phone
                and modes[key][Channel.SMS] in taken
                and row.pk not in sent_by_sms
            ):
                by_sms.append(row)
        chosen = {r.pk for r in by_email} | {r.pk for r in by_sms}
        if not chosen:
            continue
        with transaction.atomic():
            marked = Notification.objects.filter(
                pk__in=chosen, digested_at__isnull=True
            ).update(digested_at=now)
            if marked != len(chosen):
                continue  # another run took them
            with translation.override(
                user.preferred_language or settings.LANGUAGE_CODE
            ):
                if by_email:
                    lines = [
                        f"- {r.text} {_absolute(r.url)}".rstrip() for r in by_email
                    ]
                    items = "".join(
                        f'<li><a href="{escape(_absolute(r.url))}">{escape(r.text)}</a>'
                        "</li>"
                        if r.url
                        else f"<li>{escape(r.text)}</li>"
                        for r in by_email
                    )
                    _email(
                        user,
                        subject=_("Your CPD digest: %(n)d new") % {"n": len(by_email)},
                        text="\n".join(lines),
                        html=f"<ul>{items}</ul>",
                        kind=UNSUBSCRIBE_ALL,
                    )
                    sent += 1
                if by_sms:
                    delivery = Delivery.objects.create(
                        notification=by_sms[-1],
                        channel=Channel.SMS,
                        body=sms_digest_text(
                            [r.kind for r in by_sms],
                            _absolute(reverse("notifications")),
                        ),
                    )
                    outbox.enqueue(deliver_task, delivery.pk)
                    sent += 1
    return sent


def mark_read(*, actor: User, notification: Notification) -> Notification:
    if notification.user_id != actor.pk:
        raise PermissionDenied
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def mark_all_read(*, actor: User) -> int:
    return Notification.objects.filter(user=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def preferences_set(*, actor: User, choices: dict[tuple[str, str], str]) -> None:
    """Save the person's mode per (kind, channel); unknown values are refused."""
    for (kind, channel), mode in choices.items():
        kind_get(kind)
        if channel not in Channel.values or mode not in Mode.values:
            raise ValidationError({"mode": _("Unknown channel or mode.")})
    with transaction.atomic():
        for (kind, channel), mode in choices.items():
            Preference.objects.update_or_create(
                user=actor, kind=kind, channel=channel, defaults={"mode": mode}
            )


def cohort_defaults_set(
    *, actor: User, cohort: Cohort, choices: dict[tuple[str, str], str]
) -> int:
    """A cohort administrator's defaults per (kind, channel); rows written or removed.

    A mode equal to the kind's own default removes the cohort's row, so the
    table holds only what the administrator changed.
    """
    from cpd.notifications.policies import can_manage_cohort_notifications

    if not can_manage_cohort_notifications(actor, cohort):
        raise PermissionDenied
    for (kind, channel), mode in choices.items():
        try:
            kind_get(kind)
        except KeyError as error:
            raise ValidationError({"kind": _("Unknown kind.")}) from error
        if channel not in Channel.values or mode not in Mode.values:
            raise ValidationError({"mode": _("Unknown channel or mode.")})
    changed = 0
    with transaction.atomic():
        for (kind, channel), mode in choices.items():
            if mode == kind_get(kind).default(channel):
                deleted, _rows = CohortDefault.objects.filter(
                    cohort=cohort, kind=kind, channel=channel
                ).delete()
                changed += deleted
                continue
            _row, created = CohortDefault.objects.update_or_create(
                cohort=cohort, kind=kind, channel=channel, defaults={"mode": mode}
            )
            changed += 1
    logger.info("cohort %s notification defaults set by %s", cohort.pk, actor.pk)
    return changed


def quiet_hours_set(
    *, actor: User, starts: dt.time | None, ends: dt.time | None, time_zone: str
) -> QuietHours:
    try:
        zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise ValidationError({"time_zone": _("Unknown time zone.")}) from error
    if (starts is None) != (ends is None):
        raise ValidationError({"ends": _("Give both the start and the end.")})
    quiet, _created = QuietHours.objects.update_or_create(
        user=actor, defaults={"starts": starts, "ends": ends, "time_zone": time_zone}
    )
    return quiet


def push_subscribe(
    *, actor: User, endpoint: str, p256dh: str, auth: str
) -> PushSubscription:
    """Store this browser's push endpoint for the person (a repeat updates it)."""
    if not endpoint.startswith("https://"):
        raise ValidationError({"endpoint": _("A push endpoint is an https address.")})
    subscription, _created = PushSubscription.objects.update_or_create(
        endpoint=endpoint, defaults={"user": actor, "p256dh": p256dh, "auth": auth}
    )
    return subscription


def push_unsubscribe(*, actor: User, endpoint: str) -> int:
    deleted, _rows = PushSubscription.objects.filter(
        user=actor, endpoint=endpoint
    ).delete()
    return deleted


# Africa's Talking delivery-report statuses -> ours.
SMS_REPORT_STATUS: dict[str, str] = {
    "Success": DeliveryStatus.DELIVERED,
    "Sent": DeliveryStatus.SENT,
    "Buffered": DeliveryStatus.SENT,
    "Submitted": DeliveryStatus.SENT,
    "Rejected": DeliveryStatus.FAILED,
    "Failed": DeliveryStatus.FAILED,
}


def sms_report(*, provider_id: str, status: str, reason: str = "") -> bool:
    """Apply a gateway's delivery report; False for an unknown message id."""
    ours = SMS_REPORT_STATUS.get(status)
    if not provider_id or ours is None:
        return False
    updated = Delivery.objects.filter(
        channel=Channel.SMS, provider_id=provider_id
    ).update(status=ours, error=reason[:300], updated_at=timezone.now())
    return bool(updated)


__all__: list[Any] = [
    "deliver",
    "digests_send",
    "mark_all_read",
    "mark_read",
    "notify",
    "preferences_set",
    "push_subscribe",
    "push_unsubscribe",
    "quiet_hours_set",
    "sms_report",
]


STOP_WORDS = {"STOP", "STOPP", "ARRET", "ARRÊT", "PARAR", "ACHA", "SITISHA", "توقف"}


def sms_inbound(*, phone: str, text: str) -> bool:
    """A reply to our SMS: STOP (in any of the platform's languages) turns SMS off.

    Every kind's SMS channel is set to off for the person with that number; the
    inbox and other channels go on. Returns whether a person was found.
    """
    if text.strip().upper() not in STOP_WORDS:
        return False
    user = User.objects.filter(phone=phone.strip()).first()
    if user is None:
        return False
    with transaction.atomic():
        for kind in kinds():
            Preference.objects.update_or_create(
                user=user,
                kind=kind.name,
                channel=Channel.SMS,
                defaults={"mode": Mode.OFF},
            )
    logger.info("SMS turned off by STOP from user %s", user.pk)
    return True


# An invitation to a cohort: the way an enrolled person without email learns
# of their account, so it goes by SMS by default (registered in apps.py).
KIND_INVITATION = "invitation"

# Kinds whose SMS may take more than one segment when one cannot hold their
# link and a readable text (an invitation in Arabic).
SMS_SEGMENTS = {KIND_INVITATION: 2}

# Kinds that still go by SMS when the organisation's monthly budget is spent.
ESSENTIAL_KINDS = {"mentoring.message", "courses.session_tomorrow", KIND_INVITATION}


def sms_send_to(*, phone: str, text: str, url: str = "", max_segments: int = 1) -> str:
    """Send one SMS to a number that has no account yet (an invitee); its id.

    ``text`` and the absolute ``url`` are fitted into ``max_segments``. There is no
    inbox row nor delivery log (both belong to an account): the caller keeps
    the at-most-once guarantee. Raises ``SmsError`` when the gateway refuses.
    """
    text = sms_text.fit(text, _absolute(url), max_segments=max_segments)
    sent = sms_backend().send(phone, text)
    return sent.provider_id


def sms_sent_this_month(organisation_id: int, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return Delivery.objects.filter(
        channel=Channel.SMS,
        status__in=[DeliveryStatus.SENT, DeliveryStatus.DELIVERED],
        updated_at__gte=start,
        notification__cohort__organisation_id=organisation_id,
    ).count()


def sms_essential(notification: Notification) -> bool:
    """Whether the notification's SMS goes past the monthly budget.

    Kinds are essential platform-wide (``ESSENTIAL_KINDS``) or in a cohort whose
    administrators set the kind's SMS to "at once" for everyone.
    """
    if notification.kind in ESSENTIAL_KINDS:
        return True
    return (
        notification.cohort_id is not None
        and CohortDefault.objects.filter(
            cohort_id=notification.cohort_id,
            kind=notification.kind,
            channel=Channel.SMS,
            mode=Mode.IMMEDIATE,
        ).exists()
    )


def sms_budget_allows(notification: Notification, *, digest: bool = False) -> bool:
    """Within the organisation's monthly SMS budget, or essential (a digest never is).

    The first SMS refused in a month tells the organisation's administrators
    (once a month: the dedupe key names the month).
    """
    if notification.cohort_id is None:
        return True
    cohort = Cohort.objects.select_related("organisation").get(
        pk=notification.cohort_id
    )
    budget = cohort.organisation.sms_monthly_budget
    if budget is None:
        return True
    if sms_sent_this_month(cohort.organisation_id) < budget:
        return True
    if not digest and sms_essential(notification):
        return True
    month = timezone.now().strftime("%Y-%m")
    for admin in cohort.organisation.admins.all():
        notify(
            user=admin,
            kind=KIND_BUDGET,
            text=lambda: (
                _(
                    "%(organisation)s reached its SMS budget for the month (%(n)d): "
                    "only essential messages go by SMS now."
                )
                % {"organisation": cohort.organisation.name, "n": budget}
            ),
            dedupe_key=f"sms-budget:{cohort.organisation_id}:{month}",
        )
    return False


KIND_BUDGET = "notifications.sms_budget"
