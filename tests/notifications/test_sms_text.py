"""Every SMS fits one segment, in the alphabet its text needs; STOP turns SMS off."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from cpd.notifications import services, sms_text
from cpd.notifications.models import Channel, Mode, Preference

LINK = "https://cpd.example.org/forums/t/1234/"


@pytest.mark.parametrize(
    ("text", "gsm", "limit"),
    [
        ("Mentor A replied to PPH", True, 160),
        ("Mwalimu amejibu swali lako kuhusu kutokwa na damu", True, 160),  # Swahili
        ("Réponse à votre sujet : hémorragie", True, 160),  # é, à are GSM
        ("Une séance en présentiel demain, à l’hôpital", False, 70),  # ’ and ô are not
        ("ردّ المرشد على موضوعك", False, 70),  # Arabic: UCS-2
    ],
)
def test_the_alphabet_sets_the_segment(text, gsm, limit):
    assert sms_text.is_gsm(text) is gsm
    long = text * 20
    fitted = sms_text.fit(long, LINK)
    assert sms_text.segments(fitted) == 1
    assert sms_text.units(fitted) <= limit
    assert fitted.endswith(LINK)  # the link is never cut


def test_extension_characters_count_twice():
    assert sms_text.units("€[]") == 6
    assert sms_text.segments("€" * 80) == 1
    assert sms_text.segments("€" * 81) == 2


def test_french_typography_does_not_cost_a_ucs2_segment():
    french = "Réponse\u202f: l\u2019hémorragie"
    assert not sms_text.is_gsm(french)
    fitted = sms_text.fit(french * 10, LINK)
    assert sms_text.is_gsm(fitted)
    assert sms_text.units(fitted) > 70  # a full 160-unit segment


def test_a_short_text_is_left_whole():
    assert sms_text.fit("Hi", LINK) == f"Hi {LINK}"


@pytest.mark.django_db
@override_settings(SMS_WEBHOOK_TOKEN="s3cret")
@pytest.mark.parametrize("word", ["STOP", "stop ", "Acha", "ARRÊT"])
def test_stop_turns_every_kind_off_by_sms(client, world, word):
    world.learner.phone = "+254700123456"
    world.learner.save()
    url = reverse("notifications-sms-inbound")
    reply = {"from": "+254700123456", "text": word}
    assert client.post(url, reply).status_code == 403  # no token
    assert client.post(url + "?token=s3cret", reply).status_code == 200
    offs = Preference.objects.filter(user=world.learner, channel=Channel.SMS)
    assert offs.count() >= 1
    assert set(offs.values_list("mode", flat=True)) == {Mode.OFF}
    assert not Preference.objects.filter(
        user=world.learner, channel=Channel.EMAIL
    ).exists()


@pytest.mark.django_db
def test_other_replies_change_nothing(world):
    world.learner.phone = "+254700123456"
    world.learner.save()
    assert services.sms_inbound(phone="+254700123456", text="thanks") is False
    assert not Preference.objects.exists()
