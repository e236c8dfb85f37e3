"""Pages of a spreadsheet enrolment: upload, preview, confirm, progress, report."""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cpd import selectors as cpd_selectors
from cpd.auth import acting_user
from cpd.enrolment import policies, reading, report, selectors, services
from cpd.enrolment.forms import UploadForm
from cpd.enrolment.models import ImportStatus, Outcome, Verdict

PAGE = 100


@login_required
def upload(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """Upload a spreadsheet into a cohort; it is checked, not applied."""
    cohort = cpd_selectors.cohort_get_for_user(request.user, cohort_id)
    if not policies.can_enrol(request.user, cohort):
        raise PermissionDenied(policies.enrol_refusal(request.user, cohort))
    form = UploadForm()
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                enrolment = services.enrolment_check(
                    actor=acting_user(request),
                    cohort=cohort,
                    filename=upload.name or "",
                    data=upload.read(),
                )
            except ValidationError as error:
                for message in error.message_dict.get("file", error.messages):
                    form.add_error("file", message)
            else:
                return redirect("enrolment-detail", enrolment_id=enrolment.pk)
    return render(
        request,
        "enrolment/upload.html",
        {
            "cohort": cohort,
            "form": form,
            "enrolments": selectors.enrolments_for_cohort(request.user, cohort)[:20],
            "aliases": {k: v[:4] for k, v in reading.HEADER_ALIASES.items()},
        },
        status=400 if form.errors else 200,
    )


@login_required
def detail(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    """The preview before confirming, the progress while applying, the report after."""
    enrolment = selectors.enrolment_get_for_user(request.user, enrolment_id)
    verdict = request.GET.get("verdict", "")
    outcome = request.GET.get("outcome", "")
    rows = selectors.enrolment_rows(enrolment, verdict=verdict, outcome=outcome)
    page = Paginator(rows, PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "enrolment/detail.html",
        {
            "enrolment": enrolment,
            "cohort": enrolment.cohort,
            "page": page,
            "verdict": verdict,
            "outcome": outcome,
            "verdicts": report.counts(enrolment.verdicts, Verdict),
            "outcomes": report.counts(enrolment.outcomes, Outcome),
            "Status": ImportStatus,
            "percent": (
                100 * enrolment.rows_done // enrolment.rows_total
                if enrolment.rows_total
                else 100
            ),
            "can_confirm": enrolment.status == ImportStatus.READY
            and enrolment.to_change > 0
            and policies.can_enrol(request.user, enrolment.cohort),
        },
    )


@require_POST
@login_required
def confirm(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    enrolment = selectors.enrolment_get_for_user(request.user, enrolment_id)
    try:
        services.enrolment_confirm(actor=acting_user(request), enrolment=enrolment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Enrolment started. This page shows its progress."))
    return redirect("enrolment-detail", enrolment_id=enrolment.pk)


@require_POST
@login_required
def cancel(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    enrolment = selectors.enrolment_get_for_user(request.user, enrolment_id)
    try:
        services.enrolment_cancel(actor=acting_user(request), enrolment=enrolment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("enrolment-detail", enrolment_id=enrolment.pk)
    messages.success(request, _("Cancelled: nobody was enrolled from this file."))
    return redirect("enrolment-upload", cohort_id=enrolment.cohort_id)


@login_required
def report_csv(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    """Every row with its verdict and outcome, as a CSV the spreadsheet opens."""
    enrolment = selectors.enrolment_get_for_user(request.user, enrolment_id)
    response = HttpResponse(
        report.csv_bytes(enrolment), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="enrolment-{enrolment.pk}-report.csv"'
    )
    return response


def template_csv(request: HttpRequest) -> HttpResponse:
    """An empty spreadsheet with the column names, to fill in."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(reading.FIELDS)
    writer.writerow(
        [
            "Amina Otieno",
            "+254712345678",
            "",
            "learner",
            "nurse",
            "Kisumu CRH",
            "Kisumu",
            "sw",
            "",
        ]
    )
    response = HttpResponse(
        "\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="enrolment-template.csv"'
    return response
