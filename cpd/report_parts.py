"""Other apps' figures for the cohort report's API, without cpd importing them.

The page shows them as panels (``cpd.panels.COHORT_REPORT``); the API carries
the same figures under ``parts``. An app registers a function in its
``AppConfig.ready()``: cohort -> a JSON-ready dict, costing a constant number
of queries. (The learner report has its own: ``cpd.learner_report.selectors``.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cpd.models import Cohort

CohortPart = Callable[[Cohort], dict[str, Any]]
_cohort_parts: dict[str, CohortPart] = {}


def cohort_part_register(name: str, fn: CohortPart) -> None:
    """Register an app's figures for the cohort report's API (name: its key)."""
    _cohort_parts[name] = fn


def cohort_parts(cohort: Cohort) -> dict[str, dict[str, Any]]:
    """Every registered app's figures for the cohort, by part name."""
    return {name: fn(cohort) for name, fn in sorted(_cohort_parts.items())}
