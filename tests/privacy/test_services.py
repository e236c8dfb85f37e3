"""Privacy services: exports build once and expire; erasure runs once, whole."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.utils import timezone

from courses.models import Certificate, LessonProgress
from cpd import services as cpd_services
from cpd.models import Image, Membership, TaskOutbox
from cpd.privacy import registry, services
from cpd.privacy.models import (
    DataExport,
    ErasureRequest,
    ErasureStatus,
    ExportStatus,
    OrganisationPrivacy,
    PrivacyAudit,
)
from forums.models import HelpfulMark, Post, Thread
from forums.rooms.models import RoomMessage
from forums.rooms.services import message_post
from mentoring.models import Conversation, MentorProfile, Message
from tests.factories.courses import course_for
from tests.factories.forums import ForumFactory, PostFactory, ThreadFactory
from tests.factories.images import jpeg_with_gps
from tests.factories.mentoring import (
    CheckInFactory,
    ConversationFactory,
    MentorProfileFactory,
    MessageFactory,
)
from tests.factories.rooms import RoomFactory
from tests.privacy.conftest import export_files, export_json


def _due(request: ErasureRequest) -> None:
    ErasureRequest.objects.filter(pk=request.pk).update(
        due_at=timezone.now() - dt.timedelta(minutes=1)
    )


# --- Export --------------------------------------------------------------------------


def test_an_export_is_queued_through_the_outbox_in_the_requests_transaction(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        export = services.export_request(actor=world.learner)
    assert TaskOutbox.objects.filter(
        task="cpd.privacy.tasks.export_build", args=[export.pk]
    ).exists()
    assert export.status == ExportStatus.PENDING


def test_asking_twice_returns_the_export_being_prepared(world):
    first = services.export_request(actor=world.learner)
    assert services.export_request(actor=world.learner) == first
    assert DataExport.objects.filter(user=world.learner).count() == 1


def test_the_export_holds_each_section_and_the_persons_data(world, run_commit):
    # given: progress, a certificate, a post and a mentor conversation
    course = course_for(world.cohort, lessons=1)
    lesson = course.modules.get().lessons.get()
    now = timezone.now()
    LessonProgress.objects.create(
        user=world.learner, lesson=lesson, first_opened_at=now, last_seen_at=now
    )
    Certificate.objects.create(user=world.learner, course=course, hours=Decimal(2))
    PostFactory(author=world.learner, body="My own words")
    MessageFactory(
        conversation=ConversationFactory(
            cohort=world.cohort, mentor=world.mentor_of_cohort, learner=world.learner
        ),
        body="Hello mentor",
    )
    # when
    export = run_commit(services.export_request, actor=world.learner)
    # then
    export.refresh_from_db()
    assert export.status == ExportStatus.READY
    assert export.expires_at > timezone.now() + dt.timedelta(days=6)
    assert export_json(export, "profile")["email"] == world.learner.email
    assert export_json(export, "memberships")["memberships"][0]["role"] == "learner"
    courses = export_json(export, "courses")
    assert courses["progress"][0]["lesson"] == lesson.title
    assert courses["certificates"][0]["hours"] == "2.0"
    assert export_json(export, "forums")["posts"][0]["body"] == "My own words"
    messages = export_json(export, "mentoring")["conversations"][0]["messages"]
    assert messages[0]["body"] == "Hello mentor"
    assert "rooms.json" in export_files(export)


def test_the_export_holds_none_of_another_persons_posts(world, run_commit):
    PostFactory(author=world.other_learner, body="Not yours")
    export = run_commit(services.export_request, actor=world.learner)
    assert export_json(export, "forums")["posts"] == []


def test_the_person_is_emailed_the_link_once(world, run_commit):
    # when
    export = run_commit(services.export_request, actor=world.learner)
    export.refresh_from_db()
    # then
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [world.learner.email]
    assert f"/privacy/export/{export.token}/" in mail.outbox[0].body
    # a second run of the task builds and sends nothing
    assert services.export_build(export_id=export.pk) is False
    assert services.export_notify(export=export) is False
    assert len(mail.outbox) == 1


def test_an_expired_exports_file_is_deleted_by_the_sweep(world, run_commit):
    # given
    export = run_commit(services.export_request, actor=world.learner)
    export.refresh_from_db()
    name = export.file.name
    assert default_storage.exists(name)
    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now())
    # when
    result = services.privacy_sweep()
    # then
    export.refresh_from_db()
    assert result["exports_expired"] == 1
    assert export.status == ExportStatus.EXPIRED
    assert not default_storage.exists(name)


# --- Erasure: when -------------------------------------------------------------------


def test_a_request_waits_for_the_grace_period(world):
    # given
    request = services.erasure_request(actor=world.learner)
    # when: the sweep runs before it is due
    services.privacy_sweep()
    # then
    world.learner.refresh_from_db()
    assert world.learner.is_active
    assert request.due_at > timezone.now() + dt.timedelta(days=13)
    assert services.erasure_request(actor=world.learner) == request


def test_the_sweep_erases_once_the_grace_period_has_passed(world):
    # given
    request = services.erasure_request(actor=world.learner)
    _due(request)
    # when
    assert services.privacy_sweep()["erased"] == 1
    # then
    world.learner.refresh_from_db()
    assert not world.learner.is_active
    audit = PrivacyAudit.objects.get(action="erasure_done")
    assert audit.actor_id is None
    assert audit.detail["reason"] == "grace period"
    assert services.privacy_sweep()["erased"] == 0


def test_an_admins_confirmation_erases_through_the_outbox(world, run_commit):
    # given
    request = services.erasure_request(actor=world.learner)
    # when
    run_commit(services.erasure_confirm, actor=world.org_admin, request=request)
    # then
    request.refresh_from_db()
    assert request.status == ErasureStatus.DONE
    assert TaskOutbox.objects.filter(task="cpd.privacy.tasks.erasure_perform")
    actions = list(
        PrivacyAudit.objects.filter(subject_id=world.learner.pk)
        .order_by("pk")
        .values_list("action", "actor_id")
    )
    assert actions == [
        ("erasure_requested", world.learner.pk),
        ("erasure_confirmed", world.org_admin.pk),
        ("erasure_done", world.org_admin.pk),
    ]
    assert services.erasure_perform(request_id=request.pk) is False


def test_an_admin_of_another_organisation_cannot_confirm(world):
    request = services.erasure_request(actor=world.learner)
    with pytest.raises(PermissionDenied, match="administrator"):
        services.erasure_confirm(actor=world.other_org_admin, request=request)


def test_a_cancelled_request_is_never_carried_out(world):
    # given
    request = services.erasure_request(actor=world.learner)
    services.erasure_cancel(actor=world.learner, request=request)
    _due(request)
    # when
    services.privacy_sweep()
    # then
    world.learner.refresh_from_db()
    assert world.learner.is_active
    with pytest.raises(PermissionDenied):
        services.erasure_confirm(actor=world.org_admin, request=request)


def test_a_failing_eraser_leaves_the_person_as_they_were(world, monkeypatch):
    # given
    def broken(user, context):
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(registry._erasers, "broken", broken)
    request = services.erasure_request(actor=world.learner)
    _due(request)
    # when
    with pytest.raises(RuntimeError):
        services.erasure_perform(request_id=request.pk)
    # then
    world.learner.refresh_from_db()
    assert world.learner.is_active
    assert Membership.objects.filter(user=world.learner).exists()
    request.refresh_from_db()
    assert request.status == ErasureStatus.PENDING


# --- Erasure: what -------------------------------------------------------------------


def _erase(user):
    request = services.erasure_request(actor=user)
    _due(request)
    assert services.erasure_perform(request_id=request.pk)
    user.refresh_from_db()


def test_the_account_is_closed_and_its_personal_fields_emptied(world):
    # given
    learner = world.learner
    learner.phone = "+254711000111"
    learner.facility = "Ward 4"
    learner.demographics_consent = True
    learner.gender = "female"
    learner.save()
    # when
    _erase(learner)
    # then
    assert not learner.is_active
    assert learner.email.endswith("@erased.invalid")
    assert learner.phone is None
    assert (learner.display_name, learner.facility, learner.district) == ("", "", "")
    assert (learner.gender, learner.cadre) == ("", "")
    assert not learner.has_usable_password()
    assert not Membership.objects.filter(user=learner).exists()


def test_posts_others_replied_to_stay_anonymous_and_the_rest_are_deleted(world):
    # given: a thread the learner opened and the mentor answered, and one
    # nobody answered
    forum = ForumFactory(cohort=world.cohort)
    answered = ThreadFactory(forum=forum, author=world.learner)
    opening = PostFactory(thread=answered, author=world.learner)
    PostFactory(thread=answered, author=world.mentor_of_cohort)
    late = PostFactory(thread=answered, author=world.learner)
    lonely = ThreadFactory(forum=forum, author=world.learner)
    PostFactory(thread=lonely, author=world.learner)
    HelpfulMark.objects.create(post=opening, user=world.learner)
    # when
    _erase(world.learner)
    # then
    opening.refresh_from_db()
    assert opening.author_id is None
    assert not Post.objects.filter(pk=late.pk).exists()
    answered.refresh_from_db()
    assert answered.author_id is None
    assert answered.reply_count == 1
    assert not Thread.objects.filter(pk=lonely.pk).exists()
    assert not HelpfulMark.objects.filter(user=world.learner).exists()


def test_room_messages_someone_replied_to_stay_anonymous(world):
    # given
    room = RoomFactory(cohort=world.cohort)
    asked = message_post(actor=world.learner, room=room, body="Q", client_key="a")
    message_post(
        actor=world.mentor_of_cohort,
        room=room,
        body="A",
        client_key="b",
        reply_to_seq=asked.seq,
    )
    alone = message_post(actor=world.learner, room=room, body="ok", client_key="c")
    # when
    _erase(world.learner)
    # then
    assert RoomMessage.objects.get(pk=asked.pk).author_id is None
    assert not RoomMessage.objects.filter(pk=alone.pk).exists()


def test_a_learners_one_to_one_conversation_goes_with_its_checkins(world):
    # given
    conversation = ConversationFactory(
        cohort=world.cohort, mentor=world.mentor_of_cohort, learner=world.learner
    )
    MessageFactory(conversation=conversation, author=world.mentor_of_cohort)
    CheckInFactory(conversation=conversation, notes="Struggles with partographs")
    # when
    _erase(world.learner)
    # then
    assert not Conversation.objects.filter(pk=conversation.pk).exists()


def test_an_erased_mentor_keeps_answered_messages_anonymous_and_loses_the_profile(
    world,
):
    # given
    conversation = ConversationFactory(
        cohort=world.cohort, mentor=world.mentor_of_cohort, learner=world.learner
    )
    answered = MessageFactory(conversation=conversation, author=world.mentor_of_cohort)
    MessageFactory(conversation=conversation, author=world.learner)
    last = MessageFactory(conversation=conversation, author=world.mentor_of_cohort)
    MentorProfileFactory(user=world.mentor_of_cohort)
    # when
    _erase(world.mentor_of_cohort)
    # then
    assert Message.objects.get(pk=answered.pk).author_id is None
    assert not Message.objects.filter(pk=last.pk).exists()
    assert not MentorProfile.objects.filter(user=world.mentor_of_cohort).exists()


def _certificate(world):
    course = course_for(world.cohort, lessons=1)
    return Certificate.objects.create(
        user=world.learner, course=course, hours=Decimal(3)
    )


def test_a_certificate_stays_verifiable_without_the_name(world, client):
    # given
    certificate = _certificate(world)
    # when
    _erase(world.learner)
    # then
    certificate.refresh_from_db()
    assert certificate.is_valid
    page = client.get(f"/courses/verify/{certificate.code}/")
    assert page.status_code == 200
    assert "Learner A" not in page.content.decode()
    assert "Name removed" in page.content.decode()


def test_an_organisation_may_choose_to_revoke_certificates(world):
    # given
    services.organisation_privacy_set(
        actor=world.org_admin,
        organisation=world.cohort.organisation,
        certificates_on_erasure="revoke",
    )
    certificate = _certificate(world)
    # when
    _erase(world.learner)
    # then
    certificate.refresh_from_db()
    assert not certificate.is_valid
    assert OrganisationPrivacy.objects.get().certificates_on_erasure == "revoke"


def test_only_the_organisations_admin_sets_the_certificate_choice(world):
    with pytest.raises(PermissionDenied):
        services.organisation_privacy_set(
            actor=world.other_org_admin,
            organisation=world.cohort.organisation,
            certificates_on_erasure="revoke",
        )


def test_images_and_exports_go_with_the_account_files_after_commit(world, run_commit):
    # given
    image = cpd_services.image_upload(
        actor=world.learner,
        cohort=world.cohort,
        file=jpeg_with_gps(),
        no_identifiers_confirmed=True,
    )
    export = run_commit(services.export_request, actor=world.learner)
    export.refresh_from_db()
    files = [image.full.name, image.small.name, export.file.name]
    assert all(default_storage.exists(name) for name in files)
    # when
    run_commit(_erase, world.learner)
    # then
    assert not DataExport.objects.filter(pk=export.pk).exists()
    assert not Image.objects.filter(pk=image.pk).exists()
    assert not any(default_storage.exists(name) for name in files)


def test_a_broken_section_marks_the_export_failed_and_a_new_one_may_be_asked(
    world, run_commit, monkeypatch
):
    # given
    def broken(user):
        raise RuntimeError("section broke")

    monkeypatch.setitem(registry._exporters, "broken", broken)
    # when
    export = run_commit(services.export_request, actor=world.learner)
    # then
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED
    monkeypatch.delitem(registry._exporters, "broken")
    again = run_commit(services.export_request, actor=world.learner)
    assert again.pk != export.pk


def test_a_task_for_a_request_neither_confirmed_nor_due_does_nothing(world):
    # given: a request within its grace period, nobody confirmed it
    request = services.erasure_request(actor=world.learner)
    # when: a stray run of the task
    assert services.erasure_perform(request_id=request.pk) is False
    # then
    world.learner.refresh_from_db()
    assert world.learner.is_active


def test_an_unknown_certificate_choice_is_refused(world):
    with pytest.raises(ValidationError, match="keep or revoke"):
        services.organisation_privacy_set(
            actor=world.org_admin,
            organisation=world.cohort.organisation,
            certificates_on_erasure="burn",
        )
