"""Reads for a cohort's invitations and join links, scoped through cpd.policies."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, CharField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cpd.models import Cohort, Invitation, JoinLink
from cpd.policies import AnyUser, invitations_visible_to, join_links_visible_to

# status -> label, in the order the filter offers them.
STATUSES = {
    "pending": _("Not sent yet"),
    "sent": _("Sent"),
    "unconfirmed": _("Sending not confirmed"),
    "joined": _("Joined"),
    "expired": _("Expired"),
    "revoked": _("Revoked"),
}


# A send marked this long ago that no email service or gateway confirmed taking
# was cut short (a worker killed mid-send): its administrators may resend it.
UNCONFIRMED_AFTER = dt.timedelta(minutes=10)


def _with_status(queryset: QuerySet[Invitation]) -> QuerySet[Invitation]:
    # One rule for the list, its filter and the API: revoked and joined win
    # over a passed expiry date.
    return queryset.annotate(
        status=Case(
            When(revoked_at__isnull=False, then=Value("revoked")),
            When(accepted_at__isnull=False, then=Value("joined")),
            When(expires_at__lte=timezone.now(), then=Value("expired")),
            When(
                sent_at__lte=timezone.now() - UNCONFIRMED_AFTER,
                delivered_at__isnull=True,
                then=Value("unconfirmed"),
            ),
            When(sent_at__isnull=False, then=Value("sent")),
            default=Value("pending"),
            output_field=CharField(),
        )
    )


def _status_q(status: str) -> Q:
    # The filter form of the annotation above, on the columns themselves.
    now = timezone.now()
    revoked = Q(revoked_at__isnull=False)
    joined = Q(accepted_at__isnull=False)
    expired = Q(expires_at__lte=now)
    unconfirmed = Q(sent_at__lte=now - UNCONFIRMED_AFTER, delivered_at__isnull=True)
    return {
        "revoked": revoked,
        "joined": ~revoked & joined,
        "expired": ~revoked & ~joined & expired,
        "unconfirmed": ~revoked & ~joined & ~expired & unconfirmed,
        "sent": ~revoked & ~joined & ~expired & Q(sent_at__isnull=False) & ~unconfirmed,
        "pending": ~revoked & ~joined & ~expired & Q(sent_at__isnull=True),
    }[status]


def cohort_invitation_list(
    user: AnyUser, cohort: Cohort, *, status: str = ""
) -> QuerySet[Invitation]:
    """A cohort's invitations with their status and who joined, newest first.

    ``status`` filters (one of ``STATUSES``; anything else lists all). Empty
    for a user who does not administer the cohort.
    """
    queryset = _with_status(
        Invitation.objects.filter(invitations_visible_to(user), cohort=cohort)
    ).select_related("accepted_by", "user")
    if status in STATUSES:
        queryset = queryset.filter(_status_q(status))
    return queryset.order_by("-created_at", "-pk")


def invitation_get_for_admin(
    user: AnyUser, cohort: Cohort, invitation_id: int
) -> Invitation:
    """One invitation of the cohort the user administers, or Http404."""
    invitation = (
        _with_status(Invitation.objects.filter(invitations_visible_to(user)))
        .select_related("cohort", "cohort__organisation", "accepted_by", "user")
        .filter(cohort=cohort, pk=invitation_id)
        .first()
    )
    if invitation is None:
        raise Http404("No such invitation.")
    return invitation


def cohort_join_link_list(user: AnyUser, cohort: Cohort) -> QuerySet[JoinLink]:
    """A cohort's join links, newest first (empty for non-administrators)."""
    return (
        JoinLink.objects.filter(join_links_visible_to(user), cohort=cohort)
        .select_related("cohort")
        .order_by("-created_at", "-pk")
    )


def join_link_get_for_admin(user: AnyUser, cohort: Cohort, link_id: int) -> JoinLink:
    """One join link of the cohort the user administers, or Http404."""
    link = cohort_join_link_list(user, cohort).filter(pk=link_id).first()
    if link is None:
        raise Http404("No such join link.")
    return link


def join_link_by_code(code: str) -> JoinLink | None:
    """The join link with this (normalised) code, with its cohort; None if unknown."""
    if not code or len(code) > 12 or not code.isalnum():
        return None
    return (
        JoinLink.objects.select_related("cohort", "cohort__organisation")
        .filter(code=code)
        .first()
    )
