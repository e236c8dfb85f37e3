"""The home page: each role's cohorts, and what other apps add to it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cpd import policies, selectors


def home(request: HttpRequest) -> HttpResponse:
    """Each role's cohorts; a visitor sees a short welcome and the sign-in link.

    "Continue where you left off" and the like come from panels that apps
    register for the ``home`` slot (``cpd.panels``).
    """
    if not request.user.is_authenticated:
        return render(request, "cpd/welcome.html")
    cohorts = list(selectors.cohort_list_for_user(request.user))
    roles = policies.roles_of(request.user)
    rows = [(cohort, roles.role_in(cohort)) for cohort in cohorts]
    return render(request, "cpd/home.html", {"rows": rows})
