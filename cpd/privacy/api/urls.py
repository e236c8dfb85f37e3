"""/api/privacy/: exports and erasure."""

from django.urls import path

from cpd.privacy.api import views

urlpatterns = [
    path(
        "privacy/exports/",
        views.ExportListCreateApi.as_view(),
        name="api-privacy-exports",
    ),
    path("privacy/erasure/", views.ErasureApi.as_view(), name="api-privacy-erasure"),
    path(
        "privacy/erasure/queue/",
        views.ErasureQueueApi.as_view(),
        name="api-privacy-erasure-queue",
    ),
    path(
        "privacy/erasure/<int:request_id>/confirm/",
        views.ErasureConfirmApi.as_view(),
        name="api-privacy-erasure-confirm",
    ),
    path(
        "privacy/organisations/<int:organisation_id>/",
        views.OrganisationPrivacyApi.as_view(),
        name="api-privacy-organisation",
    ),
]
