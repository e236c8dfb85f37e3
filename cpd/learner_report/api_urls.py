"""/api/ route of the learner report (included from cpd.site.urls)."""

from django.urls import path

from cpd.learner_report import api

urlpatterns = [
    path(
        "cohorts/<int:cohort_id>/learners/<int:user_id>/report/",
        api.LearnerReportApi.as_view(),
        name="api-learner-report",
    ),
]
