"""Pages of the people app: cohorts, invitations, profile, images, the web app."""

from django.urls import include, path
from django.views.i18n import set_language

from cpd import offline, views

urlpatterns = [
    path("cohorts/switch/", views.cohort_switch, name="cohort-switch"),
    path("cohorts/<int:cohort_id>/", views.cohort_detail, name="cohort-detail"),
    path("cohorts/<int:cohort_id>/report/", views.cohort_report, name="cohort-report"),
    path(
        "cohorts/<int:cohort_id>/report.csv",
        views.cohort_report_csv,
        name="cohort-report-csv",
    ),
    path(
        "cohorts/<int:cohort_id>/statements.jsonl",
        views.cohort_statements,
        name="cohort-statements",
    ),
    path("invite/<str:token>/", views.invitation_open, name="invitation-open"),
    path(
        "organisations/<int:organisation_id>/audit/",
        views.organisation_audit,
        name="organisation-audit",
    ),
    path("profile/", views.profile, name="profile"),
    path(
        "images/<int:image_id>/<str:size>/",
        views.image_file,
        name="image-file",
    ),
    path("language/", set_language, name="set-language"),
    path("", include("cpd.administration.urls")),
    path("", include("cpd.invitations.urls")),
    path("manifest.webmanifest", offline.manifest, name="manifest"),
    path("sw.js", offline.service_worker, name="service-worker"),
    path("offline/", offline.offline_page, name="offline"),
    path("outbox/", offline.outbox_page, name="outbox"),
    path("outbox/key/", offline.outbox_key_view, name="outbox-key"),
]
