"""Pages of the learner report (included from cpd.site.urls)."""

from django.urls import path

from cpd.learner_report import views

urlpatterns = [
    path(
        "cohorts/<int:cohort_id>/learners/<int:user_id>/report/",
        views.learner_report,
        name="learner-report",
    ),
    path(
        "cohorts/<int:cohort_id>/learners/<int:user_id>/timeline.csv",
        views.learner_timeline_csv,
        name="learner-timeline-csv",
    ),
]
