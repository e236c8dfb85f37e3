"""Pages of spreadsheet enrolment (under /enrolment/)."""

from django.urls import path

from cpd.enrolment import views

urlpatterns = [
    path("template.csv", views.template_csv, name="enrolment-template"),
    path("cohorts/<int:cohort_id>/", views.upload, name="enrolment-upload"),
    path("<int:enrolment_id>/", views.detail, name="enrolment-detail"),
    path("<int:enrolment_id>/confirm/", views.confirm, name="enrolment-confirm"),
    path("<int:enrolment_id>/cancel/", views.cancel, name="enrolment-cancel"),
    path(
        "<int:enrolment_id>/report.csv", views.report_csv, name="enrolment-report-csv"
    ),
]
