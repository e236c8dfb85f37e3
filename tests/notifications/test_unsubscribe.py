"""Every email carries a one-click unsubscribe link; the digest is HTML and text."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from cpd.notifications import services
from cpd.notifications.models import Channel, Delivery, Mode, Notification, Preference
from tests.conftest import ROLES, client_as
from tests.notifications.clock import digest_at


def _link(message) -> str:
    found = re.search(r"https?://\S+/notifications/unsubscribe/\S+/", message.body)
    assert found, message.body
    return found.group(0)


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


@pytest.fixture
def digest_mail(world):
    Notification.objects.create(
        user=world.learner, kind="forums.reply", text="Mentor <A> replied", url="/f/"
    )
    mail.outbox.clear()
    assert services.digests_send(now=digest_at()) == 1
    return mail.outbox[0]


def test_the_digest_is_html_and_text_with_the_link(digest_mail):
    link = _link(digest_mail)
    assert digest_mail.extra_headers["List-Unsubscribe"] == f"<{link}>"
    assert digest_mail.extra_headers["List-Unsubscribe-Post"] == (
        "List-Unsubscribe=One-Click"
    )
    [(html, mime)] = digest_mail.alternatives
    assert mime == "text/html"
    assert "Mentor &lt;A&gt; replied" in html  # escaped
    assert link in html


def test_an_immediate_email_carries_the_link(world):
    note = Notification.objects.create(
        user=world.learner, kind="courses.certificate", text="Certificate", url="/c/"
    )
    delivery = Delivery.objects.create(notification=note, channel=Channel.EMAIL)
    mail.outbox.clear()
    services.deliver(delivery_id=delivery.pk)
    [message] = mail.outbox
    assert "/notifications/unsubscribe/" in message.body
    assert "List-Unsubscribe" in message.extra_headers


@pytest.mark.parametrize("role", ROLES)
def test_the_link_works_for_whoever_holds_it_and_get_changes_nothing(
    client, world, digest_mail, role
):
    path = _path(_link(digest_mail))
    client_as(client, world.user(role))
    assert client.get(path).status_code == 200  # a mail scanner's visit
    assert not Preference.objects.filter(user=world.learner).exists()
    assert client.post(path).status_code == 200
    modes = set(
        Preference.objects.filter(
            user=world.learner, channel=Channel.EMAIL
        ).values_list("mode", flat=True)
    )
    assert modes == {Mode.OFF}
    # only the learner's settings change, whoever follows the link
    assert not Preference.objects.exclude(user=world.learner).exists()


def test_one_kinds_link_turns_off_that_kind_only(client, world):
    url = services.unsubscribe_url(world.learner, "forums.reply")
    assert client.post(_path(url)).status_code == 200
    assert list(
        Preference.objects.filter(user=world.learner).values_list(
            "kind", "channel", "mode"
        )
    ) == [("forums.reply", "email", "off")]


def test_a_forged_or_unknown_link_is_refused(client, world):
    url = services.unsubscribe_url(world.learner, "forums.reply")
    forged = _path(url).replace("/unsubscribe/", "/unsubscribe/x")
    assert client.get(forged).status_code == 404
    assert client.post(forged).status_code == 404
    bad_kind = services.unsubscribe_url(world.learner, "no.such.kind")
    assert client.post(_path(bad_kind)).status_code == 404
    assert not Preference.objects.exists()
