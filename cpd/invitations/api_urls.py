"""/api/ routes for invitations and join links (included from cpd.api.urls).

``GET/POST /api/cohorts/<id>/invitations/`` stays in cpd.api.urls (its view
lists through ``CohortInvitationListApi``).
"""

from django.urls import path

from cpd.invitations import api

urlpatterns = [
    path(
        "cohorts/<int:cohort_id>/invitations/<int:invitation_id>/resend/",
        api.InvitationResendApi.as_view(),
        name="api-invitation-resend",
    ),
    path(
        "cohorts/<int:cohort_id>/invitations/<int:invitation_id>/revoke/",
        api.InvitationRevokeApi.as_view(),
        name="api-invitation-revoke",
    ),
    path(
        "cohorts/<int:cohort_id>/invitations/<int:invitation_id>/expiry/",
        api.InvitationExpiryApi.as_view(),
        name="api-invitation-expiry",
    ),
    path(
        "cohorts/<int:cohort_id>/join-links/",
        api.CohortJoinLinkListApi.as_view(),
        name="api-join-links",
    ),
    path(
        "cohorts/<int:cohort_id>/join-links/<int:link_id>/revoke/",
        api.JoinLinkRevokeApi.as_view(),
        name="api-join-link-revoke",
    ),
    path("join/", api.JoinApi.as_view(), name="api-join"),
]
