"""Pages and JSON leave gzipped; photos and static files are left as they are."""

import gzip

from django.urls import reverse

from cpd import services
from cpd.models import Role
from tests.conftest import client_as
from tests.factories.cpd import UserFactory
from tests.factories.images import jpeg_with_gps


def test_a_page_is_gzipped_for_a_browser_that_accepts_it(client, world):
    # given a signed-in learner whose browser accepts gzip
    client_as(client, world.learner)
    # when the home page is fetched
    response = client.get(reverse("home"), HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    # then it comes compressed, says so, and varies on the encoding
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert b"Cohort A" in gzip.decompress(response.content)


def test_json_is_gzipped(client, world):
    # given a cohort with a page of members
    for _ in range(5):
        services.membership_add(
            cohort=world.cohort, user=UserFactory(), role=Role.LEARNER
        )
    client_as(client, world.org_admin)
    # when its member list is fetched, then the JSON comes compressed
    response = client.get(
        reverse("api-cohort-members", args=[world.cohort.pk]),
        HTTP_ACCEPT_ENCODING="gzip",
    )
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"


def test_a_browser_that_does_not_accept_gzip_gets_plain_html(client, world):
    client_as(client, world.learner)
    response = client.get(reverse("home"))
    assert not response.has_header("Content-Encoding")


def test_a_photo_is_not_compressed_again(client, world):
    # given a photo in the learner's cohort
    image = services.image_upload(
        actor=world.learner,
        cohort=world.cohort,
        file=jpeg_with_gps(),
        no_identifiers_confirmed=True,
    )
    client_as(client, world.learner)
    # when the browser asks for it, accepting gzip
    response = client.get(
        reverse("image-file", args=[image.pk, "small"]), HTTP_ACCEPT_ENCODING="gzip"
    )
    # then the JPEG goes out as it is: gzip would only cost the server CPU
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert not response.has_header("Content-Encoding")
