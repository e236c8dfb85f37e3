"""The SMS digest: 30 pending events in one segment, sent once, by preference."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation

from cpd.notifications import services, sms_text
from cpd.notifications.backends.sms import ConsoleSmsBackend
from cpd.notifications.digest import sms_digest_text
from cpd.notifications.models import Channel, Mode, Notification, Preference
from tests.notifications.clock import digest_at

PHONE = "+254700123456"
LINK = "https://cpd.example.org/notifications/"

KINDS_30 = (
    ["forums.reply"] * 9
    + ["forums.mention"] * 4
    + ["mentoring.message"] * 5
    + ["courses.session_tomorrow"] * 2
    + ["courses.module_opened"] * 3
    + ["rooms.case_opened"] * 2
    + ["mentoring.mentee_question"] * 2
    + ["courses.certificate", "mentoring.checkin", "notifications.sms_budget"]
)


@pytest.fixture(autouse=True)
def _sms_log():
    ConsoleSmsBackend.sent.clear()
    yield
    ConsoleSmsBackend.sent.clear()


def test_thirty_kinds_of_events_fit_one_segment():
    assert len(KINDS_30) == 30
    text = sms_digest_text(KINDS_30, LINK)
    assert sms_text.segments(text) == 1
    assert text.startswith("CPD: 9 replies, 5 messages")
    assert text.endswith(LINK)
    assert "more" in text  # what does not fit is counted, not dropped


def test_a_short_digest_names_each_kind():
    text = sms_digest_text(["forums.reply"] * 3 + ["courses.session_tomorrow"], LINK)
    assert text == f"CPD: 3 replies, 1 session tomorrow. Open: {LINK}"


@pytest.mark.parametrize("language", ["fr", "sw", "ar", "pt"])
def test_one_segment_in_every_language(language):
    with translation.override(language):
        text = sms_digest_text(KINDS_30, LINK)
    assert sms_text.segments(text) == 1
    assert text.endswith(LINK)


def test_a_link_that_leaves_no_room_still_sends_one_segment():
    long_link = "https://cpd.example.org/" + "x" * 120
    text = sms_digest_text(KINDS_30, long_link)
    assert sms_text.segments(text) == 1


def _pending(world, kinds: list[str]) -> None:
    for i, kind in enumerate(kinds):
        Notification.objects.create(
            user=world.learner, kind=kind, cohort=world.cohort, text=f"event {i}"
        )


def test_thirty_pending_events_go_in_one_sms_once(
    world, django_capture_on_commit_callbacks
):
    world.learner.phone = PHONE
    world.learner.email = ""
    world.learner.save(update_fields=["phone", "email"])
    for kind in set(KINDS_30):
        Preference.objects.create(
            user=world.learner, kind=kind, channel=Channel.SMS, mode=Mode.DIGEST
        )
    _pending(world, KINDS_30)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.digests_send(now=digest_at()) == 1
    [(to, text)] = ConsoleSmsBackend.sent
    assert to == PHONE
    assert sms_text.segments(text) == 1
    assert text.startswith("CPD: ")
    assert services.digests_send(now=digest_at()) == 0  # a rerun sends nothing twice
    assert len(ConsoleSmsBackend.sent) == 1


def test_sms_digest_only_for_kinds_set_to_digest(world):
    world.learner.phone = PHONE
    world.learner.save(update_fields=["phone"])
    _pending(world, ["forums.reply", "forums.reply"])
    mail.outbox.clear()
    # SMS off by default: the email digest only
    assert services.digests_send(now=digest_at()) == 1
    assert ConsoleSmsBackend.sent == []
    assert len(mail.outbox) == 1


def test_a_cohort_default_puts_its_members_sms_in_the_digest(
    world, django_capture_on_commit_callbacks
):
    world.learner.phone = PHONE
    world.learner.email = ""
    world.learner.save(update_fields=["phone", "email"])
    services.cohort_defaults_set(
        actor=world.org_admin,
        cohort=world.cohort,
        choices={("forums.reply", "sms"): Mode.DIGEST},
    )
    _pending(world, ["forums.reply"] * 4)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.digests_send(now=digest_at()) == 1
    [(_to, text)] = ConsoleSmsBackend.sent
    assert "4 replies" in text
