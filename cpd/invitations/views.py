"""Pages: a cohort's invitations and join links, the claim flow, joining by code."""

from __future__ import annotations

from urllib.parse import quote

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cpd import policies, selectors, services
from cpd.adapters import JOIN_CODE_SESSION_KEY, client_ip
from cpd.auth import acting_user
from cpd.forms import InvitationForm, rate_limit_error
from cpd.invitations import selectors as inv_selectors
from cpd.invitations import services as inv_services
from cpd.invitations.forms import (
    ExpiryForm,
    JoinCodeForm,
    JoinLinkForm,
    StatusFilterForm,
)
from cpd.limits import RateLimited
from cpd.models import Cohort, JoinLink

PAGE_SIZE = 50


def _managed_cohort(request: HttpRequest, cohort_id: int) -> Cohort:
    """The cohort if the user administers it: 404 unseen, 403 for other members."""
    cohort = selectors.cohort_get_for_user(request.user, cohort_id)
    if not policies.can_manage_invitations(request.user, cohort):
        raise PermissionDenied(_("Only the cohort's administrators."))
    return cohort


def _join_url(request: HttpRequest, link: JoinLink) -> str:
    return request.build_absolute_uri(reverse("join-open", args=[link.code]))


def _spoken(code: str) -> str:
    # Two groups of four read aloud more easily ("ABCD EFGH").
    return f"{code[:4]} {code[4:]}" if len(code) > 6 else code


def _qr_svg(url: str) -> str:
    # Inline SVG with a viewBox (no image request, scales to the screen or a
    # projector); segno escapes the title, and the host passed ALLOWED_HOSTS.
    return str(segno.make(url, error="m").svg_inline(scale=5, title=url, omitsize=True))


@login_required
def cohort_invitations(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """A cohort's invitations by status, its join links, and forms to add both."""
    cohort = _managed_cohort(request, cohort_id)
    invite_form = InvitationForm()
    link_form = JoinLinkForm()
    status = 200
    if request.method == "POST":
        if request.POST.get("form") == "link":
            link_form = JoinLinkForm(request.POST)
            if link_form.is_valid():
                try:
                    link = inv_services.join_link_create(
                        actor=acting_user(request),
                        cohort=cohort,
                        role=link_form.cleaned_data["role"],
                        max_uses=link_form.cleaned_data["max_uses"],
                        expires_at=link_form.expires_at,
                    )
                except ValidationError as error:
                    _form_errors(link_form, error)
                else:
                    messages.success(
                        request,
                        _("Join link made. Code: %(code)s") % {"code": link.code},
                    )
                    return redirect("cohort-invitations", cohort_id=cohort.pk)
        else:
            invite_form = InvitationForm(request.POST)
            if invite_form.is_valid():
                invitation = services.invitation_create(
                    actor=acting_user(request),
                    cohort=cohort,
                    **invite_form.cleaned_data,
                )
                messages.success(
                    request,
                    _("Invitation created for %(who)s.")
                    % {"who": invitation.email or invitation.phone},
                )
                return redirect("cohort-invitations", cohort_id=cohort.pk)
        status = 400
    filter_form = StatusFilterForm(request.GET or None)
    chosen = filter_form.cleaned_data["status"] if filter_form.is_valid() else ""
    page = Paginator(
        inv_selectors.cohort_invitation_list(request.user, cohort, status=chosen),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    links = [
        {
            "link": link,
            "spoken": _spoken(link.code),
            "url": _join_url(request, link),
            "qr": _qr_svg(_join_url(request, link)) if link.is_usable else "",
        }
        for link in inv_selectors.cohort_join_link_list(request.user, cohort)
    ]
    return render(
        request,
        "cpd/invitations/cohort_invitations.html",
        {
            "cohort": cohort,
            "page": page,
            "status": chosen,
            "statuses": inv_selectors.STATUSES,
            "filter_form": filter_form,
            "form": invite_form,
            "link_form": link_form,
            "links": links,
            "expiry_form": ExpiryForm(),
        },
        status=status,
    )


def _form_errors(form: object, error: ValidationError) -> None:
    from django import forms

    assert isinstance(form, forms.BaseForm)  # noqa: S101 - our own forms
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@require_POST
@login_required
def invitation_action(
    request: HttpRequest, cohort_id: int, invitation_id: int, action: str
) -> HttpResponse:
    """Resend, revoke or re-date one invitation, then back to the list."""
    if action not in {"resend", "revoke", "expiry"}:
        raise Http404("No such action.")
    cohort = _managed_cohort(request, cohort_id)
    invitation = inv_selectors.invitation_get_for_admin(
        request.user, cohort, invitation_id
    )
    actor = acting_user(request)
    try:
        if action == "resend":
            inv_services.invitation_resend(actor=actor, invitation=invitation)
            messages.success(request, _("The invitation will be sent again."))
        elif action == "revoke":
            inv_services.invitation_revoke(actor=actor, invitation=invitation)
            messages.success(request, _("The invitation was revoked."))
        else:
            form = ExpiryForm(request.POST)
            if not form.is_valid():
                messages.error(
                    request, " ".join(str(e) for e in form.errors.get("expires_on", []))
                )
                return redirect("cohort-invitations", cohort_id=cohort.pk)
            inv_services.invitation_set_expiry(
                actor=actor, invitation=invitation, expires_at=form.expires_at
            )
            messages.success(request, _("The expiry date was changed."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("cohort-invitations", cohort_id=cohort.pk)


@require_POST
@login_required
def join_link_revoke(
    request: HttpRequest, cohort_id: int, link_id: int
) -> HttpResponse:
    """Withdraw a join link's code."""
    cohort = _managed_cohort(request, cohort_id)
    link = inv_selectors.join_link_get_for_admin(request.user, cohort, link_id)
    inv_services.join_link_revoke(actor=acting_user(request), link=link)
    messages.success(
        request, _("The code %(code)s no longer works.") % {"code": link.code}
    )
    return redirect("cohort-invitations", cohort_id=cohort.pk)


def join_code(request: HttpRequest) -> HttpResponse:
    """Type a code read out in the room: any case, with or without spaces."""
    form = JoinCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        normal = inv_services.join_code_normalise(form.cleaned_data["code"])
        if normal:
            return _join(request, normal, form)
        form.add_error("code", _("Type the code you were given."))
    return render(
        request,
        "cpd/invitations/join_code.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def join_open(request: HttpRequest, code: str) -> HttpResponse:
    """A join link (a scanned QR code): confirm to join, or sign up first."""
    normal = inv_services.join_code_normalise(code)
    form = JoinCodeForm({"code": normal})
    form.is_valid()
    if request.method == "POST":
        return _join(request, normal, form)
    if request.user.is_authenticated:
        link = inv_selectors.join_link_by_code(normal)
        if link is None or not link.is_usable or link.cohort.is_archived:
            # The confirmation button shows why (and counts a wrong code).
            return _join(request, normal, form, confirm_only=True)
        return render(
            request, "cpd/invitations/join_confirm.html", {"link": link, "code": normal}
        )
    return _join(request, normal, form)


def _join(
    request: HttpRequest, code: str, form: JoinCodeForm, *, confirm_only: bool = False
) -> HttpResponse:
    """Signed in: join now. Signed out: remember the code, then sign up or in."""
    try:
        if request.user.is_authenticated and not confirm_only:
            membership, joined = inv_services.join_link_use(
                actor=acting_user(request), code=code
            )
            if joined:
                messages.success(
                    request, _("You joined %(cohort)s.") % {"cohort": membership.cohort}
                )
            else:
                messages.info(
                    request,
                    _("You are already in %(cohort)s.") % {"cohort": membership.cohort},
                )
            return redirect("cohort-detail", cohort_id=membership.cohort_id)
        who = request.user.pk if request.user.is_authenticated else client_ip(request)
        link = inv_services.join_code_check(code=code, who=who or "unknown")
    except RateLimited as error:
        status = rate_limit_error(form, error)
        return render(
            request, "cpd/invitations/join_code.html", {"form": form}, status=status
        )
    except ValidationError as error:
        _form_errors(form, error)
        return render(
            request, "cpd/invitations/join_code.html", {"form": form}, status=400
        )
    request.session[JOIN_CODE_SESSION_KEY] = link.code
    next_url = reverse("join-open", args=[link.code])
    return render(
        request,
        "cpd/invitations/join_signin.html",
        {
            "link": link,
            "login_url": f"{reverse('account_login')}?next={quote(next_url)}",
        },
    )


def invitation_claim(request: HttpRequest, token: str) -> HttpResponse:
    """An enrolled person opens their link: choose a password, signed in, in.

    Only for an invitation made for an account that has no password yet;
    anything else goes back to the invitation's own page.
    """
    invitation = selectors.invitation_by_token(token)
    user = invitation.user if invitation is not None else None
    if (
        invitation is None
        or user is None
        or not invitation.is_usable
        or user.has_usable_password()
        or request.user.is_authenticated
    ):
        return redirect("invitation-open", token=token)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = inv_services.invitation_claim(
                invitation=invitation, password=form.cleaned_data["new_password1"]
            )
        except (ValidationError, PermissionDenied):
            return redirect("invitation-open", token=token)
        from allauth.account.adapter import get_adapter

        # The service saved the password on its own (locked) copy: sign in with
        # the account as stored, or the session's password hash is the old one
        # and the next request is signed out.
        user.refresh_from_db()
        get_adapter(request).login(request, user)
        messages.success(
            request,
            _("Welcome. You are in %(cohort)s.") % {"cohort": membership.cohort},
        )
        target = reverse("cohort-detail", args=[membership.cohort_id])
        from cpd.privacy.selectors import notices_pending

        if notices_pending(user):
            return redirect(f"{reverse('privacy-notices')}?next={quote(target)}")
        return redirect(target)
    return render(
        request,
        "cpd/invitations/claim.html",
        {"invitation": invitation, "form": form, "person": user},
        status=400 if form.errors else 200,
    )
