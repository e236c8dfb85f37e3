"""Pages of the administrator's area (included from cpd.urls)."""

from django.urls import path

from cpd.administration import views

urlpatterns = [
    path("organisations/", views.organisation_list, name="admin-organisations"),
    path(
        "organisations/<int:organisation_id>/",
        views.organisation_overview,
        name="admin-organisation",
    ),
    path(
        "organisations/<int:organisation_id>/cohorts/new/",
        views.cohort_create,
        name="admin-cohort-create",
    ),
    path("cohorts/<int:cohort_id>/edit/", views.cohort_edit, name="admin-cohort-edit"),
    path(
        "cohorts/<int:cohort_id>/archive/",
        views.cohort_archive,
        name="admin-cohort-archive",
    ),
    path(
        "cohorts/<int:cohort_id>/unarchive/",
        views.cohort_unarchive,
        name="admin-cohort-unarchive",
    ),
    path(
        "cohorts/<int:cohort_id>/members/",
        views.cohort_members,
        name="admin-cohort-members",
    ),
    path(
        "cohorts/<int:cohort_id>/members/<int:membership_id>/role/",
        views.member_role,
        name="admin-member-role",
    ),
    path(
        "cohorts/<int:cohort_id>/members/<int:membership_id>/remove/",
        views.member_remove,
        name="admin-member-remove",
    ),
    path(
        "cohorts/<int:cohort_id>/mentors/",
        views.cohort_mentors,
        name="admin-cohort-mentors",
    ),
]
