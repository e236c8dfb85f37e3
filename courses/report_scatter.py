"""Engagement against outcome on the cohort report: does use go with learning?

A scatter of each learner's days active (from the learning record, through
``cpd.reports.learner_engagement``) against their knowledge gain (post-test
minus pre-test, through ``courses.selectors.learner_gains``, the same figures
as the gain panel), with Spearman's rank correlation and its n. Days active are
those of the cohort report's eight weeks: on the report page they come from the
report's own per-learner rows (the panel costs one query, the gains); the API
counts them (two queries). The points are per-learner aggregate rows.

Points are anonymous (no names, no labels). Who sees what: the cohort's mentors
and administrators read the correlation and the banded table (groups under
``SMALL_CELL`` suppressed); only administrators, who see each learner's row
anyway, see the points (``courses.policies.can_view_engagement_points``).
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses import policies
from courses.selectors import learner_gains
from cpd.models import Cohort
from cpd.report_cache import report_cached
from cpd.reports import (
    SMALL_CELL,
    WEEKS,
    CohortReport,
    learner_engagement,
    median_of,
)

# Fewer pairs than this: no correlation ("not enough data").
MIN_PAIRS = 5
# Days active, banded for the table beside the scatter: (low, high or None).
DAY_BANDS: list[tuple[int, int | None, Any]] = [
    (0, 3, _("0–2 days")),
    (3, 6, _("3–5 days")),
    (6, 11, _("6–10 days")),
    (11, None, _("11 days or more")),
]
# More points than this are grouped on a grid of GRID-unit cells, one dot per
# cell sized by its learners: 4,000 dots would weigh 145 KB.
MAX_DOTS = 300
GRID = 8
# The drawing's geometry (viewBox units).
WIDTH, HEIGHT = 300, 180
_LEFT, _RIGHT, _TOP, _BOTTOM = 30, 8, 8, 26


def average_ranks(values: Sequence[float]) -> list[float]:
    """Ranks from 1, tied values sharing the mean of the ranks they span."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        mean_rank = (i + j) / 2 + 1
        for k in range(i, j + 1):
            ranks[order[k]] = mean_rank
        i = j + 1
    return ranks


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Spearman's rho: Pearson's r of the average ranks (ties handled).

    None with fewer than ``MIN_PAIRS`` pairs, or when either variable does not
    vary (the correlation is undefined).
    """
    if len(xs) != len(ys):
        raise ValueError("xs and ys differ in length")
    if len(xs) < MIN_PAIRS:
        return None
    rx, ry = average_ranks(xs), average_ranks(ys)
    mx, my = statistics.fmean(rx), statistics.fmean(ry)
    sxy = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    sxx = sum((a - mx) ** 2 for a in rx)
    syy = sum((b - my) ** 2 for b in ry)
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)


@dataclass
class Band:
    label: Any
    learners: int | None  # None: suppressed (fewer than SMALL_CELL)
    median_gain: float | None


@dataclass
class EngagementGain:
    cohort: Cohort
    points: list[tuple[int, float]]  # (days active, gain), sorted; no ids
    rho: float | None
    bands: list[Band] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.points)

    @property
    def enough_data(self) -> bool:
        return self.rho is not None


def engagement_gain(
    cohort: Cohort, *, report: CohortReport | None = None
) -> EngagementGain:
    """Days active against gain for the cohort's learners with both tests.

    Days active are the cohort report's (its eight weeks): taken from
    ``report``'s per-learner rows when the page has them (one query, the
    gains), else counted (two queries).
    """
    # the report's own gains when it has them (no second query)
    gains = (
        report.gains
        if report is not None and report.gains is not None
        else learner_gains(cohort)
    )
    if report is not None:
        days = {row.user_id: row.days_active for row in report.rows}
    else:
        since = timezone.now() - dt.timedelta(weeks=WEEKS)
        days = {
            uid: e.days_active
            for uid, e in learner_engagement(cohort, since=since).items()
        }
    points = sorted((days.get(uid, 0), round(gain, 1)) for uid, gain in gains.items())
    result = EngagementGain(
        cohort=cohort,
        points=points,
        rho=spearman([d for d, _g in points], [g for _d, g in points]),
    )
    for low, high, label in DAY_BANDS:
        in_band = [g for d, g in points if d >= low and (high is None or d < high)]
        if not in_band:
            continue
        if len(in_band) < SMALL_CELL:
            result.bands.append(Band(label, None, None))
        else:
            result.bands.append(Band(label, len(in_band), median_of(in_band)))
    return result


def _nice(value: float, step: int) -> int:
    return int(math.ceil(abs(value) / step) * step) * (1 if value >= 0 else -1)


def scatter(report: EngagementGain) -> dict[str, Any]:
    """Coordinates of the points and axes in the SVG's viewBox."""
    days_max = max((d for d, _g in report.points), default=0) or 1
    low = min(0, _nice(min((g for _d, g in report.points), default=0), 10))
    high = max(10, _nice(max((g for _d, g in report.points), default=0), 10))
    plot_w = WIDTH - _LEFT - _RIGHT
    plot_h = HEIGHT - _TOP - _BOTTOM

    def x(days: float) -> float:
        return round(_LEFT + plot_w * days / days_max, 1)

    def y(gain: float) -> float:
        return round(_TOP + plot_h * (high - gain) / (high - low), 1)

    dots = [{"x": x(d), "y": y(g), "r": 3} for d, g in report.points]
    grouped = len(dots) > MAX_DOTS
    if grouped:
        cells: dict[tuple[int, int], int] = {}
        for dot in dots:
            key = (round(dot["x"] / GRID), round(dot["y"] / GRID))
            cells[key] = cells.get(key, 0) + 1
        dots = [
            {"x": cx * GRID, "y": cy * GRID, "r": round(min(6, 1.5 + math.sqrt(n)), 1)}
            for (cx, cy), n in sorted(cells.items())
        ]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "points": dots,
        "grouped": grouped,
        "max_dots": MAX_DOTS,
        "left": _LEFT,
        "right": WIDTH - _RIGHT,
        "bottom": HEIGHT - _BOTTOM,
        "top": _TOP,
        "zero": y(0),
        "low": low,
        "high": high,
        "low_y": y(low),
        "high_y": y(high),
        "days_max": days_max,
        "label_y": HEIGHT - 4,
        "tick_x": _LEFT - 3,
        "gain_label_x": _LEFT + 4,
        "high_label_y": round(y(high) + 6, 1),
        "tick_y": HEIGHT - _BOTTOM + 11,
    }


def _with_chart(
    cohort: Cohort, report: CohortReport | None
) -> tuple[EngagementGain, dict[str, Any] | None]:
    eg = engagement_gain(cohort, report=report)
    return eg, scatter(eg) if eg.enough_data else None


def cohort_engagement_gain_panel(
    request: HttpRequest, cohort: Cohort, report: CohortReport | None = None
) -> str:
    """Cohort report: days active against knowledge gain, with Spearman's rho."""
    if not policies.can_view_engagement_gain(request.user, cohort):
        return ""
    # Kept with the report's counts (numbers only, no names): the ranks and
    # the grid of 4,000 points cost more than the query.
    eg, chart = report_cached(
        cohort.pk, "engagement-gain", lambda: _with_chart(cohort, report)
    )
    show_points = policies.can_view_engagement_points(request.user, cohort)
    # No request: the layout's context processors would run a second time.
    return render_to_string(
        "courses/partials/cohort_engagement_gain.html",
        {
            "eg": eg,
            "show_points": show_points,
            "chart": chart if show_points else None,
            "min_pairs": MIN_PAIRS,
            "small_cell": SMALL_CELL,
        },
    )
