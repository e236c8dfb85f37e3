"""Liveness, readiness, and a 503 with Retry-After while the database is away."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.test import override_settings
from django.urls import reverse

from cpd import health


def test_healthz_answers_without_touching_anything(client):
    # no django_db mark: a query would raise here
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_reports_each_dependency(client):
    response = client.get(reverse("readyz"))
    assert response.status_code == 200
    body = response.json()
    assert body["checks"]["database"]["status"] == "ok"
    assert body["status"] == "ok"
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
@override_settings(REDIS_URL="redis://127.0.0.1:1/0")  # nothing listens there
def test_readyz_without_redis_is_ready_but_degraded(client):
    response = client.get(reverse("readyz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["redis"]["status"] == "down"
    assert body["checks"]["database"]["status"] == "ok"


def test_readyz_without_the_database_is_503(client, monkeypatch):
    def down() -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(health, "_database", down)
    response = client.get(reverse("readyz"))
    assert response.status_code == 503
    assert response["Retry-After"] == str(health.RETRY_AFTER_SECONDS)
    assert response.json()["checks"]["database"]["status"] == "down"


@pytest.mark.parametrize(
    ("path", "kind"), [("/", "text/html"), ("/api/me/", "application/json")]
)
def test_a_database_that_is_away_is_a_503_page_not_a_500(
    client, monkeypatch, path, kind
):
    from django.contrib.sessions.backends.db import SessionStore

    def away(*args, **kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    # every path to the database fails, as when PostgreSQL restarts
    monkeypatch.setattr("django.db.backends.base.base.BaseDatabaseWrapper.cursor", away)
    monkeypatch.setattr(SessionStore, "load", away)
    client.raise_request_exception = False
    client.cookies["sessionid"] = "x" * 32
    response = client.get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == str(health.RETRY_AFTER_SECONDS)
    assert response["Content-Type"].startswith(kind)


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (ValueError("a bug"), 500),
        (OperationalError("server closed the connection"), 503),
    ],
)
def test_only_a_database_that_is_away_turns_the_500_into_a_503(rf, error, status):
    try:
        raise error
    except Exception:
        response = health.server_error(rf.get("/courses/"))
    assert response.status_code == status
    assert ("Retry-After" in response) is (status == 503)
