"""Pages: one learner's report in a cohort, and its timeline as CSV."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.contrib.auth.decorators import login_required
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.utils.translation import gettext as _

from cpd import policies, selectors
from cpd.learner_report import selectors as lr
from cpd.models import Cohort, User


def _forbidden() -> HttpResponse:
    return HttpResponse(
        _("Only the learner, their mentor and the cohort's administrators."),
        status=403,
    )


def _report_learner(
    request: HttpRequest, cohort_id: int, user_id: int
) -> tuple[Cohort, User, bool]:
    """The cohort and learner (404 if unseen or not a learner) and the policy."""
    cohort = selectors.cohort_get_for_user(request.user, cohort_id)
    learner = lr.learner_get_for_report(request.user, cohort, user_id)
    allowed = policies.can_view_learner_report(request.user, cohort, learner.pk)
    return cohort, learner, allowed


def page_number(raw: str | None) -> int | None:
    """``?page=``: a positive number, 1 when absent, None when malformed."""
    if raw is None or raw == "":
        return 1
    # isdigit() alone admits "²" (int() refuses it); the length keeps int() away
    # from thousands of digits (it raises past 4,300). Both were 500s.
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 5:
        return None
    page = int(raw)
    return page if 0 < page <= 10_000 else None


@login_required
def learner_report(request: HttpRequest, cohort_id: int, user_id: int) -> HttpResponse:
    """One learner's use, progress, social and mentor figures, and a timeline."""
    page = page_number(request.GET.get("page"))
    if page is None:
        return HttpResponseBadRequest(_("The page must be a positive number."))
    cohort, learner, allowed = _report_learner(request, cohort_id, user_id)
    if not allowed:
        return _forbidden()
    report = lr.learner_report(cohort, learner)
    timeline, more = lr.learner_timeline(cohort, learner.pk, page=page)
    return render(
        request,
        "cpd/learner_report.html",
        {
            "cohort": cohort,
            "learner": learner,
            "report": report,
            "chart_width": 10 * len(report.chart),
            "timeline": timeline,
            "page": page,
            "older": page + 1 if more else None,
            "newer": page - 1 if page > 1 else None,
            "is_self": learner.pk == request.user.pk,
            "back_to_cohort": policies.can_view_learner_rows(request.user, cohort),
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
def learner_timeline_csv(
    request: HttpRequest, cohort_id: int, user_id: int
) -> HttpResponseBase:
    """The learner's whole timeline in the cohort as CSV, newest first."""
    cohort, learner, allowed = _report_learner(request, cohort_id, user_id)
    if not allowed:
        return _forbidden()

    def lines() -> Iterator[str]:
        out = csv.writer(_Echo())
        yield out.writerow([_("when"), _("verb"), _("what"), _("detail")])
        for entry in lr.learner_timeline_all(cohort, learner.pk):
            yield out.writerow(
                [entry.timestamp.isoformat(), entry.verb, entry.text, entry.detail]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    name = f"cohort-{cohort.pk}-learner-{learner.pk}-timeline.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
