"""Every page under the production static storage, after ``collectstatic``.

Test settings serve static files plainly, so a template naming a file that does
not exist renders; under the production manifest storage that is a 500. Here
the files are collected once, with the production storage, into a temporary
folder, and every GET route of the route matrix (``tests/ops/test_route_matrix.py``)
is asked as the least and the most privileged of the roles the matrix says it
answers 200 to, with cohort A's objects: each must still answer 200, and each
HTML page must name its CSS and JS by their hashed names.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.urls import resolve

from tests.ops import test_route_matrix
from tests.ops.test_route_matrix import (
    HTTP,
    ROLES,
    Dataset,
    _fill,
    http_routes,
    isolated_response,
)

# The matrix's objects (cohort A's), built once for this module.
dataset = test_route_matrix.dataset

pytestmark = [pytest.mark.django_db, pytest.mark.timeout(600)]

# Production uses whitenoise's CompressedManifestStaticFilesStorage. Its
# manifest is Django's, which is what refuses a missing file; the compression
# (gzip and brotli of every file) only costs minutes here, so it is left out.
PRODUCTION_STATIC = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
HASHED = re.compile(r"/static/[\w/.-]+\.[0-9a-f]{12}\.(?:css|js)")

# Pages whose content depends on a query: asked with one as well.
QUERIES = {"forums-search": "?q=pph"}


def _pages() -> list[tuple[str, str, str]]:
    """(route name, role, query) for every route some role GETs with 200."""
    pages = []
    for name, row in HTTP.items():
        gets = row.split("|")[0].split()
        ok = [role for role, answer in zip(ROLES, gets, strict=True) if answer == "200"]
        for role in dict.fromkeys([ok[0], ok[-1]] if ok else []):
            pages.append((name, role, ""))
            if name in QUERIES:
                pages.append((name, role, QUERIES[name]))
    return pages


PAGES = _pages()


@pytest.fixture(scope="module")
def production_static(tmp_path_factory):
    """``collectstatic`` once, with the manifest storage on for the module."""
    root = tmp_path_factory.mktemp("static")
    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": PRODUCTION_STATIC}}
    with override_settings(
        STATIC_ROOT=root, STORAGES=storages, WHITENOISE_USE_FINDERS=False
    ):
        call_command("collectstatic", "--noinput", "-v0")
        assert (root / "staticfiles.json").exists()
        yield root


def test_every_get_route_answering_200_is_covered():
    assert {name for name, _, _ in PAGES} == {
        name for name, row in HTTP.items() if "200" in row.split("|")[0].split()
    }
    assert len(PAGES) > 150


@pytest.mark.parametrize(("name", "role", "query"), PAGES, ids=str)
def test_page_renders_with_hashed_static_urls(
    production_static,
    dataset: Dataset,
    name,
    role,
    query,
):
    url = _fill(name, dict(http_routes())[name], dataset) + query
    client = dataset.clients[role]
    client.raise_request_exception = True  # a missing file raises, loudly
    try:
        response = isolated_response(client, dataset.cookies[role], "get", url)
    finally:
        client.raise_request_exception = False
    assert response.status_code == 200, (url, role)
    if response["Content-Type"].startswith("text/html"):
        assert HASHED.search(response.content.decode()), (url, role)


def _invitee(data: Dataset):
    from cpd.models import Invitation
    from tests.factories.cpd import UserFactory

    invitation = Invitation.objects.get(pk=data.ids["invitation_id"])
    return UserFactory(email=invitation.email), f"/invite/{invitation.token}/"


def _unsubscriber(data: Dataset):
    from cpd.notifications.services import unsubscribe_url

    return None, unsubscribe_url(data.world.learner, "forums.reply")


def _surveyed(data: Dataset):
    from courses.models import Course
    from courses.services.survey import survey_attach_default

    course = Course.objects.get(pk=data.ids["course_id"])
    survey_attach_default(actor=data.users["superuser"], course=course)
    # the learner holds the course's certificate: the survey is open to them
    return data.world.learner, f"/courses/{course.pk}/survey/"


def _scanned(data: Dataset):
    from courses.models import Session
    from courses.services.checkin import check_in_code_current

    session = Session.objects.get(pk=data.ids["session_id"])
    code = check_in_code_current(actor=data.world.mentor_of_cohort, session=session)
    return data.world.learner, code.path


def _no_password(data: Dataset):
    from tests.factories.cpd import UserFactory

    user = UserFactory()
    user.set_unusable_password()
    user.save()
    return user, "/accounts/password/set/"


# HTML routes that answer 200 to nobody in the matrix: each needs a state of
# its own (an invitee, a signed link, a survey, a QR code, no password yet).
STATES = {
    "invitation-open": _invitee,
    "notifications-unsubscribe": _unsubscriber,
    "courses-survey": _surveyed,
    "courses-session-here": _scanned,
    "account_set_password": _no_password,
}


@pytest.mark.parametrize("name", sorted(STATES))
def test_page_needing_a_state_renders_with_hashed_static_urls(
    production_static,
    dataset: Dataset,
    name,
):
    with transaction.atomic():
        user, url = STATES[name](dataset)
        assert resolve(urlsplit(url).path).url_name == name
        client = Client(raise_request_exception=True)
        if user is not None:
            client.force_login(user)
        response = client.get(url)
        transaction.set_rollback(True)
    assert response.status_code == 200, url
    assert HASHED.search(response.content.decode()), url
