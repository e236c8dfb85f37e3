"""Every language renders the layout, whatever the counts its plural rules see."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from cpd.notifications.models import Notification
from tests.conftest import client_as


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
@pytest.mark.parametrize("unread", [0, 1, 2, 11])
def test_pages_render_in_every_language(client, world, language, unread):
    # Arabic's plural rule takes n % 100: a count that is not a number is a 500
    Notification.objects.bulk_create(
        Notification(user=world.learner, kind="x", text=f"n{n}") for n in range(unread)
    )
    client_as(client, world.learner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    for name in ("home", "notifications", "notifications-preferences", "profile"):
        response = client.get(reverse(name))
        assert response.status_code == 200, (language, name)
        assert f'lang="{language}"' in response.content.decode()
