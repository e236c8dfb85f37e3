"""REST endpoints for mentor profiles, pairings, conversations and check-ins.

One module past ~400 lines on purpose: one small class per operation (HackSoft
style), so the length is the count of endpoints, not logic; they share the
cohort-scoping helpers at the top.
"""

from __future__ import annotations

from django.db.models import DateTimeField
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cpd import selectors as cpd_selectors
from cpd.auth import acting_user
from cpd.models import Role
from mentoring import policies, selectors
from mentoring.api import serializers as s
from mentoring.models import PairingRun, PairingRunStatus
from mentoring.selectors import pairings as pairing_selectors
from mentoring.services import (
    checkins,
    conversations,
    pairing,
    pairing_runs,
    profiles,
)


class MentorProfileListApi(ListAPIView):
    """Mentor profiles of the user's cohorts."""

    serializer_class = s.MentorProfileOutputSerializer
    ordering = ("user__display_name", "pk")

    def get_queryset(self):
        return selectors.mentor_profile_list_for_user(self.request.user)


class MentorProfileMeApi(APIView):
    """The signed-in mentor's own profile; PUT creates or replaces it."""

    @extend_schema(responses=s.MentorProfileOutputSerializer)
    def get(self, request: Request) -> Response:
        profile = selectors.mentor_profile_of(acting_user(request))
        if profile is None:
            return Response(
                {"detail": _("No mentor profile yet.")},
                status=status.HTTP_404_NOT_FOUND,
            )
        return Response(s.MentorProfileOutputSerializer(profile).data)

    @extend_schema(
        request=s.MentorProfileInputSerializer,
        responses=s.MentorProfileOutputSerializer,
    )
    def put(self, request: Request) -> Response:
        user = acting_user(request)
        if not policies.can_have_mentor_profile(user):
            raise PermissionDenied(_("Only mentors have a mentor profile."))
        data = s.MentorProfileInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        profile = profiles.mentor_profile_save(
            actor=user,
            user=user,
            specialties=v.get("specialties", []),
            languages=v["languages"],
            districts=v.get("districts", []),
            capacity=v["capacity"],
            availability=v.get("availability", ""),
        )
        profile = selectors.mentor_profile_of(user) or profile
        return Response(s.MentorProfileOutputSerializer(profile).data)


class PairingListApi(ListAPIView):
    """Active pairings of a cohort: all for its admins, one's own for others."""

    serializer_class = s.PairingOutputSerializer
    ordering = ("mentor__display_name", "mentor_id", "learner__display_name", "pk")

    def get_queryset(self):
        cohort = cpd_selectors.cohort_get_for_user(
            self.request.user, self.kwargs["cohort_id"]
        )
        return selectors.pairing_list_for_user(self.request.user, cohort)


def _manageable_cohort(request: Request, cohort_id: int):
    cohort = cpd_selectors.cohort_get_for_user(request.user, cohort_id)
    if not policies.can_pair_in_cohort(request.user, cohort):
        raise PermissionDenied(_("Only the cohort's administrators can pair."))
    return cohort


class PairingRunOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    cohort = serializers.IntegerField(source="cohort_id")
    mode = serializers.CharField()
    status = serializers.CharField()
    progress = serializers.IntegerField()
    error = serializers.CharField()
    url = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    confirmed_at = serializers.DateTimeField(allow_null=True)
    result = serializers.SerializerMethodField()

    def get_url(self, run: PairingRun) -> str:
        request = self.context.get("request")
        path = reverse("api-pairing-run", args=[run.pk])
        return request.build_absolute_uri(path) if request else path

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "description": "The proposal once status is done: pairs (learner, "
            "mentor, fit), unpaired, kept, method (optimal or greedy), created.",
        }
    )
    def get_result(self, run: PairingRun) -> dict | None:
        if not run.result:
            return None
        out = {k: v for k, v in run.result.items() if k not in {"pairs", "final"}}
        out["pairs"] = [
            {"learner": lid, "mentor": mid, "fit": fit}
            for lid, mid, fit in run.result.get("pairs", [])
        ]
        return out


def _run_response(request: Request, run: PairingRun, code: int) -> Response:
    data = dict(PairingRunOutputSerializer(run, context={"request": request}).data)
    if run.status == PairingRunStatus.DONE and data["result"]:
        # The synchronous preview's fields, kept for existing clients.
        data.update(
            {
                "kept": data["result"]["kept"],
                "pairs": data["result"]["pairs"],
                "unpaired": data["result"]["unpaired"],
            }
        )
    return Response(data, status=code)


class PairingPreviewApi(APIView):
    """Administrators start a pairing run; 202 with its id and URL (nothing saved).

    In eager mode the run is already done and the response also carries the
    proposal (``pairs``, ``unpaired``, ``kept``) as the synchronous preview did.
    """

    @extend_schema(
        request=s.PairingPreviewInputSerializer,
        responses={202: PairingRunOutputSerializer},
    )
    def post(self, request: Request, cohort_id: int) -> Response:
        cohort = _manageable_cohort(request, cohort_id)
        data = s.PairingPreviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        run = pairing_runs.pairing_run_start(
            actor=acting_user(request), cohort=cohort, mode=data.validated_data["mode"]
        )
        run = pairing_selectors.pairing_run_get_for_user(request.user, run.pk)
        return _run_response(request, run, status.HTTP_202_ACCEPTED)


class PairingRunApi(APIView):
    """A pairing run's status, progress and proposal (the cohort's admins only)."""

    @extend_schema(responses=PairingRunOutputSerializer)
    def get(self, request: Request, run_id: int) -> Response:
        run = pairing_selectors.pairing_run_get_for_user(request.user, run_id)
        return _run_response(request, run, status.HTTP_200_OK)


class PairingRunConfirmApi(APIView):
    """Confirm a done run (optionally with changed pairs); 202, saved by a task.

    Confirming the same run again changes nothing; a run whose cohort changed
    since (members, pairs, profiles) is refused with 400.
    """

    class InputSerializer(serializers.Serializer):
        pairs = s.PairOutputSerializer(many=True, required=False)
        reason = serializers.CharField(max_length=150, required=False, allow_blank=True)

    @extend_schema(request=InputSerializer, responses={202: PairingRunOutputSerializer})
    def post(self, request: Request, run_id: int) -> Response:
        run = pairing_selectors.pairing_run_get_for_user(request.user, run_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        run = pairing_runs.pairing_run_confirm(
            actor=acting_user(request),
            run=run,
            assignments={p["learner"]: p["mentor"] for p in v.get("pairs", [])},
            reason=v.get("reason", ""),
        )
        run = pairing_selectors.pairing_run_get_for_user(request.user, run.pk)
        return _run_response(request, run, status.HTTP_202_ACCEPTED)


class PairingConfirmApi(APIView):
    """Administrators save the (possibly changed) pairing; each pair is logged."""

    @extend_schema(
        request=s.PairingConfirmInputSerializer,
        responses={201: s.PairingOutputSerializer(many=True)},
    )
    def post(self, request: Request, cohort_id: int) -> Response:
        cohort = _manageable_cohort(request, cohort_id)
        data = s.PairingConfirmInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        created = pairing.pairing_confirm(
            actor=acting_user(request),
            cohort=cohort,
            mode=v["mode"],
            assignments={p["learner"]: p["mentor"] for p in v["pairs"]},
            reason=v.get("reason", ""),
        )
        return Response(
            s.PairingOutputSerializer(created, many=True).data,
            status=status.HTTP_201_CREATED,
        )


class PairingReassignApi(APIView):
    """Administrators move a learner to another mentor, or unpair them."""

    @extend_schema(
        request=s.PairingReassignInputSerializer,
        responses=s.PairingOutputSerializer(allow_null=True),
    )
    def post(self, request: Request, cohort_id: int) -> Response:
        cohort = _manageable_cohort(request, cohort_id)
        data = s.PairingReassignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        people = {
            m.user_id: m
            for m in cpd_selectors.cohort_members(cohort).filter(
                user_id__in=[v["learner"], v["mentor"]]
            )
        }
        learner = people.get(v["learner"])
        if learner is None or learner.role != Role.LEARNER:
            raise ApiValidationError(
                {"learner": [_("Choose a learner of this cohort.")]}
            )
        mentor = people.get(v["mentor"]) if v["mentor"] is not None else None
        if v["mentor"] is not None and (mentor is None or mentor.role != Role.MENTOR):
            raise ApiValidationError({"mentor": [_("Choose a mentor of this cohort.")]})
        result = pairing.pairing_reassign(
            actor=acting_user(request),
            cohort=cohort,
            learner=learner.user,
            mentor=mentor.user if mentor else None,
            reason=v["reason"],
        )
        return Response(s.PairingOutputSerializer(result).data if result else None)


class MentorLoadApi(APIView):
    """Administrators: each mentor's load and reply figures, and unpaired learners."""

    @extend_schema(responses=s.MentorLoadReportOutputSerializer)
    def get(self, request: Request, cohort_id: int) -> Response:
        cohort = cpd_selectors.cohort_get_for_user(request.user, cohort_id)
        if not policies.can_view_mentor_load(request.user, cohort):
            raise PermissionDenied(_("Only administrators see mentor load."))
        summaries = list(selectors.conversation_summaries(cohort))
        out = {
            "mentors": selectors.mentor_loads(cohort),
            "unpaired": list(selectors.unpaired_learners(cohort)),
            "conversations": len(summaries),
            "messages": sum(c.message_count for c in summaries),  # type: ignore[attr-defined]
        }
        return Response(s.MentorLoadReportOutputSerializer(out).data)


class MentorDashboardApi(APIView):
    """A mentor's mentees in a cohort, those needing attention first."""

    @extend_schema(responses=s.MenteeOutputSerializer(many=True))
    def get(self, request: Request, cohort_id: int) -> Response:
        user = acting_user(request)
        cohort = cpd_selectors.cohort_get_for_user(user, cohort_id)
        if not policies.can_view_dashboard(user, cohort):
            raise PermissionDenied(_("Only the cohort's mentors have a dashboard."))
        rows = selectors.mentor_dashboard(user, cohort)
        return Response(s.MenteeOutputSerializer(rows, many=True).data)


class ConversationListApi(ListAPIView):
    """The user's own conversations with unread counts."""

    serializer_class = s.ConversationOutputSerializer
    # Latest activity first; keyset pages need a never-null key and the pk.
    ordering = ("-activity_at", "-pk")

    def get_queryset(self):
        return selectors.conversation_list_for_user(self.request.user).annotate(
            activity_at=Coalesce("last_at", "created_at", output_field=DateTimeField())
        )


class MessageListApi(APIView):
    """Messages of a conversation (``?after=<id>`` to catch up); POST sends one.

    POST takes JSON, or multipart with an optional ``image`` and the
    ``no_identifiers_confirmed`` flag a photo needs.
    """

    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        parameters=[OpenApiParameter("after", int, required=False)],
        responses=s.MessageOutputSerializer(many=True),
    )
    def get(self, request: Request, conversation_id: int) -> Response:
        user = acting_user(request)
        conversation = selectors.conversation_get_for_user(user, conversation_id)
        raw = request.query_params.get("after", "0")
        if not raw.isdigit():
            raise ApiValidationError({"after": [_("Give a message id.")]})
        items = selectors.conversation_messages(conversation, after_id=int(raw))
        conversations.conversation_mark_read(actor=user, conversation=conversation)
        return Response(s.MessageOutputSerializer(items, many=True).data)

    @extend_schema(
        request=s.MessageInputSerializer, responses={201: s.MessageOutputSerializer}
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        user = acting_user(request)
        conversation = selectors.conversation_get_for_user(user, conversation_id)
        data = s.MessageInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        message = conversations.message_send(
            actor=user,
            conversation=conversation,
            body=v["body"],
            photo=v.get("image"),
            no_identifiers_confirmed=v["no_identifiers_confirmed"],
        )
        return Response(
            s.MessageOutputSerializer(message).data, status=status.HTTP_201_CREATED
        )


class MessageReportApi(APIView):
    """A participant reports a message to the cohort's administrators."""

    @extend_schema(request=s.ReportInputSerializer, responses={204: None})
    def post(self, request: Request, message_id: int) -> Response:
        user = acting_user(request)
        message = selectors.message_get_for_user(user, message_id)
        data = s.ReportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        conversations.message_report(
            actor=user, message=message, reason=data.validated_data["reason"]
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


def _checkin_serializer(user, conversation):
    if policies.can_schedule_checkin(user, conversation):
        return s.CheckInOutputSerializer
    return s.CheckInLearnerOutputSerializer


class CheckInListApi(APIView):
    """Check-ins of a conversation; its mentor schedules new ones."""

    @extend_schema(responses=s.CheckInOutputSerializer(many=True))
    def get(self, request: Request, conversation_id: int) -> Response:
        user = acting_user(request)
        conversation = selectors.conversation_get_for_user(user, conversation_id)
        serializer = _checkin_serializer(user, conversation)
        items = selectors.conversation_checkins(conversation)
        return Response(serializer(items, many=True).data)

    @extend_schema(
        request=s.CheckInInputSerializer, responses={201: s.CheckInOutputSerializer}
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        user = acting_user(request)
        conversation = selectors.conversation_get_for_user(user, conversation_id)
        data = s.CheckInInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        checkin = checkins.checkin_schedule(
            actor=user, conversation=conversation, **data.validated_data
        )
        return Response(
            s.CheckInOutputSerializer(checkin).data, status=status.HTTP_201_CREATED
        )


class CheckInDetailApi(APIView):
    """One check-in; PATCH by its mentor records notes, actions and completion."""

    @extend_schema(responses=s.CheckInOutputSerializer)
    def get(self, request: Request, checkin_id: int) -> Response:
        user = acting_user(request)
        checkin = selectors.checkin_get_for_user(user, checkin_id)
        serializer = _checkin_serializer(user, checkin.conversation)
        return Response(serializer(checkin).data)

    @extend_schema(
        request=s.CheckInRecordInputSerializer, responses=s.CheckInOutputSerializer
    )
    def patch(self, request: Request, checkin_id: int) -> Response:
        user = acting_user(request)
        checkin = selectors.checkin_get_for_user(user, checkin_id)
        data = s.CheckInRecordInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        checkin = checkins.checkin_record(
            actor=user,
            checkin=checkin,
            notes=v.get("notes", checkin.notes),
            agreed_actions=v.get("agreed_actions", checkin.agreed_actions),
            done=v.get("done", checkin.done_at is not None),
        )
        return Response(s.CheckInOutputSerializer(checkin).data)
