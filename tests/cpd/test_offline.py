"""The installable web app: manifest, service worker, offline page."""

import base64
import re

import pytest
from django.test import Client
from django.urls import reverse

from cpd.context_processors import outbox_key, outbox_user_id
from tests.factories.cpd import UserFactory


def test_manifest_is_installable(client, db):
    response = client.get(reverse("manifest"))
    assert response["Content-Type"] == "application/manifest+json"
    data = response.json()
    assert data["display"] == "standalone"
    assert {icon["sizes"] for icon in data["icons"]} == {"192x192", "512x512"}


def test_service_worker_is_served_from_the_root_and_lists_the_shell(client, db):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    assert "/static/css/app.css" in body
    assert '"/offline/"' in body


def test_offline_page_renders_for_visitors(client, db):
    assert "You are offline" in client.get(reverse("offline")).content.decode()


def test_pages_link_the_manifest(client, db):
    assert 'rel="manifest"' in client.get(reverse("account_login")).content.decode()


def test_the_outbox_page_asks_for_sign_in(client, db):
    response = client.get(reverse("outbox"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_outbox_page_explains_itself_without_javascript(client, db):
    client.force_login(UserFactory())
    response = client.get(reverse("outbox"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "<noscript>" in body
    assert "The outbox needs JavaScript" in body
    assert 'id="outbox"' in body
    assert client.post(reverse("outbox")).status_code == 405


def _outbox_user(body: str) -> str | None:
    found = re.search(r'data-outbox-user="([^"]*)"', body)
    return found.group(1) if found else None


def test_each_user_has_an_outbox_id_that_is_not_their_number(client, db):
    first, second = UserFactory(), UserFactory()
    client.force_login(first)
    mine = _outbox_user(client.get(reverse("outbox")).content.decode())
    assert mine == outbox_user_id(first.pk)
    assert len(mine) == 32
    assert str(first.pk) != mine
    client.force_login(second)
    theirs = _outbox_user(client.get(reverse("outbox")).content.decode())
    assert theirs
    assert theirs != mine
    client.logout()
    assert _outbox_user(client.get(reverse("account_login")).content.decode()) is None


def test_the_cached_offline_page_names_nobody(client, db):
    # the service worker caches it with whoever is signed in at install time
    client.force_login(UserFactory())
    body = client.get(reverse("offline")).content.decode()
    assert _outbox_user(body) is None
    assert "data-offline-page" in body


def test_a_csrf_failure_is_marked_for_the_outbox(db):
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())
    response = client.post(reverse("outbox"), {"csrfmiddlewaretoken": "stale"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "data-csrf-failure" in body
    assert "This form has expired" in body


def test_the_cached_offline_page_shows_nobody_s_name_cohorts_or_links(client, db):
    # The service worker caches /offline/ at install with the installer's
    # cookies and shows it later to whoever holds the phone: no header or
    # footer of theirs (name, cohorts, bell, sign-out), no socket address.
    from tests.factories.cpd import CohortFactory, MembershipFactory

    person = UserFactory(display_name="Amina Installer")
    MembershipFactory(user=person, cohort=CohortFactory(name="Ward Seven Cohort"))
    client.force_login(person)
    body = client.get(reverse("offline")).content.decode()
    assert "Amina Installer" not in body
    assert "Ward Seven Cohort" not in body
    assert reverse("account_logout") not in body
    assert reverse("notifications") not in body
    assert "data-ws=" not in body
    assert 'name="csrfmiddlewaretoken"' in body  # the outbox's fresh token


def test_the_offline_page_leaves_the_signed_in_person_s_messages(rf, db):
    # A flash message rendered into the cached page would be shown to the
    # next user and lost for its owner.
    from django.contrib.messages import get_messages, info
    from django.contrib.messages.storage.session import SessionStorage
    from django.contrib.sessions.backends.cache import SessionStore

    from cpd.offline import offline_page

    request = rf.get(reverse("offline"))
    request.session = SessionStore()
    request.user = UserFactory()
    request._messages = SessionStorage(request)
    info(request, "Your reply to Dr Okafor was posted.")
    body = offline_page(request).content.decode()
    assert "Dr Okafor" not in body
    assert [str(m) for m in get_messages(request)] == [
        "Your reply to Dr Okafor was posted."
    ]


def test_the_outbox_key_is_given_only_to_its_signed_in_user(client, db):
    first, second = UserFactory(), UserFactory()
    assert client.get(reverse("outbox-key")).status_code == 302  # to sign-in
    client.force_login(first)
    response = client.get(reverse("outbox-key"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    mine = response.json()
    assert mine["user"] == outbox_user_id(first.pk)
    assert base64.urlsafe_b64decode(mine["key"]) == outbox_key(first.pk)
    assert len(outbox_key(first.pk)) == 32  # AES-256-GCM
    client.force_login(second)
    theirs = client.get(reverse("outbox-key")).json()
    assert theirs["key"] != mine["key"]
    assert theirs["user"] == outbox_user_id(second.pk)
    assert client.post(reverse("outbox-key")).status_code == 405


def test_a_redirect_answers_the_outbox_with_204_and_where_to_go(client, db):
    """cpd.middleware.OutboxRedirectMiddleware: its fetch takes no flash message."""
    data = {"language": "fr", "next": "/courses/"}
    plain = client.post(reverse("set-language"), data)
    assert plain.status_code == 302
    outbox = Client().post(reverse("set-language"), data, headers={"X-Outbox": "1"})
    assert outbox.status_code == 204
    assert outbox["X-Outbox-Location"] == plain["Location"] == "/courses/"
    assert outbox.cookies["django_language"].value == "fr"  # the redirect's cookies
    # only a POST marked by the outbox, and only a redirect
    marked = {"headers": {"X-Outbox": "1"}}
    assert Client().get(reverse("set-language"), **marked).status_code == 302
    assert Client().post(reverse("outbox"), **marked).status_code == 405


def test_the_outbox_key_is_kept_by_no_cache_and_varies_by_session(client, db):
    client.force_login(UserFactory())
    response = client.get(reverse("outbox-key"))
    cache = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= cache
    assert "Cookie" in {v.strip() for v in response["Vary"].split(",")}


def test_the_outbox_key_is_its_own_derivation(db):
    """Domain-separated: not the outbox id, nor an HMAC under another salt."""
    from django.utils.crypto import salted_hmac

    key = outbox_key(7)
    assert key != outbox_key(8)
    assert outbox_user_id(7) not in key.hex()
    for other in ("", "cpd.outbox.user", "courses.checkin", "forums.posts.csrf"):
        assert salted_hmac(other, "7", algorithm="sha256").digest() != key


def test_only_a_redirect_is_rewritten_for_the_outbox(db, thread_for_outbox):
    """A CSRF failure (403) and a form error (400) reach the outbox as they are."""
    user, thread = thread_for_outbox
    url = reverse("forums-reply", args=[thread.pk])
    marked = {"headers": {"X-Outbox": "1"}}
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    refused = strict.post(url, {"body": "x", "csrfmiddlewaretoken": "stale"}, **marked)
    assert refused.status_code == 403
    assert "X-Outbox-Location" not in refused
    assert "data-csrf-failure" in refused.content.decode()
    client = Client()
    client.force_login(user)
    invalid = client.post(url, {"body": ""}, **marked)
    assert invalid.status_code == 400
    assert "X-Outbox-Location" not in invalid
    taken = client.post(url, {"body": "Taken", "idempotency_key": "k1"}, **marked)
    assert taken.status_code == 204
    assert taken["X-Outbox-Location"].startswith(f"/forums/t/{thread.pk}/")
    assert taken.content == b""
    # a HEAD is never rewritten
    assert client.head(url, **marked).status_code != 204


@pytest.fixture
def thread_for_outbox(db):
    from cpd.models import Role
    from forums.models import Forum, Post, Thread
    from tests.factories.cpd import CohortFactory, MembershipFactory

    user = UserFactory()
    cohort = CohortFactory()
    MembershipFactory(cohort=cohort, user=user, role=Role.LEARNER)
    forum = Forum.objects.create(cohort=cohort, is_default=True, title="General")
    thread = Thread.objects.create(forum=forum, title="Handover", author=user)
    Post.objects.create(thread=thread, author=user, body="Open", body_html="Open")
    return user, thread
