"""Channel layers to run real-time tests on: in-memory always, Redis when given."""

import os
import subprocess
import uuid

import pytest
from channels.layers import channel_layers
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

REDIS_URL = os.environ.get("REDIS_URL", "")

LAYERS = {
    "memory": {"BACKEND": "channels.layers.InMemoryChannelLayer"},
}


@pytest.fixture(params=["memory", "redis"])
def channel_layer_name(request, settings):
    """Run the test once per channel layer; Redis only when REDIS_URL is set.

    The Redis layer is the one configured in settings (pool, timeouts, capacity),
    under a prefix of this test's own.
    """
    if request.param == "redis" and not REDIS_URL:
        pytest.skip("needs REDIS_URL")
    if request.param == "redis":
        configured = settings.CHANNEL_LAYERS["default"]
        prefix = f"test-{uuid.uuid4().hex[:8]}"
        layer = {**configured, "CONFIG": {**configured["CONFIG"], "prefix": prefix}}
    else:
        layer = LAYERS["memory"]
    settings.CHANNEL_LAYERS = {"default": layer}
    channel_layers.backends = {}
    yield request.param
    channel_layers.backends = {}


def session_cookie(user) -> bytes:
    """A Cookie header value signing ``user`` in, as a browser would send it."""
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}".encode()


def stop(proc) -> None:
    """End a server subprocess: politely, then firmly (open sockets can linger)."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
