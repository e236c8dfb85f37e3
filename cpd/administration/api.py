"""REST endpoints of the administrator's area, under the same policies as its pages.

Writes on the existing cohort resources (POST ``/api/cohorts/``, PATCH
``/api/cohorts/<id>/``) extend the people app's read views by subclassing
them; ``extend`` swaps them into ``cpd.api.urls`` (one line there), so each
path still has one view and one schema entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import Http404
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cpd import cohort_hooks, policies, selectors, services
from cpd.administration import selectors as admin_selectors
from cpd.administration import services as admin_services
from cpd.api import serializers as s
from cpd.api import views as cpd_views
from cpd.auth import acting_user
from cpd.models import Cohort, Role

# --- Shapes -------------------------------------------------------------------------


class CohortInputSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(help_text="an organisation you administer")
    name = serializers.CharField(max_length=160)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)
    phone_region = serializers.CharField(
        max_length=2,
        required=False,
        allow_blank=True,
        default="",
        help_text="ISO 3166 alpha-2, e.g. KE: the country of local phone numbers",
    )
    room_retention_days = serializers.IntegerField(
        min_value=1, max_value=3650, required=False, allow_null=True, default=None
    )
    courses = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        default=list,
        help_text="ids of the courses the cohort takes",
    )


class CohortUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=160, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    starts_on = serializers.DateField(required=False)
    ends_on = serializers.DateField(required=False, allow_null=True)
    phone_region = serializers.CharField(max_length=2, required=False, allow_blank=True)
    room_retention_days = serializers.IntegerField(
        min_value=1, max_value=3650, required=False, allow_null=True
    )
    courses = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="exactly the courses the cohort takes (omit: unchanged)",
    )


class AdminCohortOutputSerializer(s.CohortOutputSerializer):
    phone_region = serializers.CharField()
    room_retention_days = serializers.IntegerField(allow_null=True)
    archived_at = serializers.DateTimeField(allow_null=True)
    courses = serializers.SerializerMethodField()

    class Meta(s.CohortOutputSerializer.Meta):
        fields = [
            *s.CohortOutputSerializer.Meta.fields,
            "phone_region",
            "room_retention_days",
            "archived_at",
            "courses",
        ]

    def get_courses(self, cohort: Cohort) -> list[int]:
        return cohort_hooks.courses_of(cohort)


class OrganisationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    cohort_count = serializers.IntegerField()


class OverviewCohortSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(allow_null=True)
    archived_at = serializers.DateTimeField(allow_null=True)
    learner_count = serializers.IntegerField()
    mentor_count = serializers.IntegerField()
    admin_count = serializers.IntegerField()
    open_invitation_count = serializers.IntegerField()
    unpaired_count = serializers.IntegerField(
        allow_null=True, required=False, default=None
    )


class UnpairedSerializer(serializers.Serializer):
    cohort = serializers.IntegerField(source="cohort.pk")
    learner = s.UserPublicSerializer()


class OverviewSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="organisation.pk")
    name = serializers.CharField(source="organisation.name")
    cohorts = OverviewCohortSerializer(many=True)
    unpaired_count = serializers.IntegerField(
        allow_null=True, help_text="null: mentoring is not installed"
    )
    unpaired = UnpairedSerializer(
        many=True, help_text=f"the first {admin_selectors.UNPAIRED_SHOWN}"
    )


class MemberRoleInputSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


class MentorLoadSerializer(serializers.Serializer):
    mentor = s.UserPublicSerializer()
    mentees = serializers.IntegerField()
    capacity = serializers.IntegerField()
    free = serializers.IntegerField()


# --- Helpers ------------------------------------------------------------------------


def _managed_cohort(request: Request, cohort_id: int) -> Cohort:
    cohort = selectors.cohort_get_for_user(request.user, cohort_id)
    if not policies.can_manage_cohort(request.user, cohort):
        raise PermissionDenied(_("Only the cohort's administrators can do this."))
    return cohort


def _cohort_out(request: Request, cohort: Cohort) -> dict[str, Any]:
    fresh = selectors.cohort_get_for_user(request.user, cohort.pk)
    return AdminCohortOutputSerializer(fresh, context={"request": request}).data


# --- Endpoints ----------------------------------------------------------------------


class OrganisationListApi(ListAPIView):
    """The organisations you administer."""

    serializer_class = OrganisationOutputSerializer
    ordering = ("name", "pk")

    def get_queryset(self):
        return admin_selectors.organisation_list_for_admin(self.request.user)


class OrganisationOverviewApi(APIView):
    """An organisation's cohorts with counts and its learners without a mentor."""

    @extend_schema(responses=OverviewSerializer)
    def get(self, request: Request, organisation_id: int) -> Response:
        organisation = admin_selectors.organisation_get_for_admin(
            request.user, organisation_id
        )
        overview = admin_selectors.organisation_overview(organisation)
        return Response(OverviewSerializer(overview).data)


class CohortListCreateApi(cpd_views.CohortListApi):
    """Cohorts you may see; POST creates one in an organisation you administer."""

    @extend_schema(
        request=CohortInputSerializer, responses={201: AdminCohortOutputSerializer}
    )
    def post(self, request: Request) -> Response:
        data = CohortInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        try:
            organisation = admin_selectors.organisation_get_for_admin(
                request.user, fields.pop("organisation")
            )
        except Http404:
            raise serializers.ValidationError(
                {"organisation": [_("Choose an organisation you administer.")]}
            ) from None
        cohort = services.cohort_create(
            actor=acting_user(request),
            organisation=organisation,
            course_ids=fields.pop("courses"),
            **fields,
        )
        return Response(_cohort_out(request, cohort), status=status.HTTP_201_CREATED)


class CohortDetailUpdateApi(cpd_views.CohortDetailApi):
    """One cohort; PATCH changes it (its administrators; 404 for outsiders)."""

    @extend_schema(
        request=CohortUpdateSerializer, responses=AdminCohortOutputSerializer
    )
    def patch(self, request: Request, cohort_id: int) -> Response:
        cohort = _managed_cohort(request, cohort_id)
        data = CohortUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        services.cohort_update(
            actor=acting_user(request),
            cohort=cohort,
            course_ids=fields.pop("courses", None),
            **fields,
        )
        return Response(_cohort_out(request, cohort))


class CohortArchiveApi(APIView):
    """Archive a cohort: readable, closed for writing (organisation admins)."""

    @extend_schema(request=None, responses=AdminCohortOutputSerializer)
    def post(self, request: Request, cohort_id: int) -> Response:
        cohort = _managed_cohort(request, cohort_id)
        admin_services.cohort_archive(actor=acting_user(request), cohort=cohort)
        return Response(_cohort_out(request, cohort))


class CohortUnarchiveApi(APIView):
    """Open an archived cohort for writing again (organisation admins)."""

    @extend_schema(request=None, responses=AdminCohortOutputSerializer)
    def post(self, request: Request, cohort_id: int) -> Response:
        cohort = _managed_cohort(request, cohort_id)
        admin_services.cohort_unarchive(actor=acting_user(request), cohort=cohort)
        return Response(_cohort_out(request, cohort))


class MemberApi(APIView):
    """PATCH a member's role or DELETE them from the cohort (administrators)."""

    @extend_schema(
        request=MemberRoleInputSerializer, responses=s.MembershipOutputSerializer
    )
    def patch(self, request: Request, cohort_id: int, membership_id: int) -> Response:
        cohort = _managed_cohort(request, cohort_id)
        membership = admin_selectors.membership_get_for_admin(cohort, membership_id)
        data = MemberRoleInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = admin_services.membership_role_change(
            actor=acting_user(request),
            membership=membership,
            role=data.validated_data["role"],
        )
        return Response(s.MembershipOutputSerializer(membership).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, cohort_id: int, membership_id: int) -> Response:
        cohort = _managed_cohort(request, cohort_id)
        membership = admin_selectors.membership_get_for_admin(cohort, membership_id)
        admin_services.membership_remove(
            actor=acting_user(request), membership=membership
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class CohortMentorLoadApi(APIView):
    """Each mentor's mentees against capacity (pairing runs: the mentoring API)."""

    @extend_schema(responses=MentorLoadSerializer(many=True))
    def get(self, request: Request, cohort_id: int) -> Response:
        cohort = _managed_cohort(request, cohort_id)
        loads = cohort_hooks.mentor_loads(cohort)
        if loads is None:
            raise Http404("Mentoring is not installed.")
        return Response(MentorLoadSerializer(loads, many=True).data)


# Replaced in cpd.api.urls by name: the same path, with writes added.
_REPLACED = {
    "api-cohort-list": path(
        "cohorts/", CohortListCreateApi.as_view(), name="api-cohort-list"
    ),
    "api-cohort-detail": path(
        "cohorts/<int:cohort_id>/",
        CohortDetailUpdateApi.as_view(),
        name="api-cohort-detail",
    ),
}

urlpatterns = [
    path("organisations/", OrganisationListApi.as_view(), name="api-organisations"),
    path(
        "organisations/<int:organisation_id>/",
        OrganisationOverviewApi.as_view(),
        name="api-organisation",
    ),
    path(
        "cohorts/<int:cohort_id>/archive/",
        CohortArchiveApi.as_view(),
        name="api-cohort-archive",
    ),
    path(
        "cohorts/<int:cohort_id>/unarchive/",
        CohortUnarchiveApi.as_view(),
        name="api-cohort-unarchive",
    ),
    path(
        "cohorts/<int:cohort_id>/members/<int:membership_id>/",
        MemberApi.as_view(),
        name="api-cohort-member",
    ),
    path(
        "cohorts/<int:cohort_id>/mentors/",
        CohortMentorLoadApi.as_view(),
        name="api-cohort-mentors",
    ),
]


def extend(patterns: Sequence[URLPattern]) -> list[URLPattern]:
    """The people app's API patterns with the cohort writes swapped in, plus ours."""
    swapped = [_REPLACED.get(p.name or "", p) for p in patterns]
    return [*swapped, *urlpatterns]
