"""Served renditions hold pixels only, whichever path uploaded the photo.

Each crafted photo carries EXIF (camera, serial, time, GPS, orientation, an
embedded thumbnail), XMP, IPTC, an ICC profile, a JPEG comment or PNG text
chunks. It goes up through every upload path; the bytes the image view serves
are then read back with exiftool, which must find nothing beyond the basic
file and image facts.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image as PILImage

from courses.models import Lesson
from cpd.images import _assert_pixels_only_jpeg, image_process
from cpd.models import Image, User
from forums.services import posting
from forums.services.forums import forum_for_cohort
from mentoring.models import Conversation, PairingMode
from mentoring.services import pairing
from tests.conftest import client_as
from tests.factories import images as photos
from tests.factories.courses import course_for
from tests.factories.rooms import RoomFactory
from tests.images.conftest import metadata_beyond_basic, needs_exiftool

PHOTOS: dict[str, Callable[[], SimpleUploadedFile]] = {
    "jpeg-exif-gps-thumbnail-xmp-iptc-icc-comment": photos.jpeg_with_all_metadata,
    "jpeg-exif-gps-thumbnail-xmp-iptc-comment": functools.partial(
        photos.jpeg_with_all_metadata, icc=False
    ),
    "png-text-ztxt-itxt-xmp-exif-icc": photos.png_with_all_metadata,
    "webp-exif-xmp-icc": photos.webp_with_all_metadata,
    "gif-comment": photos.gif_with_comment,
}


# --- The upload paths: each uploads one file and returns (uploader, image) ----------


def _latest() -> Image:
    return Image.objects.latest("id")


def via_forum_thread(client, api_client, world, upload) -> tuple[User, Image]:
    forum = forum_for_cohort(world.cohort)
    response = client_as(client, world.learner).post(
        reverse("forums-thread-new", args=[forum.pk]),
        {
            "title": "Wound on day 3",
            "body": "How would you dress this?",
            "image": upload,
            "no_identifiers_confirmed": "on",
            "idempotency_key": "meta-thread",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return world.learner, _latest()


def via_forum_reply(client, api_client, world, upload) -> tuple[User, Image]:
    thread, _ = posting.thread_create(
        actor=world.mentor_of_cohort,
        forum=forum_for_cohort(world.cohort),
        title="Rash after treatment",
        body="Photos welcome.",
        no_identifiers_confirmed=True,
        idempotency_key="meta-t",
    )
    response = client_as(client, world.learner).post(
        reverse("forums-reply", args=[thread.pk]),
        {
            "body": "Here is mine.",
            "image": upload,
            "no_identifiers_confirmed": "on",
            "idempotency_key": "meta-reply",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return world.learner, _latest()


def via_room_message(client, api_client, world, upload) -> tuple[User, Image]:
    room = RoomFactory(cohort=world.cohort, title="Seizure at 34 weeks")
    response = client_as(client, world.learner).post(
        reverse("rooms-post", args=[room.pk]),
        {
            "body": "See the wound",
            "client_key": "meta-room",
            "image": upload,
            "no_identifiers_confirmed": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return world.learner, _latest()


def _conversation(world) -> Conversation:
    pairing.pairing_confirm(
        actor=world.org_admin,
        cohort=world.cohort,
        mode=PairingMode.ONE_TO_ONE,
        assignments={world.learner.pk: world.mentor_of_cohort.pk},
    )
    return Conversation.objects.get(cohort=world.cohort)


def via_mentoring_message(client, api_client, world, upload) -> tuple[User, Image]:
    conversation = _conversation(world)
    response = client_as(client, world.learner).post(
        reverse("mentoring-conversation", args=[conversation.pk]),
        {"body": "Is this measles?", "image": upload, "no_identifiers_confirmed": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return world.learner, _latest()


def via_mentoring_api(client, api_client, world, upload) -> tuple[User, Image]:
    conversation = _conversation(world)
    api_client.force_authenticate(world.learner)
    response = api_client.post(
        reverse("api-conversation-messages", args=[conversation.pk]),
        {"body": "Is this measles?", "image": upload, "no_identifiers_confirmed": True},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    return world.learner, _latest()


def via_lesson_editor(client, api_client, world, upload) -> tuple[User, Image]:
    author = User.objects.create_superuser(email="author@example.org", password="x")
    lesson = Lesson.objects.filter(module__course=course_for(world.cohort)).first()
    assert lesson is not None
    response = client_as(client, author).post(
        reverse("admin:courses_lesson_change", args=[lesson.pk]),
        {
            "module": lesson.module_id,
            "title": lesson.title,
            "order": lesson.order,
            "estimated_minutes": lesson.estimated_minutes,
            "body": lesson.body,
            "media_url": "",
            "add_image": upload,
            "image_alt": "Fundal massage",
            "no_identifiers_confirmed": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return author, _latest()


def via_images_api(client, api_client, world, upload) -> tuple[User, Image]:
    api_client.force_authenticate(world.learner)
    response = api_client.post(
        reverse("api-image-upload"),
        {"file": upload, "cohort": world.cohort.pk, "no_identifiers_confirmed": True},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    return world.learner, Image.objects.get(pk=response.json()["id"])


PATHS = {
    "forum-thread": via_forum_thread,
    "forum-reply": via_forum_reply,
    "room-message": via_room_message,
    "mentoring-message": via_mentoring_message,
    "mentoring-api": via_mentoring_api,
    "lesson-editor": via_lesson_editor,
    "images-api": via_images_api,
}


def served(client, user: User, image: Image, size: str) -> bytes:
    """The bytes the image view sends for one rendition, as the uploader sees them."""
    response = client_as(client, user).get(reverse("image-file", args=[image.pk, size]))
    assert response.status_code == 200
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@needs_exiftool
@pytest.mark.parametrize("photo", PHOTOS)
@pytest.mark.parametrize("path", PATHS)
def test_served_renditions_hold_no_metadata(
    client, api_client, world, tmp_path, path, photo
):
    # given a photo carrying every kind of metadata its format can hold
    upload = PHOTOS[photo]()
    # when it is uploaded through this path
    uploader, image = PATHS[path](client, api_client, world, upload)
    # then both served renditions are pixels only, as exiftool reads them
    files = []
    for size in ("full", "small"):
        data = served(client, uploader, image, size)
        assert photos.SECRET.encode() not in data
        assert b"Exif\x00\x00" not in data
        file = Path(tmp_path, f"{size}.jpg")
        file.write_bytes(data)
        files.append(file)
    assert metadata_beyond_basic(files) == [{}, {}]


def test_the_stored_files_are_the_served_bytes(client, world):
    """What storage holds is what the view sends: no metadata added on the way."""
    uploader, image = via_images_api(client, _api_client(), world, photos.png())
    with image.full.open("rb") as stored:
        assert stored.read() == served(client, uploader, image, "full")


def _api_client():
    from rest_framework.test import APIClient

    return APIClient()


# --- Orientation is applied to the pixels, not stored -------------------------------


@pytest.mark.parametrize(
    "photo",
    [
        photos.jpeg_with_all_metadata,
        photos.png_with_all_metadata,
        photos.webp_with_all_metadata,
    ],
)
def test_orientation_is_applied_to_the_pixels(photo):
    # given a landscape photo, red left and blue right, taken with the camera turned
    # when it is processed
    processed = image_process(photo())
    # then it is portrait, red on top (turned 90 degrees clockwise), with no EXIF
    with PILImage.open(io.BytesIO(processed.full.read())) as full:
        assert full.size == (480, 640)
        red, _g, blue = full.convert("RGB").getpixel((240, 100))
        assert red > 150 > blue
        red, _g, blue = full.convert("RGB").getpixel((240, 540))
        assert blue > 150 > red
        assert not full.getexif()
        assert set(full.info) <= {
            "jfif",
            "jfif_version",
            "jfif_unit",
            "jfif_density",
            "progressive",
            "progression",
        }


def test_a_jpeg_comment_never_reaches_a_rendition():
    """Pillow writes ``info["comment"]`` back into JPEGs; the renditions drop it."""
    processed = image_process(photos.jpeg_with_all_metadata(icc=False))
    for rendition in (processed.full, processed.small):
        data = rendition.read()
        assert b"\xff\xfe" not in data.split(b"\xff\xda", 1)[0]  # no COM segment
        assert photos.SECRET.encode() not in data


@pytest.mark.parametrize(
    ("options", "marker"),
    [
        ({"comment": "a comment"}, "0xfe"),
        ({"exif": photos.exif_with_gps_orientation_and_thumbnail()}, "0xe1"),
        ({"xmp": photos.XMP}, "0xe1"),
        ({"extra": photos._iptc_app13()}, "0xed"),
    ],
)
def test_the_final_check_refuses_a_jpeg_with_a_metadata_segment(options, marker):
    buffer = io.BytesIO()
    PILImage.new("RGB", (8, 8)).save(buffer, "JPEG", **options)
    with pytest.raises(RuntimeError, match=f"metadata marker {marker}"):
        _assert_pixels_only_jpeg(buffer.getvalue())


def test_the_final_check_passes_a_pixels_only_jpeg():
    buffer = io.BytesIO()
    PILImage.new("RGB", (8, 8)).save(buffer, "JPEG", progressive=True, optimize=True)
    _assert_pixels_only_jpeg(buffer.getvalue())
