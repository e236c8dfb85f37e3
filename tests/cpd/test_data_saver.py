"""Data saver: ``Save-Data: on`` or the user's setting make photos tap-to-load links."""

import re

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cpd import services
from forums.services import posting
from forums.services.forums import forum_for_cohort
from tests.conftest import client_as
from tests.factories.images import jpeg_with_gps


@pytest.fixture
def photo_thread(world):
    """A thread whose first post carries one photo and a Markdown image."""
    image = services.image_upload(
        actor=world.learner,
        cohort=world.cohort,
        file=jpeg_with_gps(),
        no_identifiers_confirmed=True,
    )
    thread, _ = posting.thread_create(
        actor=world.learner,
        forum=forum_for_cohort(world.cohort),
        title="Rash on the forearm",
        body="See the photo.\n\n![chart](/static/img/icon-192.png)",
        images=[image],
        no_identifiers_confirmed=True,
        idempotency_key="photo-1",
    )
    return thread, image


def _page(client, thread, **headers):
    response = client.get(reverse("forums-thread", args=[thread.pk]), **headers)
    assert response.status_code == 200
    return response.content.decode()


def _small(image):
    return reverse("image-file", args=[image.pk, "small"])


def test_photos_are_images_when_data_saver_is_off(client, world, photo_thread):
    # given
    thread, image = photo_thread
    # when
    html = _page(client_as(client, world.learner), thread)
    # then
    assert f'<img class="post-img" src="{_small(image)}"' in html
    assert 'src="/static/img/icon-192.png"' in html
    assert "data-photo" not in html


def test_save_data_header_turns_photos_into_tap_to_load_links(
    client, world, photo_thread
):
    # given
    thread, image = photo_thread
    # when
    html = _page(client_as(client, world.learner), thread, HTTP_SAVE_DATA="on")
    # then: a plain link to the small rendition, and no <img> of either picture
    assert (
        f'<a class="photo-tap" href="{_small(image)}" data-photo="{_small(image)}"'
        in html
    )
    assert 'data-photo="/static/img/icon-192.png"' in html
    assert "<img" not in html
    assert not re.search(r'rel="(pre(fetch|load)|prerender)"', html)


def test_the_users_data_saver_setting_turns_photos_into_links(
    client, world, photo_thread
):
    # given
    thread, image = photo_thread
    services.user_update_profile(user=world.learner, data_saver=True)
    # when
    html = _page(client_as(client, world.learner), thread)
    # then
    assert f'href="{_small(image)}" data-photo="{_small(image)}"' in html
    assert "<img" not in html


def test_save_data_off_keeps_images(client, world, photo_thread):
    thread, image = photo_thread
    html = _page(client_as(client, world.learner), thread, HTTP_SAVE_DATA="off")
    assert f'src="{_small(image)}"' in html
    assert "data-photo" not in html


def test_data_saver_costs_no_query(
    client, world, photo_thread, django_assert_num_queries, settings
):
    """The decision rides on the user already loaded: same count on or off."""
    settings.FORUMS_THREAD_CACHE_SECONDS = 0  # both views render the posts
    thread, _image = photo_thread
    client = client_as(client, world.learner)
    _page(client, thread)  # warm caches (sessions, content types)
    with CaptureQueriesContext(connection) as off:
        _page(client, thread)
    with django_assert_num_queries(len(off.captured_queries)):
        _page(client, thread, HTTP_SAVE_DATA="on")


def test_profile_page_and_api_edit_the_data_saver_setting(client, api_client, world):
    # given
    client = client_as(client, world.learner)
    page = client.get(reverse("profile")).content.decode()
    assert 'name="data_saver"' in page
    # when: the API switches it on
    api_client.force_authenticate(world.learner)
    response = api_client.patch(reverse("api-me"), {"data_saver": True}, format="json")
    # then
    assert response.status_code == 200
    assert response.json()["data_saver"] is True
    world.learner.refresh_from_db()
    assert world.learner.data_saver is True


def test_rich_html_leaves_text_without_images_untouched():
    html = Template("{% load photos %}{% rich_html body %}").render(
        Context({"body": "<p>a &amp; b</p>", "data_saver": True})
    )
    assert html == "<p>a &amp; b</p>"


def test_footer_carries_the_translatable_cost_labels(client, world):
    html = client_as(client, world.learner).get(reverse("home")).content.decode()
    assert 'id="page-cost"' in html
    assert 'data-cost-label="This page: {kb} KB"' in html
    assert "data-cost-cached=" in html
