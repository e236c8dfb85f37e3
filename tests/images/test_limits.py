"""Bounded cost: dimension caps before decoding, reduced decoding, decode slots."""

from __future__ import annotations

import io
import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image as PILImage
from PIL import ImageFile

from cpd import images
from cpd.images import image_check, image_process
from cpd.models import Image
from forums.services.forums import forum_for_cohort
from tests.conftest import client_as
from tests.factories import images as photos


def _upload(data: bytes, name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/png")


@pytest.fixture
def decoded_sizes(monkeypatch) -> list[tuple[int, int]]:
    """The size of every image Pillow decodes from a file, recorded after load."""
    sizes: list[tuple[int, int]] = []
    real_load = ImageFile.ImageFile.load

    def recording_load(self):
        decoding = bool(self.tile)  # later calls on a loaded image decode nothing
        result = real_load(self)
        if decoding:
            sizes.append(self.size)
        return result

    monkeypatch.setattr(ImageFile.ImageFile, "load", recording_load)
    return sizes


# --- The big-dimension PNG of the issue ---------------------------------------------


def test_a_huge_png_of_a_few_kilobytes_is_refused_before_decoding(decoded_sizes):
    # given a 6,300 x 6,300 PNG that is only about 115 KB on disk
    upload = _upload(photos.flat_png(6300, 6300))
    assert (upload.size or 0) < 200_000
    # when it is processed, then it is refused as too large, naming its size
    with pytest.raises(ValidationError, match=r"too large .*6300 x 6300 pixels") as exc:
        image_process(upload)
    assert exc.value.code == "too_large"
    # and not one pixel was decoded
    assert decoded_sizes == []


def test_a_png_within_the_decoded_cap_is_processed(decoded_sizes):
    processed = image_process(_upload(photos.flat_png(3000, 2000)))
    assert (processed.width, processed.height) == (1600, 1067)
    assert decoded_sizes == [(3000, 2000)]


def test_a_big_jpeg_is_decoded_at_a_reduced_scale(decoded_sizes):
    # given a 4,000 x 3,000 baseline JPEG (12 megapixels)
    buffer = io.BytesIO()
    PILImage.new("RGB", (4000, 3000), (90, 40, 40)).save(buffer, "JPEG")
    # when it is processed
    processed = image_process(_upload(buffer.getvalue(), "big.jpg"))
    # then libjpeg decoded it at half scale, still enough for the full rendition
    assert decoded_sizes == [(2000, 1500)]
    assert (processed.width, processed.height) == (1600, 1200)


def test_a_big_progressive_jpeg_is_refused(monkeypatch, decoded_sizes):
    """Progressive decoding holds every coefficient of the full image: lower cap."""
    monkeypatch.setattr(images, "MAX_PROGRESSIVE_SOURCE_PIXELS", 100_000)
    baseline, progressive = io.BytesIO(), io.BytesIO()
    PILImage.new("RGB", (640, 480)).save(baseline, "JPEG")
    PILImage.new("RGB", (640, 480)).save(progressive, "JPEG", progressive=True)
    image_process(_upload(baseline.getvalue(), "a.jpg"))
    with pytest.raises(ValidationError, match=r"too large .*640 x 480"):
        image_process(_upload(progressive.getvalue(), "b.jpg"))
    assert decoded_sizes == [(640, 480)]  # the baseline one only


def test_the_huge_png_is_a_field_error_on_the_api(api_client, world):
    api_client.force_authenticate(world.learner)
    response = api_client.post(
        reverse("api-image-upload"),
        {
            "file": _upload(photos.flat_png(6300, 6300)),
            "cohort": world.cohort.pk,
            "no_identifiers_confirmed": True,
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"file"}
    assert "too large" in response.json()["file"][0]
    assert not Image.objects.exists()


# --- Decompression bombs get their own message --------------------------------------


BOMBS = [
    pytest.param(photos.png_header_only(20_000, 20_000), id="past-pillows-own-limit"),
    pytest.param(photos.png_header_only(10_000, 10_000), id="past-our-source-cap"),
]


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize("bomb", BOMBS)
def test_a_decompression_bomb_is_too_large_not_unreadable(bomb):
    with pytest.raises(ValidationError) as exc:
        image_process(_upload(bomb))
    assert exc.value.code == "too_large"
    assert "too large to process" in exc.value.messages[0]
    assert "not an image" not in exc.value.messages[0]


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize("bomb", BOMBS)
def test_a_bomb_is_a_field_error_on_the_api(api_client, world, bomb):
    api_client.force_authenticate(world.learner)
    response = api_client.post(
        reverse("api-image-upload"),
        {"file": _upload(bomb), "cohort": world.cohort.pk},
        format="multipart",
    )
    assert response.status_code == 400
    assert "too large to process" in response.json()["file"][0]


def test_a_bomb_is_a_form_error_on_the_forum_page(client, world):
    forum = forum_for_cohort(world.cohort)
    response = client_as(client, world.learner).post(
        reverse("forums-thread-new", args=[forum.pk]),
        {
            "title": "Scan",
            "body": "What do you see?",
            "image": _upload(photos.png_header_only(20_000, 20_000)),
            "no_identifiers_confirmed": "on",
            "idempotency_key": "bomb",
        },
    )
    assert response.status_code == 400
    assert "too large to process" in response.content.decode()
    assert not Image.objects.exists()


def test_image_check_reads_the_header_only(decoded_sizes):
    image_check(photos.png())
    with pytest.raises(ValidationError, match="too large"):
        image_check(_upload(photos.flat_png(6300, 6300)))
    assert decoded_sizes == []


# --- The process-wide decode slots ---------------------------------------------------


@pytest.fixture
def one_slot(monkeypatch) -> threading.BoundedSemaphore:
    slots = threading.BoundedSemaphore(1)
    monkeypatch.setattr(images, "_DECODE_SLOTS", slots)
    monkeypatch.setattr(images, "DECODE_WAIT_SECONDS", 0.01)
    return slots


def test_an_upload_waiting_too_long_for_a_slot_is_told_to_retry(one_slot):
    # given every decode slot is taken
    assert one_slot.acquire(blocking=False)
    try:
        # when another upload arrives, then it is refused with "try again"
        with pytest.raises(ValidationError, match="Try again in a minute") as exc:
            image_process(photos.png())
        assert exc.value.code == "busy"
    finally:
        one_slot.release()


def test_a_failed_decode_gives_its_slot_back(one_slot):
    # given a JPEG whose header reads but whose data is cut off
    buffer = io.BytesIO()
    PILImage.effect_noise((200, 200), 60).convert("RGB").save(buffer, "JPEG")
    truncated = _upload(buffer.getvalue()[: len(buffer.getvalue()) // 2], "cut.jpg")
    image_check(truncated)  # the header is fine: the decode takes the slot
    with pytest.raises(ValidationError, match="not an image"):
        image_process(truncated)
    # then the one slot is free again for the next upload
    assert image_process(photos.png()).width == 64


def test_a_refused_header_takes_no_slot(one_slot):
    assert one_slot.acquire(blocking=False)
    try:
        with pytest.raises(ValidationError, match="too large"):
            image_process(_upload(photos.flat_png(6300, 6300)))
    finally:
        one_slot.release()
