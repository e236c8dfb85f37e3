"""Pages for the home screen, cohorts, invitations and the user's profile."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cpd import policies, selectors, services
from cpd.adapters import INVITATION_SESSION_KEY
from cpd.auth import acting_user
from cpd.context_processors import CURRENT_COHORT_KEY
from cpd.forms import InvitationForm, ProfileForm


@login_required
def cohort_detail(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """A cohort's people; administrators also invite from here."""
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
    request.session[INVITATION_SESSION_KEY] = invitation.token
    return redirect("account_signup")


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
