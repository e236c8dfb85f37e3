"""Pages for invitations and join links (included from cpd.urls)."""

from django.urls import path

from cpd.invitations import views

urlpatterns = [
    path(
        "cohorts/<int:cohort_id>/invitations/",
        views.cohort_invitations,
        name="cohort-invitations",
    ),
    path(
        "cohorts/<int:cohort_id>/invitations/<int:invitation_id>/<str:action>/",
        views.invitation_action,
        name="invitation-action",
    ),
    path(
        "cohorts/<int:cohort_id>/join-links/<int:link_id>/revoke/",
        views.join_link_revoke,
        name="join-link-revoke",
    ),
    path(
        "invite/<str:token>/password/", views.invitation_claim, name="invitation-claim"
    ),
    path("join/", views.join_code, name="join-code"),
    path("join/<str:code>/", views.join_open, name="join-open"),
]
