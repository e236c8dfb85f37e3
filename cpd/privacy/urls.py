"""Pages of privacy: /privacy/."""

from django.urls import path

from cpd.privacy import views

urlpatterns = [
    path("", views.privacy_home, name="privacy"),
    path("notices/", views.notices, name="privacy-notices"),
    path(
        "cohorts/<int:cohort_id>/notice/",
        views.notice_publish,
        name="privacy-notice-publish",
    ),
    path("export/", views.export_request, name="privacy-export-request"),
    path(
        "export/<str:token>/",
        views.export_download,
        name="privacy-export-download",
    ),
    path("erasure/", views.erasure_request, name="privacy-erasure-request"),
    path(
        "erasure/<int:request_id>/cancel/",
        views.erasure_cancel,
        name="privacy-erasure-cancel",
    ),
    path("erasure/queue/", views.erasure_queue, name="privacy-erasure-queue"),
    path(
        "erasure/<int:request_id>/confirm/",
        views.erasure_confirm,
        name="privacy-erasure-confirm",
    ),
    path(
        "organisations/<int:organisation_id>/",
        views.organisation_privacy,
        name="privacy-organisation",
    ),
]
