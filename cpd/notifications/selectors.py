"""Reads for the inbox and preferences."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from cpd.models import Cohort
from cpd.notifications.kinds import Kind, kinds
from cpd.notifications.models import (
    Channel,
    CohortDefault,
    Delivery,
    Notification,
    Preference,
    QuietHours,
)
from cpd.notifications.policies import deliveries_visible_to
from cpd.policies import AnyUser


def inbox(user: AnyUser) -> QuerySet[Notification]:
    """The person's notifications, newest first."""
    return Notification.objects.filter(user_id=user.pk or 0).order_by(
        "-created_at", "-id"
    )


def unread_count(user: AnyUser) -> int:
    return Notification.objects.filter(
        user_id=user.pk or 0, read_at__isnull=True
    ).count()


def notification_get_for_user(user: AnyUser, notification_id: int) -> Notification:
    """One of the person's own notifications, or Http404 (anyone else's alike)."""
    found = Notification.objects.filter(
        user_id=user.pk or 0, pk=notification_id
    ).first()
    if found is None:
        raise Http404("No such notification.")
    return found


def preferences_table(user: AnyUser) -> list[tuple[Kind, dict[str, str]]]:
    """Each kind with the person's mode per channel (their choice or the default)."""
    chosen = {
        (p.kind, p.channel): p.mode
        for p in Preference.objects.filter(user_id=user.pk or 0)
    }
    return [
        (
            kind,
            {c: chosen.get((kind.name, c), kind.default(c)) for c in Channel.values},
        )
        for kind in kinds()
    ]


def quiet_hours(user: AnyUser) -> QuietHours | None:
    return QuietHours.objects.filter(user_id=user.pk or 0).first()


def cohort_defaults_table(cohort: Cohort) -> list[tuple[Kind, dict[str, str]]]:
    """Each kind with the cohort's mode per channel (its override or the kind's)."""
    chosen = {
        (d.kind, d.channel): d.mode for d in CohortDefault.objects.filter(cohort=cohort)
    }
    return [
        (
            kind,
            {c: chosen.get((kind.name, c), kind.default(c)) for c in Channel.values},
        )
        for kind in kinds()
    ]


def delivery_log(
    user: AnyUser, cohort: Cohort, *, status: str = "", channel: str = ""
) -> QuerySet[Delivery]:
    """The cohort's deliveries, newest first, optionally by status and channel.

    Filtered by ``deliveries_visible_to`` as well as by cohort, so a caller that
    forgot the page's policy check still shows nothing it should not.
    """
    rows = (
        Delivery.objects.filter(
            deliveries_visible_to(user), notification__cohort=cohort
        )
        .select_related("notification", "notification__user")
        .order_by("-created_at", "-id")
    )
    if status:
        rows = rows.filter(status=status)
    if channel:
        rows = rows.filter(channel=channel)
    return rows
