"""Pages for privacy: export one's data, ask for erasure, admins confirm."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cpd.auth import acting_user
from cpd.privacy import policies, selectors, services
from cpd.privacy.models import CertificatesOnErasure


@login_required
def privacy_home(request: HttpRequest) -> HttpResponse:
    """Your data: exports and their status, erasure and its status."""
    exports = list(selectors.export_list_for_user(request.user))
    return render(
        request,
        "privacy/home.html",
        {
            "exports": exports,
            "preparing": any(e.status == "pending" for e in exports),
            "erasure": selectors.erasure_pending_for_user(request.user),
            "grace_days": services.ERASURE_GRACE.days,
            "ttl_days": services.EXPORT_TTL.days,
            "queue_count": selectors.erasure_queue_for_admin(request.user).count(),
        },
    )


@login_required
@require_POST
def export_request(request: HttpRequest) -> HttpResponse:
    """Ask for a ZIP of one's data; the page shows when it is ready."""
    services.export_request(actor=acting_user(request))
    messages.success(
        request, _("Your export is being prepared. We will email you when it is ready.")
    )
    return redirect("privacy")


@login_required
def export_download(request: HttpRequest, token: str) -> HttpResponseBase:
    """The ZIP, for the person it is about, until the link expires."""
    export = selectors.export_get_by_token(request.user, token)
    if not policies.can_download_export(request.user, export):
        return render(request, "privacy/export_expired.html", status=410)
    try:
        handle = export.file.open("rb")
    except (FileNotFoundError, ValueError):  # swept, or never written
        return render(request, "privacy/export_expired.html", status=410)
    services.export_downloaded(actor=acting_user(request), export=export)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"my-data-{export.requested_at:%Y-%m-%d}.zip",
        content_type="application/zip",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def erasure_request(request: HttpRequest) -> HttpResponse:
    """Ask to be erased; the box must be ticked (a slip of the thumb does nothing)."""
    if request.POST.get("understood") != "yes":
        messages.error(request, _("Tick the box to say you understand."))
        return redirect("privacy")
    services.erasure_request(actor=acting_user(request))
    messages.success(request, _("Your request was recorded."))
    return redirect("privacy")


@login_required
@require_POST
def erasure_cancel(request: HttpRequest, request_id: int) -> HttpResponse:
    """Withdraw one's waiting erasure request."""
    erasure = selectors.erasure_get_for_user(request.user, request_id)
    services.erasure_cancel(actor=acting_user(request), request=erasure)
    messages.success(request, _("Your erasure request was cancelled."))
    return redirect("privacy")


@login_required
def erasure_queue(request: HttpRequest) -> HttpResponse:
    """Administrators: waiting erasure requests of their organisations' people."""
    queue = list(selectors.erasure_queue_for_admin(request.user))
    return render(
        request,
        "privacy/erasure_queue.html",
        {
            "queue": queue,
            "organisations": selectors.organisations_with_privacy_for_admin(
                request.user
            ),
            "choices": CertificatesOnErasure.choices,
        },
    )


@login_required
@require_POST
def organisation_privacy(request: HttpRequest, organisation_id: int) -> HttpResponse:
    """An organisation's admin chooses what erasure does to certificates."""
    organisation = selectors.organisation_get_for_admin(request.user, organisation_id)
    choice = request.POST.get("certificates_on_erasure", "")
    if choice not in CertificatesOnErasure.values:
        messages.error(request, _("Choose keep or revoke."))
        return redirect("privacy-erasure-queue")
    services.organisation_privacy_set(
        actor=acting_user(request),
        organisation=organisation,
        certificates_on_erasure=choice,
    )
    messages.success(request, _("Saved."))
    return redirect("privacy-erasure-queue")


@login_required
@require_POST
def erasure_confirm(request: HttpRequest, request_id: int) -> HttpResponse:
    """An administrator confirms; the erasure runs in the background."""
    erasure = selectors.erasure_get_for_user(request.user, request_id)
    if not policies.can_confirm_erasure(request.user, erasure):
        return HttpResponse(
            _("Only an administrator of this person's organisation can confirm."),
            status=403,
        )
    services.erasure_confirm(actor=acting_user(request), request=erasure)
    messages.success(request, _("Erasure confirmed."))
    return redirect("privacy-erasure-queue")


@login_required
def notices(request: HttpRequest) -> HttpResponse:
    """The privacy notices waiting for the person's acceptance (asked at sign-in)."""
    pending = selectors.notices_pending(request.user)
    if request.method == "POST":
        if request.POST.get("accept") != "yes":
            return render(
                request,
                "privacy/notices.html",
                {"pending": pending, "error": _("Tick the box to accept.")},
                status=400,
            )
        services.notices_accept(
            actor=acting_user(request),
            notice_ids=[n.pk for n in pending],
        )
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
            target = reverse("home")
        return redirect(target)
    if not pending:
        return redirect("home")
    return render(
        request,
        "privacy/notices.html",
        {"pending": pending, "next": request.GET.get("next", "")},
    )


@login_required
def notice_publish(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """A cohort's administrators publish a new version of its privacy notice."""
    from cpd.policies import can_manage_cohort
    from cpd.selectors import cohort_get_for_user

    cohort = cohort_get_for_user(request.user, cohort_id)
    if not can_manage_cohort(request.user, cohort):
        return HttpResponse(_("Only the cohort's administrators can."), status=403)
    current = selectors.notice_current(cohort)
    error = ""
    if request.method == "POST":
        try:
            services.notice_publish(
                actor=acting_user(request),
                cohort=cohort,
                text=request.POST.get("text", ""),
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request, _("Published: members accept it at their next sign-in.")
            )
            return redirect("privacy-notice-publish", cohort_id=cohort.pk)
    return render(
        request,
        "privacy/notice_publish.html",
        {
            "cohort": cohort,
            "current": current,
            "error": error,
            "text": request.POST.get("text", current.text if current else ""),
        },
        status=400 if error else 200,
    )
