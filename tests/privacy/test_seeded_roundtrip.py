"""A seeded learner is exported, then erased; no table keeps their personal data."""

from __future__ import annotations

from io import StringIO

import pytest
from django.apps import apps
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import models

from cpd.models import Image, User
from cpd.privacy import services
from cpd.privacy.models import ErasureRequest, ExportStatus, PrivacyAudit
from forums.models import Post, Thread
from forums.rooms.models import Room, RoomMessage
from forums.rooms.services import message_post
from forums.services.posting import post_create
from tests.factories.images import jpeg_with_gps
from tests.privacy.conftest import export_files, export_json

# Rows that may still point at the erased account (it stays, emptied):
# certificates stay verifiable, the request is the record of the erasure.
ALLOWED_LINKS = {("courses.Certificate", "user"), ("privacy.ErasureRequest", "user")}


@pytest.fixture
def seeded(db):
    call_command("seed_demo", stdout=StringIO())
    faith = User.objects.get(email="faith@demo.cpd")
    mercy = User.objects.get(email="mercy@demo.cpd")
    admin = User.objects.get(email="admin@demo.cpd")
    return faith, mercy, admin


def _links_to(user: User) -> list[tuple[str, str, int]]:
    """Every (model, field, count) whose foreign key or m2m names ``user``."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields():
            if not field.concrete or field.related_model is not User:
                continue
            if field.many_to_many:
                continue  # its auto-created through model is checked as a model
            n = model._default_manager.filter(**{field.name: user}).count()
            if n:
                found.append((model._meta.label, field.name, n))
    return found


def _text_mentions(needles: list[str]) -> list[tuple[str, str]]:
    """Every (model, field) whose text holds one of ``needles``."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.CharField | models.TextField):
                continue
            for needle in needles:
                lookup = {f"{field.name}__icontains": needle}
                if model._default_manager.filter(**lookup).exists():
                    found.append((model._meta.label, field.name))
    return found


def test_a_seeded_learner_is_exported_then_erased_leaving_no_personal_data(
    seeded, run_commit, client
):
    # given: Faith from the demo, with a post others answered, a post nobody
    # answered, and room messages (one replied to)
    faith, mercy, admin = seeded
    thread = Thread.objects.filter(posts__author=faith).first()
    assert thread is not None
    lonely, _created = post_create(
        actor=faith,
        thread=thread,
        body="A late note nobody answered.",
        uploads=[jpeg_with_gps()],
        no_identifiers_confirmed=True,
    )
    photo = lonely.images.get()
    room = Room.objects.filter(cohort__memberships__user=faith).first()
    asked = message_post(actor=faith, room=room, body="Any ideas?", client_key="k1")
    message_post(
        actor=mercy,
        room=room,
        body="Yes, try this.",
        client_key="k2",
        reply_to_seq=asked.seq,
    )
    unanswered = message_post(actor=faith, room=room, body="Thanks", client_key="k3")
    needles = [faith.email, faith.display_name]
    if faith.phone:
        needles.append(faith.phone)

    # when: she exports
    export = run_commit(services.export_request, actor=faith)

    # then: the ZIP holds every section, her profile and her messages
    export.refresh_from_db()
    assert export.status == ExportStatus.READY
    files = export_files(export)
    for section in (
        "profile",
        "memberships",
        "courses",
        "forums",
        "rooms",
        "mentoring",
    ):
        assert f"{section}.json" in files
    assert export_json(export, "profile")["email"] == "faith@demo.cpd"
    assert export_json(export, "courses")["attempts"]
    bodies = [p["body"] for p in export_json(export, "forums")["posts"]]
    assert "A late note nobody answered." in bodies
    assert export_json(export, "mentoring")["conversations"]
    assert f"images/{photo.pk}.jpg" in files

    # when: she asks to be erased and the organisation's admin confirms
    request = services.erasure_request(actor=faith)
    run_commit(services.erasure_confirm, actor=admin, request=request)

    # then: the account is closed and emptied
    faith.refresh_from_db()
    assert not faith.is_active
    assert faith.display_name == ""
    assert not faith.has_usable_password()
    # no table names her, apart from the kept certificate and the request
    leftovers = [
        (label, name, n)
        for label, name, n in _links_to(faith)
        if (label, name) not in ALLOWED_LINKS
    ]
    assert leftovers == []
    # and no text column holds her email, phone or full name
    assert _text_mentions(needles) == []
    # posts others answered stay, anonymous; the unanswered one is gone
    assert not Post.objects.filter(pk=lonely.pk).exists()
    assert not Image.objects.filter(pk=photo.pk).exists()
    assert not default_storage.exists(photo.full.name)
    assert RoomMessage.objects.get(pk=asked.pk).author_id is None
    assert not RoomMessage.objects.filter(pk=unanswered.pk).exists()
    assert ErasureRequest.objects.get(pk=request.pk).status == "done"
    assert PrivacyAudit.objects.filter(subject_id=faith.pk, action="erasure_done")

    # and the thread she took part in still reads, with "Former member"
    client.force_login(mercy, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(f"/forums/t/{thread.pk}/")
    assert page.status_code == 200
    assert "Former member" in page.content.decode()
    assert "Faith Achieng" not in page.content.decode()
