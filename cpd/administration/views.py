"""Pages of the administrator's area; thin: a policy-scoped read, one service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cpd import cohort_hooks, policies, selectors, services
from cpd.administration import selectors as admin_selectors
from cpd.administration import services as admin_services
from cpd.administration.forms import (
    CohortForm,
    MemberFilterForm,
    MemberRoleForm,
    PairingRunForm,
    errors_to_form,
)
from cpd.auth import acting_user
from cpd.models import Cohort, Role


def _managed_cohort(request: HttpRequest, cohort_id: int) -> Cohort:
    """A cohort the user manages: 404 if unseen, 403 (with why) if seen only."""
    cohort = selectors.cohort_get_for_user(request.user, cohort_id)
    if not policies.can_manage_cohort(request.user, cohort):
        raise PermissionDenied(_("Only the cohort's administrators can do this."))
    return cohort


def _cohort_context(request: HttpRequest, cohort: Cohort, tab: str) -> dict:
    return {
        "cohort": cohort,
        "tab": tab,
        "can_archive": policies.can_archive_cohort(request.user, cohort),
        "can_see_org": policies.can_administer_organisation(
            request.user, cohort.organisation
        ),
    }


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    """The organisations the user administers."""
    if not policies.administers_any_organisation(request.user):
        raise PermissionDenied(_("Only organisation administrators have this area."))
    organisations = list(admin_selectors.organisation_list_for_admin(request.user))
    return render(
        request,
        "cpd/administration/organisation_list.html",
        {"organisations": organisations},
    )


@login_required
def organisation_overview(request: HttpRequest, organisation_id: int) -> HttpResponse:
    """Cohorts with their counts, and the learners who have no mentor yet."""
    organisation = admin_selectors.organisation_get_for_admin(
        request.user, organisation_id
    )
    overview = admin_selectors.organisation_overview(organisation)
    return render(
        request,
        "cpd/administration/organisation_overview.html",
        {
            "organisation": organisation,
            "overview": overview,
            "unpaired_shown": admin_selectors.UNPAIRED_SHOWN,
        },
    )


@login_required
def cohort_create(request: HttpRequest, organisation_id: int) -> HttpResponse:
    """A new cohort with its forum, room and courses."""
    organisation = admin_selectors.organisation_get_for_admin(
        request.user, organisation_id
    )
    form = CohortForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            cohort = services.cohort_create(
                actor=acting_user(request),
                organisation=organisation,
                course_ids=data.pop("courses"),
                **data,
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(
                request, _("%(cohort)s was created.") % {"cohort": cohort.name}
            )
            return redirect("admin-cohort-edit", cohort_id=cohort.pk)
    return render(
        request,
        "cpd/administration/cohort_form.html",
        {"organisation": organisation, "form": form, "cohort": None},
        status=400 if form.errors else 200,
    )


@login_required
def cohort_edit(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """Edit a cohort's details and courses; archive or unarchive it."""
    cohort = _managed_cohort(request, cohort_id)
    if request.method == "POST":
        form = CohortForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                services.cohort_update(
                    actor=acting_user(request),
                    cohort=cohort,
                    course_ids=data.pop("courses"),
                    **data,
                )
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, _("The cohort was saved."))
                return redirect("admin-cohort-edit", cohort_id=cohort.pk)
    else:
        form = CohortForm(initial=CohortForm.initial_for(cohort))
    context = _cohort_context(request, cohort, "edit")
    context.update({"organisation": cohort.organisation, "form": form})
    return render(
        request,
        "cpd/administration/cohort_form.html",
        context,
        status=400 if form.errors else 200,
    )


@require_POST
@login_required
def cohort_archive(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """Archive the cohort: readable, closed for writing."""
    cohort = _managed_cohort(request, cohort_id)
    admin_services.cohort_archive(actor=acting_user(request), cohort=cohort)
    messages.success(
        request,
        _("%(cohort)s is archived: readable, closed for writing.")
        % {"cohort": cohort.name},
    )
    return redirect("admin-cohort-edit", cohort_id=cohort.pk)


@require_POST
@login_required
def cohort_unarchive(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """Open an archived cohort for writing again."""
    cohort = _managed_cohort(request, cohort_id)
    admin_services.cohort_unarchive(actor=acting_user(request), cohort=cohort)
    messages.success(request, _("%(cohort)s is open again.") % {"cohort": cohort.name})
    return redirect("admin-cohort-edit", cohort_id=cohort.pk)


@login_required
def cohort_members(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """The cohort's members, filtered by role and text; change a role or remove."""
    cohort = _managed_cohort(request, cohort_id)
    filters = MemberFilterForm(request.GET or None)
    role = text = ""
    if filters.is_valid():
        role, text = filters.cleaned_data["role"], filters.cleaned_data["q"]
    members = admin_selectors.cohort_members_filtered(cohort, role=role, text=text)
    page = Paginator(members, admin_selectors.MEMBERS_PAGE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = _cohort_context(request, cohort, "members")
    context.update(
        {
            "filters": filters,
            "page": page,
            "query": query.urlencode(),
            "roles": Role.choices,
            "writable": policies.cohort_is_writable(cohort),
        }
    )
    return render(request, "cpd/administration/cohort_members.html", context)


@require_POST
@login_required
def member_role(
    request: HttpRequest, cohort_id: int, membership_id: int
) -> HttpResponse:
    """Give one member another role."""
    cohort = _managed_cohort(request, cohort_id)
    membership = admin_selectors.membership_get_for_admin(cohort, membership_id)
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role from the list."))
    else:
        admin_services.membership_role_change(
            actor=acting_user(request),
            membership=membership,
            role=form.cleaned_data["role"],
        )
        messages.success(
            request,
            _("%(name)s is now %(role)s.")
            % {"name": membership.user, "role": membership.get_role_display()},
        )
    return redirect("admin-cohort-members", cohort_id=cohort.pk)


@login_required
def member_remove(
    request: HttpRequest, cohort_id: int, membership_id: int
) -> HttpResponse:
    """Ask first (GET), then take the person out of the cohort (POST)."""
    cohort = _managed_cohort(request, cohort_id)
    membership = admin_selectors.membership_get_for_admin(cohort, membership_id)
    if request.method == "POST":
        admin_services.membership_remove(
            actor=acting_user(request), membership=membership
        )
        messages.success(
            request,
            _("%(name)s was removed from %(cohort)s.")
            % {"name": membership.user, "cohort": cohort.name},
        )
        return redirect("admin-cohort-members", cohort_id=cohort.pk)
    context = _cohort_context(request, cohort, "members")
    context["membership"] = membership
    return render(request, "cpd/administration/member_remove.html", context)


@login_required
def cohort_mentors(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """Each mentor's mentees against capacity; start a pairing run to review."""
    cohort = _managed_cohort(request, cohort_id)
    form = PairingRunForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        policies.ensure_cohort_writable(cohort)
        url = cohort_hooks.pairing_run(
            acting_user(request), cohort, form.cleaned_data["mode"]
        )
        if url:
            return redirect(url)
    loads = cohort_hooks.mentor_loads(cohort)
    unpaired = cohort_hooks.unpaired_learner_ids([cohort.pk])
    context = _cohort_context(request, cohort, "mentors")
    context.update(
        {
            "loads": loads,
            "unpaired_count": None
            if unpaired is None
            else len(unpaired.get(cohort.pk, [])),
            "form": form,
            "can_pair": cohort_hooks.hook(cohort_hooks.PAIRING_RUN) is not None
            and policies.cohort_is_writable(cohort),
        }
    )
    return render(
        request,
        "cpd/administration/cohort_mentors.html",
        context,
        status=400 if form.errors else 200,
    )
