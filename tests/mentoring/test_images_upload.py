"""Sending photos from the conversation page and the API; bad uploads; budgets."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cpd.models import Image
from mentoring.models import Message
from mentoring.services import conversations
from tests.conftest import ROLES, client_as
from tests.factories.images import PHP, disguised, png

# --- Upload from the conversation page ------------------------------------------


def _page(conv) -> str:
    return reverse("mentoring-conversation", args=[conv.pk])


def test_page_upload_shows_the_small_photo_linking_to_the_full_one(
    client, world, paired
):
    conv_a, _ = paired
    client_as(client, world.learner)
    # when the mentee sends a message with a photo and the confirmation
    response = client.post(
        _page(conv_a),
        {
            "body": "Photo of the chart",
            "image": png(),
            "no_identifiers_confirmed": "on",
        },
    )
    # then it is stored privately and shown small, linking to the full size
    assert response.status_code == 302
    message = conv_a.messages.latest("id")
    assert message.image is not None
    assert message.image.private
    html = client_as(client, world.mentor_of_cohort).get(_page(conv_a)).content
    small = reverse("image-file", args=[message.image_id, "small"])
    full = reverse("image-file", args=[message.image_id, "full"])
    assert f'href="{full}"'.encode() in html
    assert f'src="{small}"'.encode() in html
    assert b'enctype="multipart/form-data"' in html


def test_page_accepts_a_photo_without_text(client, world, paired):
    conv_a, _ = paired
    client_as(client, world.mentor_of_cohort)
    response = client.post(
        _page(conv_a), {"body": "", "image": png(), "no_identifiers_confirmed": "on"}
    )
    assert response.status_code == 302
    assert conv_a.messages.latest("id").image_id is not None


BAD_UPLOADS = [
    pytest.param(
        lambda: {"image": disguised(PHP), "no_identifiers_confirmed": "on"},
        "image",
        "not an image",
        id="not-an-image",
    ),
    pytest.param(
        lambda: {
            "image": disguised(b"\xff\xd8" + b"0" * (9 * 1024 * 1024), "huge.jpg"),
            "no_identifiers_confirmed": "on",
        },
        "image",
        "too large",
        id="too-large",
    ),
    pytest.param(
        lambda: {"image": png()},
        "no_identifiers_confirmed",
        "no patient name",
        id="confirmation-missing",
    ),
]


@pytest.mark.parametrize(("data", "field", "error"), BAD_UPLOADS)
def test_page_bad_upload_rerenders_with_the_error_and_the_typed_text(
    client, world, paired, data, field, error
):
    conv_a, _ = paired
    messages_before, images_before = Message.objects.count(), Image.objects.count()
    client_as(client, world.learner)
    # when the mentee sends a bad photo with some text
    response = client.post(_page(conv_a), {"body": "My typed words", **data()})
    # then the page comes back with the error by the field and the text kept
    assert response.status_code == 400
    form = response.context["form"]
    assert error in " ".join(form.errors[field])
    assert "My typed words" in response.content.decode()
    # and nothing was stored
    assert Message.objects.count() == messages_before
    assert Image.objects.count() == images_before


def test_page_asks_for_the_photo_again_when_only_the_text_was_wrong(
    client, world, paired
):
    conv_a, _ = paired
    client_as(client, world.learner)
    response = client.post(
        _page(conv_a),
        {"body": "x" * 4001, "image": png(), "no_identifiers_confirmed": "on"},
    )
    assert response.status_code == 400
    assert "Choose the photo again" in " ".join(
        response.context["form"].errors["image"]
    )
    assert not Image.objects.filter(private=True).exists()


def test_outsider_cannot_post_a_photo_to_the_page(client, world, paired):
    conv_a, _ = paired
    client_as(client, world.other_mentor)
    response = client.post(
        _page(conv_a), {"body": "hi", "image": png(), "no_identifiers_confirmed": "on"}
    )
    assert response.status_code == 404
    assert not Image.objects.exists()


def test_the_admin_page_shows_a_reported_messages_photo_only(client, world, paired):
    conv_a, _ = paired
    kept = conversations.message_send(
        actor=world.learner,
        conversation=conv_a,
        body="unreported",
        photo=png(),
        no_identifiers_confirmed=True,
    )
    flagged = conversations.message_send(
        actor=world.learner,
        conversation=conv_a,
        body="reported",
        photo=png(),
        no_identifiers_confirmed=True,
    )
    conversations.message_report(
        actor=world.mentor_of_cohort, message=flagged, reason="check this"
    )
    client_as(client, world.org_admin)
    html = client.get(reverse("mentoring-admin", args=[world.cohort.pk])).content
    assert reverse("image-file", args=[flagged.image_id, "small"]).encode() in html
    assert reverse("image-file", args=[kept.image_id, "small"]).encode() not in html


# --- API --------------------------------------------------------------------------


def _api(conv) -> str:
    return reverse("api-conversation-messages", args=[conv.pk])


def test_api_multipart_upload_returns_the_photo_urls(api_client, world, paired):
    conv_a, _ = paired
    api_client.force_authenticate(world.mentor_of_cohort)
    response = api_client.post(
        _api(conv_a),
        {"body": "See this", "image": png(), "no_identifiers_confirmed": True},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    photo = response.json()["image"]
    image = Message.objects.get(pk=response.json()["id"]).image
    assert image.private
    assert photo["small_url"] == reverse("image-file", args=[image.pk, "small"])
    assert photo["full_url"] == reverse("image-file", args=[image.pk, "full"])


@pytest.mark.parametrize("role", ROLES)
def test_api_exposes_photo_urls_only_to_readers(api_client, world, photo_message, role):
    # given a photo message in conversation A
    user = world.user(role)
    if user.is_authenticated:
        api_client.force_authenticate(user)
    # when each role lists the conversation's messages
    response = api_client.get(_api(photo_message.conversation))
    # then only the participants get the list (and its URLs); others 404 / 403
    if role in {"learner", "mentor_of_cohort"}:
        assert response.status_code == 200
        listed = {m["id"]: m["image"] for m in response.json()}
        assert listed[photo_message.pk]["small_url"].endswith("/small/")
        assert all(v is None for k, v in listed.items() if k != photo_message.pk)
    else:
        assert response.status_code == (403 if role == "anonymous" else 404)
        assert b"/images/" not in response.content


@pytest.mark.parametrize(("data", "field", "error"), BAD_UPLOADS)
def test_api_bad_upload_is_a_400_with_field_errors(
    api_client, world, paired, data, field, error
):
    conv_a, _ = paired
    count = Message.objects.count()
    api_client.force_authenticate(world.learner)
    payload = {"body": "text", **data()}
    payload = {k: (True if v == "on" else v) for k, v in payload.items()}
    response = api_client.post(_api(conv_a), payload, format="multipart")
    assert response.status_code == 400
    assert error in " ".join(response.json()[field])
    assert Message.objects.count() == count
    assert not Image.objects.exists()


def test_api_json_messages_still_work_without_a_photo(api_client, world, paired):
    conv_a, _ = paired
    api_client.force_authenticate(world.learner)
    response = api_client.post(_api(conv_a), {"body": "plain"}, format="json")
    assert response.status_code == 201
    assert response.json()["image"] is None


# --- Query budgets ----------------------------------------------------------------


def test_photos_cost_no_extra_queries_per_message(client, world, paired):
    conv_a, _ = paired

    def add_photos(n: int) -> None:
        for _ in range(n):
            conversations.message_send(
                actor=world.mentor_of_cohort,
                conversation=conv_a,
                body="look",
                photo=png(size=(8, 8)),
                no_identifiers_confirmed=True,
            )

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    client_as(client, world.learner)
    urls = [_page(conv_a), _api(conv_a)]
    add_photos(1)
    small = [count(u) for u in urls]
    add_photos(10)
    assert [count(u) for u in urls] == small
