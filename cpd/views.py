"""Pages for the home screen, cohorts, invitations and the user's profile."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cpd import audit, policies, record, reports, selectors, services
from cpd.adapters import INVITATION_SESSION_KEY
from cpd.auth import acting_user
from cpd.context_processors import CURRENT_COHORT_KEY
from cpd.forms import InvitationForm, ProfileForm
from cpd.models import Cohort


@login_required
def cohort_detail(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """A cohort's people; administrators also invite from here.

    The full list of invitations and the join links are on their own page
    (``cpd.invitations.views.cohort_invitations``).
    """
    cohort = selectors.cohort_get_for_user(request.user, cohort_id)
    can_invite = policies.can_invite_to_cohort(request.user, cohort)
    form = InvitationForm()
    if request.method == "POST":
        if not can_invite:
            return HttpResponse(_("Only administrators can invite."), status=403)
        form = InvitationForm(request.POST)
        if form.is_valid():
            invitation = services.invitation_create(
                actor=acting_user(request),
                cohort=cohort,
                role=form.cleaned_data["role"],
                email=form.cleaned_data["email"],
                phone=form.cleaned_data["phone"],
                language=form.cleaned_data["language"],
            )
            link = request.build_absolute_uri(
                reverse("invitation-open", args=[invitation.token])
            )
            messages.success(
                request, _("Invitation created: %(link)s") % {"link": link}
            )
            return redirect("cohort-detail", cohort_id=cohort.pk)
    context = {
        "cohort": cohort,
        "role": selectors.role_label(request.user, cohort),
        "members": selectors.cohort_members(cohort),
        "can_invite": can_invite,
        "can_report": policies.can_view_cohort_report(request.user, cohort),
        "invitations": selectors.cohort_invitations_open(cohort) if can_invite else [],
        "form": form,
    }
    return render(
        request, "cpd/cohort_detail.html", context, status=400 if form.errors else 200
    )


@require_POST
@login_required
def cohort_switch(request: HttpRequest) -> HttpResponse:
    """Remember which cohort the user is working in; unknown ids are refused."""
    raw = request.POST.get("cohort", "")
    if not raw.isdigit():
        messages.error(request, _("Choose a cohort from the list."))
        return redirect("home")
    cohort = selectors.cohort_get_for_user(request.user, int(raw))
    request.session[CURRENT_COHORT_KEY] = cohort.pk
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("cohort-detail", args=[cohort.pk])
    return HttpResponseRedirect(target)


def invitation_open(request: HttpRequest, token: str) -> HttpResponse:
    """Follow an invitation link: sign up, or join at once if signed in."""
    invitation = selectors.invitation_by_token(token)
    if invitation is None:
        return render(
            request, "cpd/invitation_invalid.html", {"reason": "unknown"}, status=404
        )
    if not invitation.is_usable:
        return render(
            request, "cpd/invitation_invalid.html", {"reason": "used"}, status=410
        )
    if request.user.is_authenticated:
        if not policies.can_accept_invitation(request.user, invitation):
            return render(
                request,
                "cpd/invitation_invalid.html",
                {"reason": "someone_else"},
                status=403,
            )
        if request.method == "POST":
            try:
                services.invitation_accept(invitation=invitation, user=request.user)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return redirect("home")
            messages.success(
                request, _("You joined %(cohort)s.") % {"cohort": invitation.cohort}
            )
            return redirect("cohort-detail", cohort_id=invitation.cohort_id)
        return render(request, "cpd/invitation_accept.html", {"invitation": invitation})
    user = invitation.user
    if user is not None and not user.has_usable_password():
        # An account enrolled by an administrator: its person chooses a password.
        response = redirect("invitation-claim", token=invitation.token)
    elif user is not None:
        # Enrolled with an account they already use: sign in, then accept.
        response = redirect(f"{reverse('account_login')}?next={quote(request.path)}")
    else:
        request.session[INVITATION_SESSION_KEY] = invitation.token
        response = redirect("account_signup")
    if invitation.language and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        # The sign-up page opens in the invitee's language (they can change it).
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            invitation.language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
        )
    return response


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """Edit one's own profile fields."""
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.user_update_profile(user=acting_user(request), **form.cleaned_data)
        messages.success(request, _("Your profile was saved."))
        return redirect("profile")
    return render(
        request, "cpd/profile.html", {"form": form}, status=400 if form.errors else 200
    )


def section_placeholder(request: HttpRequest, section: str) -> HttpResponse:
    """Sections that later work fills in show a plain 'nothing yet' page."""
    return render(request, "cpd/section_placeholder.html", {"section": section})


@login_required
def image_file(request: HttpRequest, image_id: int, size: str) -> FileResponse:
    """An image's bytes after a permission check; files have no public URL."""
    image = selectors.image_get_for_user(request.user, image_id)
    field = image.full if size == "full" else image.small
    response = FileResponse(field.open("rb"), content_type="image/jpeg")
    if image.private:
        # A private conversation's photo is not left behind on a shared phone.
        response["Cache-Control"] = "private, no-store"
    else:
        # Content never changes for an id: cache it on the phone, not on proxies.
        response["Cache-Control"] = "private, max-age=31536000, immutable"
    return response


def _report_cohort(
    request: HttpRequest, cohort_id: int, *, rows: bool = False
) -> tuple[Cohort, bool]:
    """The cohort if the user may read its report (404 unseen, 403 by role)."""
    cohort = selectors.cohort_get_for_user(request.user, cohort_id)
    allowed = (
        policies.can_view_learner_rows(request.user, cohort)
        if rows
        else policies.can_view_cohort_report(request.user, cohort)
    )
    return cohort, allowed


@login_required
def cohort_report(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """Engagement of a cohort: activity per week, time, frequency, social, groups."""
    cohort, allowed = _report_cohort(request, cohort_id)
    if not allowed:
        return HttpResponse(
            _("Only the cohort's mentors and administrators."), status=403
        )
    report = reports.cohort_report(cohort)
    # bars scaled to the busiest week
    chart = reports.week_bars(
        report.weeks, max((n for _w, n in report.weeks), default=0)
    )
    return render(
        request,
        "cpd/cohort_report.html",
        {
            "cohort": cohort,
            "report": report,
            "chart": chart,
            "chart_width": 10 * len(chart),
            "show_rows": policies.can_view_learner_rows(request.user, cohort),
            # the least active first: who may need a nudge (all rows: the CSV)
            "rows": sorted(
                report.rows, key=lambda r: (r.days_active, r.last_active is not None)
            )[: reports.PAGE_ROWS],
            "small_cell": reports.SMALL_CELL,
            "quiet_days": reports.QUIET_DAYS,
            # figures may be kept this long (cpd.report_cache); 0: counted now
            "kept_minutes": -(-max(settings.REPORT_CACHE_SECONDS, 0) // 60),
        },
    )


def _gain_cells(g: reports.GroupRow) -> list[Any]:
    """A group's mean gain and its n for the CSV, or why it is not shown."""
    if g.mean_gain is not None:
        return [g.mean_gain, g.gain_n]
    if g.gain_protects:
        return [_("not shown, so that a smaller group cannot be worked out"), ""]
    if g.gain_n == 0:
        return [_("not enough data"), 0]
    return [_("fewer than 5"), ""]


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
def cohort_report_csv(request: HttpRequest, cohort_id: int) -> HttpResponseBase:
    """The report as CSV: weeks for mentors, plus one row per learner for admins."""
    cohort, allowed = _report_cohort(request, cohort_id)
    if not allowed:
        return HttpResponse(
            _("Only the cohort's mentors and administrators."), status=403
        )
    report = reports.cohort_report(cohort)
    show_rows = policies.can_view_learner_rows(request.user, cohort)

    def lines() -> Iterator[str]:
        out = csv.writer(_Echo())
        yield out.writerow([_("week starting"), _("active learners")])
        for week, n in report.weeks:
            yield out.writerow([week.isoformat(), n])
        # The groups, small cells suppressed (as on the page): everyone who
        # reads the report reads these.
        gain_columns = [_("mean knowledge gain"), _("learners with both tests")]
        gains = bool(report.gains)
        for dimension, groups in reports.report_groups(report):
            yield out.writerow([])
            yield out.writerow(
                [dimension, _("learners"), _("active %"), _("social %")]
                + (gain_columns if gains else [])
            )
            for g in groups:
                # labels are what learners typed (a facility's name)
                label = reports.csv_text(str(g.label))
                if g.learners is None:
                    hidden = (
                        _("not shown, so that a smaller group cannot be worked out")
                        if g.protects
                        else _("fewer than 5")
                    )
                    yield out.writerow(
                        [label, hidden, "", ""] + (["", ""] if gains else [])
                    )
                else:
                    yield out.writerow(
                        [label, g.learners, g.active_share, g.social_share]
                        + (_gain_cells(g) if gains else [])
                    )
        if show_rows:
            yield out.writerow([])
            yield out.writerow(
                [
                    _("learner"),
                    _("days active"),
                    _("sessions"),
                    _("minutes"),
                    _("social actions"),
                    _("lessons completed"),
                    _("sessions attended"),
                    _("last active"),
                ]
            )
            for r in report.rows:
                yield out.writerow(
                    [
                        reports.csv_text(r.name),
                        r.days_active,
                        r.sessions,
                        r.minutes,
                        r.social,
                        r.lessons_completed,
                        r.attended,
                        r.last_active.isoformat() if r.last_active else "",
                    ]
                )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    name = f"cohort-{cohort.pk}-report.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def cohort_statements(request: HttpRequest, cohort_id: int) -> HttpResponseBase:
    """The cohort's learning record as xAPI statements, one JSON per line (admins)."""
    cohort, allowed = _report_cohort(request, cohort_id, rows=True)
    if not allowed:
        return HttpResponse(_("Only the cohort's administrators."), status=403)
    response = StreamingHttpResponse(
        record.statements(reports.cohort_statements_for_export(cohort)),
        content_type="application/x-ndjson",
    )
    response["Content-Disposition"] = f'attachment; filename="cohort-{cohort.pk}.jsonl"'
    return response


@login_required
def organisation_audit(request: HttpRequest, organisation_id: int) -> HttpResponse:
    """Who did what in the organisation: moderation, pairing, invitations, privacy."""
    organisation = selectors.organisation_get_for_user(request.user, organisation_id)
    if not policies.can_read_audit(request.user, organisation):
        return HttpResponse(_("Only the organisation's administrators."), status=403)
    return render(
        request,
        "cpd/audit.html",
        {
            "organisation": organisation,
            "entries": audit.organisation_audit(organisation),
        },
    )
