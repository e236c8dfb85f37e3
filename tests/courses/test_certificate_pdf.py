"""Certificate PDFs: only the holder downloads one; it says only what it should."""

import re
import zlib

import pytest
from django.urls import reverse

from courses.models import Certificate
from tests.conftest import ROLES, client_as
from tests.factories.courses import course_for


@pytest.fixture
def certificate(world):
    world.learner.display_name = "Faith Achieng"
    world.learner.save()
    course = course_for(world.cohort, title="PPH: the first hour")
    return Certificate.objects.create(user=world.learner, course=course, hours=2)


def page_text(pdf: bytes) -> str:
    """Decompressed content streams (readable with the built-in Latin-1 font)."""
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S)
    out = []
    for raw in streams:
        try:
            out.append(zlib.decompress(raw).decode("latin-1"))
        except zlib.error:
            continue
    return "".join(out)


@pytest.mark.parametrize("role", ROLES)
def test_only_the_holder_downloads_the_pdf(client, world, certificate, role):
    response = client_as(client, world.user(role)).get(
        reverse("courses-certificate-pdf", args=[certificate.code])
    )
    if role == "anonymous":
        assert response.status_code == 302
    elif role == "learner":
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
    else:
        assert response.status_code == 404


def test_pdf_says_name_course_hours_date_and_where_to_check(
    client, world, certificate, settings
):
    settings.CERTIFICATE_FONT = ""  # built-in font: text is readable in the stream
    client_as(client, world.learner)
    pdf = client.get(reverse("courses-certificate-pdf", args=[certificate.code]))
    text = page_text(pdf.content)
    for expected in (
        "Faith Achieng",
        "PPH: the first hour",
        "worth 2.0 CPD hours",
        certificate.code,
        reverse("courses-verify", args=[certificate.code]),
    ):
        assert expected in text
    assert world.learner.email not in text


def test_pdf_embeds_a_unicode_font_when_one_is_installed(
    client, world, certificate, settings
):
    from pathlib import Path

    font = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if not font.is_file():
        pytest.skip("DejaVu Sans is not installed (Debian: fonts-dejavu-core)")
    settings.CERTIFICATE_FONT = str(font)
    world.learner.display_name = "Ọlá Nwankwọ"
    world.learner.save()
    client_as(client, world.learner)
    pdf = client.get(reverse("courses-certificate-pdf", args=[certificate.code]))
    assert pdf.status_code == 200
    assert b"/FontFile2" in pdf.content


def test_the_certificate_page_links_the_pdf(client, world, certificate):
    client_as(client, world.learner)
    body = client.get(reverse("courses-certificate", args=[certificate.code]))
    url = reverse("courses-certificate-pdf", args=[certificate.code])
    assert url in body.content.decode()
