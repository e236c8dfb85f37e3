"""Pages: the inbox, opening a notification, preferences, and the SMS webhook."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from cpd import selectors as cpd_selectors
from cpd.auth import acting_user
from cpd.notifications import policies, selectors, services
from cpd.notifications.forms import PreferencesForm, QuietHoursForm
from cpd.notifications.models import Channel, DeliveryStatus

PAGE_SIZE = 30


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.inbox(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
def open_notification(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Tapping a notification marks it read and goes where it points."""
    notification = selectors.notification_get_for_user(request.user, notification_id)
    services.mark_read(actor=acting_user(request), notification=notification)
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return redirect("notifications")
    return redirect(target)


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    n = services.mark_all_read(actor=acting_user(request))
    messages.success(request, _("%(n)d marked as read.") % {"n": n})
    return redirect("notifications")


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    table = selectors.preferences_table(request.user)
    quiet = selectors.quiet_hours(request.user)
    form = PreferencesForm(request.POST or None, table=table)
    quiet_form = QuietHoursForm(request.POST or None, instance=quiet)
    if request.method == "POST" and form.is_valid() and quiet_form.is_valid():
        user = acting_user(request)
        try:
            services.preferences_set(actor=user, choices=form.choices())
            starts, ends, time_zone = quiet_form.values()
            services.quiet_hours_set(
                actor=user, starts=starts, ends=ends, time_zone=time_zone
            )
        except ValidationError as exc:
            quiet_form.add_error(None, exc)
        else:
            messages.success(request, _("Your notification settings were saved."))
            return redirect("notifications-preferences")
    status = 400 if form.errors or quiet_form.errors else 200
    return render(
        request,
        "notifications/preferences.html",
        {
            "form": form,
            "quiet_form": quiet_form,
            "rows": form.rows(),
            "vapid_public_key": settings.VAPID_PUBLIC_KEY,
        },
        status=status,
    )


@login_required
def cohort_defaults(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """A cohort administrator's defaults per kind and channel (404 unseen, 403 role)."""
    cohort = cpd_selectors.cohort_get_for_user(request.user, cohort_id)
    if not policies.can_manage_cohort_notifications(request.user, cohort):
        return HttpResponse(_("Only the cohort's administrators."), status=403)
    form = PreferencesForm(
        request.POST or None, table=selectors.cohort_defaults_table(cohort)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.cohort_defaults_set(
                actor=acting_user(request), cohort=cohort, choices=form.choices()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("The cohort's notification defaults were saved.")
            )
            return redirect("notifications-cohort-defaults", cohort.pk)
    return render(
        request,
        "notifications/cohort_defaults.html",
        {"cohort": cohort, "form": form, "rows": form.rows()},
        status=400 if form.errors else 200,
    )


@login_required
def delivery_log(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """What went out for a cohort, by channel and status, newest first (paged)."""
    cohort = cpd_selectors.cohort_get_for_user(request.user, cohort_id)
    if not policies.can_view_delivery_log(request.user, cohort):
        return HttpResponse(_("Only the cohort's administrators."), status=403)
    status = request.GET.get("status", "")
    channel = request.GET.get("channel", "")
    if status not in DeliveryStatus.values:
        status = ""
    if channel not in Channel.values:
        channel = ""
    page = Paginator(
        selectors.delivery_log(request.user, cohort, status=status, channel=channel),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/delivery_log.html",
        {
            "cohort": cohort,
            "page": page,
            "status": status,
            "channel": channel,
            "statuses": DeliveryStatus.choices,
            "channels": Channel.choices,
        },
    )


@csrf_exempt
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The link in every email: GET asks (mail scanners open links), POST turns off.

    A mail client's one-click unsubscribe (RFC 8058) POSTs here without a CSRF
    token; the signed token is the authority, so no sign-in is needed.
    """
    if services.unsubscribe_read(token) is None:
        return render(
            request, "notifications/unsubscribe.html", {"bad": True}, status=404
        )
    if request.method == "POST":
        services.unsubscribe(token=token)
        return render(request, "notifications/unsubscribe.html", {"done": True})
    return render(request, "notifications/unsubscribe.html", {"token": token})


@csrf_exempt
@require_POST
def sms_report(request: HttpRequest) -> HttpResponse:
    """Delivery reports from the SMS gateway, authenticated by a shared token."""
    token = request.GET.get("token", "")
    expected = settings.SMS_WEBHOOK_TOKEN
    if not expected or not hmac.compare_digest(token, expected):
        return HttpResponse(status=403)
    known = services.sms_report(
        provider_id=request.POST.get("id", ""),
        status=request.POST.get("status", ""),
        reason=request.POST.get("failureReason", ""),
    )
    return HttpResponse(status=200 if known else 404)


@csrf_exempt
@require_POST
def sms_inbound(request: HttpRequest) -> HttpResponse:
    """Replies to our SMS from the gateway (STOP), authenticated by the token."""
    token = request.GET.get("token", "")
    expected = settings.SMS_WEBHOOK_TOKEN
    if not expected or not hmac.compare_digest(token, expected):
        return HttpResponse(status=403)
    services.sms_inbound(
        phone=request.POST.get("from", ""), text=request.POST.get("text", "")
    )
    return HttpResponse(status=200)
