"""/api/: the people app's REST endpoints (the root URLconf adds the apps')."""

from django.urls import URLPattern, URLResolver, include, path

from cpd.administration import api as administration_api
from cpd.api import views

_people = [
    path("", views.ApiRootApi.as_view(), name="api-root"),
    path("me/", views.MeApi.as_view(), name="api-me"),
    path("auth/token/", views.TokenCreateApi.as_view(), name="api-token"),
    path("cohorts/", views.CohortListApi.as_view(), name="api-cohort-list"),
    path(
        "cohorts/<int:cohort_id>/report/",
        views.CohortReportApi.as_view(),
        name="api-cohort-report",
    ),
    path(
        "cohorts/<int:cohort_id>/",
        views.CohortDetailApi.as_view(),
        name="api-cohort-detail",
    ),
    path(
        "cohorts/<int:cohort_id>/members/",
        views.CohortMemberListApi.as_view(),
        name="api-cohort-members",
    ),
    path(
        "cohorts/<int:cohort_id>/invitations/",
        views.InvitationCreateApi.as_view(),
        name="api-cohort-invitations",
    ),
    path("images/", views.ImageUploadApi.as_view(), name="api-image-upload"),
    path(
        "images/<int:image_id>/hide/",
        views.ImageHideApi.as_view(),
        name="api-image-hide",
    ),
]
urlpatterns: list[URLPattern | URLResolver] = [
    *administration_api.extend(_people),  # cohort writes, members
    path("", include("cpd.invitations.api_urls")),
]
