"""Pictures added to a lesson in the editor: resized, small linking to full."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image as PILImage

from courses.models import Lesson
from cpd.models import Image, User
from tests.conftest import ROLES, client_as
from tests.factories.courses import course_for


def jpeg(size=(2400, 1200)):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, "red").save(buffer, "JPEG")
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), "image/jpeg")


@pytest.fixture
def staff(client, db):
    user = User.objects.create_superuser(email="author@example.org", password="x")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def post_lesson(client, lesson, **extra):
    data = {
        "module": lesson.module_id,
        "title": lesson.title,
        "order": lesson.order,
        "estimated_minutes": lesson.estimated_minutes,
        "body": lesson.body,
        "media_url": "",
        **extra,
    }
    return client.post(reverse("admin:courses_lesson_change", args=[lesson.pk]), data)


@pytest.fixture
def lesson(world):
    return Lesson.objects.filter(module__course=course_for(world.cohort)).first()


def test_picture_is_resized_and_appended(staff, lesson):
    response = post_lesson(
        staff,
        lesson,
        add_image=jpeg(),
        image_alt="Fundal massage [hands]",
        no_identifiers_confirmed="on",
    )
    assert response.status_code == 302
    image = Image.objects.get()
    assert image.cohort is None
    assert max(image.width, image.height) <= 1600
    lesson.refresh_from_db()
    small = reverse("image-file", args=[image.pk, "small"])
    assert f"[![Fundal massage (hands)]({small})]" in lesson.body
    assert re.search(r'<img [^>]*loading="lazy"', lesson.body_html)


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"image_alt": "x"}, "no_identifiers_confirmed", "no patient name"),
        ({"no_identifiers_confirmed": "on"}, "image_alt", "what the picture shows"),
    ],
)
def test_picture_needs_a_description_and_confirmation(
    staff, lesson, extra, field, message
):
    body = lesson.body
    response = post_lesson(staff, lesson, add_image=jpeg(), **extra)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Image.objects.exists()
    lesson.refresh_from_db()
    assert lesson.body == body


def test_a_file_that_is_not_a_picture_is_refused(staff, lesson):
    upload = SimpleUploadedFile("x.jpg", b"not an image", "image/jpeg")
    response = post_lesson(
        staff,
        lesson,
        add_image=upload,
        image_alt="x",
        no_identifiers_confirmed="on",
    )
    assert "not an image we can read" in response.content.decode()
    assert not Image.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_course_pictures_are_for_signed_in_users(client, staff, world, lesson, role):
    post_lesson(
        staff,
        lesson,
        add_image=jpeg(),
        image_alt="x",
        no_identifiers_confirmed="on",
    )
    image = Image.objects.get()
    client.logout()
    response = client_as(client, world.user(role)).get(
        reverse("image-file", args=[image.pk, "small"])
    )
    assert response.status_code == (302 if role == "anonymous" else 200)
