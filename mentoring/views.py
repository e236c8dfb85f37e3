"""Pages for mentoring: home, mentor dashboard, admin view, conversations.

One module past ~400 lines on purpose: about twenty thin views, each a parse,
one selector or service call and a render, share the few helpers at the top
(the manageable-cohort lookup, form error mapping); split by page area when a
new area joins.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cpd import selectors as cpd_selectors
from cpd.auth import acting_user
from cpd.forms import rate_limit_error
from cpd.limits import RateLimited
from cpd.models import Cohort, Role
from mentoring import policies, selectors
from mentoring.forms import (
    CheckInForm,
    CheckInRecordForm,
    MentorProfileForm,
    MessageForm,
    PairingPreviewForm,
    ReassignForm,
    ReportForm,
)
from mentoring.models import PairingMode, PairingRun, PairingRunStatus
from mentoring.selectors import pairings as pairing_selectors
from mentoring.selectors.loads import MIN_REPLY_TIMES
from mentoring.services import (
    checkins,
    conversations,
    pairing,
    pairing_runs,
    profiles,
)


def _errors_to_form(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errs in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each cohort with the user's mentoring entry point, conversations and actions."""
    user = acting_user(request)
    context = {
        "cohorts": selectors.mentoring_cohorts_for_user(user),
        "conversations": list(selectors.conversation_list_for_user(user)[:50]),
        "checkins": list(selectors.learner_checkins(user)[:20]),
        "can_profile": policies.can_have_mentor_profile(user),
        "Role": Role,
    }
    return render(request, "mentoring/home.html", context)


@login_required
def dashboard(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """A mentor's mentees in a cohort, those needing attention first."""
    user = acting_user(request)
    cohort = cpd_selectors.cohort_get_for_user(user, cohort_id)
    if not policies.can_view_dashboard(user, cohort):
        return HttpResponse(
            _("Only the cohort's mentors have a dashboard."), status=403
        )
    rows = selectors.mentor_dashboard(user, cohort)
    return render(request, "mentoring/dashboard.html", {"cohort": cohort, "rows": rows})


def _render_admin(
    request: HttpRequest,
    cohort: Cohort,
    *,
    reassign: ReassignForm | None = None,
    mode: str = "",
    chosen: dict[int, int | None] | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = acting_user(request)
    members = list(cpd_selectors.cohort_members(cohort))
    learners = [m.user for m in members if m.role == Role.LEARNER]
    mentors = [m.user for m in members if m.role == Role.MENTOR]
    preview_form = PairingPreviewForm({"mode": mode} if mode else (request.GET or None))
    proposal = None
    rows: list[dict] = []
    if preview_form.is_valid():
        proposal = pairing.pairing_preview(
            actor=user, cohort=cohort, mode=preview_form.cleaned_data["mode"]
        )
        rows = _proposal_rows(proposal, chosen)
    context = {
        "cohort": cohort,
        "loads": selectors.mentor_loads(cohort),
        "min_replies": MIN_REPLY_TIMES,
        "unpaired": list(selectors.unpaired_learners(cohort)),
        "pairings": list(selectors.pairing_list_for_user(user, cohort)),
        "summaries": list(selectors.conversation_summaries(cohort)),
        "reported": list(selectors.reported_messages(user, cohort)),
        "changes": list(selectors.pairing_changes(cohort)),
        "runs": list(pairing_selectors.pairing_runs_of_cohort(cohort)),
        "reassign": reassign or ReassignForm(learners=learners, mentors=mentors),
        "preview_form": preview_form,
        "proposal": proposal,
        "proposal_rows": rows,
        "confirm_errors": errors or [],
        "confirm_reason": request.POST.get("reason", "") if errors else "",
    }
    return render(request, "mentoring/admin.html", context, status=status)


@login_required
def cohort_admin(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """Administrators: mentor load, unpaired learners, pairing preview and changes."""
    user = acting_user(request)
    cohort = cpd_selectors.cohort_get_for_user(user, cohort_id)
    if not policies.can_view_mentor_load(user, cohort):
        return HttpResponse(_("Only administrators see mentor load."), status=403)
    if request.method != "POST":
        return _render_admin(request, cohort)
    members = list(cpd_selectors.cohort_members(cohort))
    learners = [m.user for m in members if m.role == Role.LEARNER]
    mentors = [m.user for m in members if m.role == Role.MENTOR]
    reassign = ReassignForm(request.POST, learners=learners, mentors=mentors)
    if reassign.is_valid():
        by_id = {u.pk: u for u in [*learners, *mentors]}
        mentor_id = reassign.cleaned_data["mentor"]
        try:
            pairing.pairing_reassign(
                actor=user,
                cohort=cohort,
                learner=by_id[reassign.cleaned_data["learner"]],
                mentor=by_id[mentor_id] if mentor_id else None,
                reason=reassign.cleaned_data["reason"],
            )
        except ValidationError as exc:
            _errors_to_form(reassign, exc)
        else:
            messages.success(request, _("The pairing was changed and logged."))
            return redirect("mentoring-admin", cohort_id=cohort.pk)
    return _render_admin(request, cohort, reassign=reassign, status=400)


def _proposal_rows(
    proposal: pairing.Proposal, chosen: dict[int, int | None] | None = None
) -> list[dict]:
    waiting = sorted(
        [*proposal.new_pairs, *proposal.unpaired],
        key=lambda i: (str(proposal.learners[i]), i),
    )
    return [
        {
            "learner": proposal.learners[i],
            "proposed": chosen.get(i)
            if chosen and i in chosen
            else proposal.new_pairs.get(i),
            "fit": [] if chosen else proposal.fit.get(i, []),
        }
        for i in waiting
    ]


@require_POST
@login_required
def pairing_confirm(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """Save the previewed (and possibly changed) pairing; every pair is logged."""
    user = acting_user(request)
    cohort = cpd_selectors.cohort_get_for_user(user, cohort_id)
    if not policies.can_pair_in_cohort(user, cohort):
        return HttpResponse(_("Only administrators pair."), status=403)
    assignments: dict[int, int | None] = {}
    for key in request.POST:
        value = request.POST.get(key, "")
        if key.startswith("learner_") and key[8:].isdigit():
            assignments[int(key[8:])] = int(value) if value.isdigit() else None
    mode = request.POST.get("mode", "")
    try:
        created = pairing.pairing_confirm(
            actor=user,
            cohort=cohort,
            mode=mode,
            assignments=assignments,
            reason=request.POST.get("reason", "")[:150],
        )
    except ValidationError as exc:
        valid_mode = mode if mode in PairingMode.values else ""
        return _render_admin(
            request,
            cohort,
            mode=valid_mode,
            chosen=assignments,
            errors=exc.messages,
            status=400,
        )
    messages.success(request, _("%(n)s pairs saved.") % {"n": len(created)})
    return redirect("mentoring-admin", cohort_id=cohort.pk)


def _run_page(
    request: HttpRequest,
    run: PairingRun,
    *,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    rows: list[dict] = []
    mentors: list = []
    waiting = 0
    if run.status == PairingRunStatus.DONE:
        rows = pairing_selectors.pairing_run_rows(run)
        mentors = list(pairing_selectors.cohort_mentors(run.cohort))
        waiting = len(run.result.get("pairs", [])) + len(run.result.get("unpaired", []))
        for row in rows:
            row["fit"] = [pairing.fit_label(c) for c in row["fit"]]
    context = {
        "run": run,
        "rows": rows,
        "mentors": mentors,
        # Every waiting learner on the page: each can be changed before confirming.
        "editable": waiting <= pairing_selectors.RUN_PAGE_ROWS,
        "hidden_rows": max(waiting - len(rows), 0),
        "confirm_errors": errors or [],
        "confirm_reason": request.POST.get("reason", "") if errors else "",
    }
    response = render(request, "mentoring/pairing_run.html", context, status=status)
    if run.is_working:
        response["Refresh"] = "2"
    return response


@require_POST
@login_required
def pairing_run_start(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """Start an automatic pairing run (in the background) and show its page."""
    user = acting_user(request)
    cohort = cpd_selectors.cohort_get_for_user(user, cohort_id)
    if not policies.can_pair_in_cohort(user, cohort):
        return HttpResponse(_("Only administrators pair."), status=403)
    try:
        run = pairing_runs.pairing_run_start(
            actor=user, cohort=cohort, mode=request.POST.get("mode", "")
        )
    except ValidationError:
        messages.error(request, _("Choose one-to-one or group."))
        return redirect("mentoring-admin", cohort_id=cohort.pk)
    return redirect("mentoring-pairing-run", run_id=run.pk)


@login_required
def pairing_run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    """A pairing run: progress while it works, then its proposal to confirm."""
    user = acting_user(request)
    run = pairing_selectors.pairing_run_get_for_user(user, run_id)
    return _run_page(request, run)


@require_POST
@login_required
def pairing_run_confirm(request: HttpRequest, run_id: int) -> HttpResponse:
    """Confirm a run's proposal with the admin's changes; saved in the background."""
    user = acting_user(request)
    run = pairing_selectors.pairing_run_get_for_user(user, run_id)
    assignments: dict[int, int | None] = {}
    for key in request.POST:
        value = request.POST.get(key, "")
        if key.startswith("learner_") and key[8:].isdigit():
            assignments[int(key[8:])] = int(value) if value.isdigit() else None
    try:
        pairing_runs.pairing_run_confirm(
            actor=user,
            run=run,
            assignments=assignments,
            reason=request.POST.get("reason", "")[:150],
        )
    except ValidationError as exc:
        return _run_page(request, run, errors=exc.messages, status=400)
    return redirect("mentoring-pairing-run", run_id=run.pk)


@login_required
def conversation_detail(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """A private conversation: messages, check-ins, and for the mentor, progress."""
    user = acting_user(request)
    conversation = selectors.conversation_get_for_user(user, conversation_id)
    form = MessageForm()
    status = 200
    limited: int | None = None
    if request.method == "POST":
        form = MessageForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                conversations.message_send(
                    actor=user,
                    conversation=conversation,
                    body=form.cleaned_data["body"],
                    photo=form.cleaned_data.get("image"),
                    no_identifiers_confirmed=form.cleaned_data[
                        "no_identifiers_confirmed"
                    ],
                )
            except ValidationError as exc:
                _errors_to_form(form, exc)
            except RateLimited as exc:
                limited = rate_limit_error(form, exc)
            else:
                return redirect(
                    "mentoring-conversation", conversation_id=conversation.pk
                )
        if request.FILES.get("image") and "image" not in form.errors:
            # Browsers never refill a file input: say so next to it.
            form.add_error("image", _("Choose the photo again."))
        status = limited or 400
    is_mentor = policies.can_schedule_checkin(user, conversation)
    progress = None
    if is_mentor and conversation.learner_id:
        progress = selectors.learner_progress(
            cohort=conversation.cohort, user_ids=[conversation.learner_id]
        ).get(conversation.learner_id)
    conversations.conversation_mark_read(actor=user, conversation=conversation)
    context = {
        "conversation": conversation,
        "messages_list": selectors.conversation_messages(conversation),
        "checkins": list(selectors.conversation_checkins(conversation)),
        "form": form,
        "checkin_form": CheckInForm() if is_mentor else None,
        "is_mentor": is_mentor,
        "progress": progress,
        "participants": [m.user for m in conversation.members.all()],
        "mentor_profile": None
        if is_mentor
        else selectors.mentor_profile_of(conversation.mentor),
    }
    return render(request, "mentoring/conversation.html", context, status=status)


@require_POST
@login_required
def checkin_create(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """The mentor schedules a check-in from the conversation page."""
    user = acting_user(request)
    conversation = selectors.conversation_get_for_user(user, conversation_id)
    if not policies.can_schedule_checkin(user, conversation):
        return HttpResponse(_("Only the mentor schedules check-ins."), status=403)
    form = CheckInForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            checkins.checkin_schedule(
                actor=user, conversation=conversation, **form.cleaned_data
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        except RateLimited as exc:
            status = rate_limit_error(form, exc)
        else:
            messages.success(request, _("Check-in scheduled."))
            return redirect("mentoring-conversation", conversation_id=conversation.pk)
    context = {
        "conversation": conversation,
        "messages_list": selectors.conversation_messages(conversation),
        "checkins": list(selectors.conversation_checkins(conversation)),
        "form": MessageForm(),
        "checkin_form": form,
        "is_mentor": True,
        "progress": None,
        "participants": [m.user for m in conversation.members.all()],
    }
    return render(request, "mentoring/conversation.html", context, status=status)


@login_required
def checkin_detail(request: HttpRequest, checkin_id: int) -> HttpResponse:
    """A check-in; its mentor records notes, agreed actions and completion."""
    user = acting_user(request)
    checkin = selectors.checkin_get_for_user(user, checkin_id)
    can_record = policies.can_record_checkin(user, checkin)
    form = CheckInRecordForm(
        initial={
            "notes": checkin.notes,
            "agreed_actions": checkin.agreed_actions,
            "done": checkin.done_at is not None,
        }
    )
    if request.method == "POST":
        if not can_record:
            return HttpResponse(_("Only the mentor records check-ins."), status=403)
        form = CheckInRecordForm(request.POST)
        if form.is_valid():
            checkins.checkin_record(actor=user, checkin=checkin, **form.cleaned_data)
            messages.success(request, _("Check-in saved."))
            return redirect(
                "mentoring-conversation", conversation_id=checkin.conversation_id
            )
    return render(
        request,
        "mentoring/checkin.html",
        {"checkin": checkin, "form": form, "can_record": can_record},
        status=400 if form.errors else 200,
    )


@login_required
def message_report(request: HttpRequest, message_id: int) -> HttpResponse:
    """A participant reports a message to the cohort's administrators."""
    user = acting_user(request)
    message = selectors.message_get_for_user(user, message_id)
    if not policies.can_report_message(user, message):
        return HttpResponse(_("You cannot report this message."), status=403)
    form = ReportForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            conversations.message_report(
                actor=user, message=message, reason=form.cleaned_data["reason"]
            )
        except RateLimited as exc:
            status = rate_limit_error(form, exc)
        else:
            messages.success(request, _("Reported to the cohort's administrators."))
            return redirect(
                "mentoring-conversation", conversation_id=message.conversation_id
            )
    if form.errors and status == 200:
        status = 400
    return render(
        request,
        "mentoring/report.html",
        {"message": message, "form": form},
        status=status,
    )


@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    """A mentor edits their own profile."""
    user = acting_user(request)
    if not policies.can_have_mentor_profile(user):
        return HttpResponse(_("Only mentors have a mentor profile."), status=403)
    profile = selectors.mentor_profile_of(user)
    initial = {
        "specialties": list(profile.specialties.all()) if profile else [],
        "languages": profile.languages if profile else [user.preferred_language],
        "districts": ", ".join(profile.districts if profile else [user.district]),
        "capacity": profile.capacity if profile else pairing.DEFAULT_CAPACITY,
        "availability": profile.availability if profile else "",
    }
    form = MentorProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        profiles.mentor_profile_save(actor=user, user=user, **form.cleaned_data)
        messages.success(request, _("Your mentor profile was saved."))
        return redirect("mentoring-home")
    return render(
        request,
        "mentoring/profile.html",
        {"form": form},
        status=400 if form.errors else 200,
    )
