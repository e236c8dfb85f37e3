"""Liveness, readiness and the answer while the database is away.

``/healthz`` says the process serves requests (it touches nothing). ``/readyz``
checks each dependency: the database is the record, so without it the instance
is not ready (503); Redis (cache, channel layer, broker) is not the record, so
without it the instance is ready but ``degraded`` (200): writes go through,
limits fail open, events and tasks wait (cpd.limits, cpd.realtime, cpd.outbox).
A load balancer routes on the status; a person reads the JSON.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)

# How long a client should wait before retrying while the database is away.
RETRY_AFTER_SECONDS = 30


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _redis(url: str) -> Callable[[], None]:
    def check() -> None:
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        try:
            client.ping()
        finally:
            client.close()

    return check


def checks() -> dict[str, Callable[[], None]]:
    """The dependencies of this deployment, by name."""
    found: dict[str, Callable[[], None]] = {"database": _database}
    if settings.REDIS_URL:
        # One Redis carries the cache, the channel layer and the broker here.
        found["redis"] = _redis(settings.REDIS_URL)
    return found


def report() -> tuple[bool, dict[str, dict[str, object]]]:
    """Run each check; ready means the database answered."""
    results: dict[str, dict[str, object]] = {}
    for name, check in checks().items():
        started = time.monotonic()
        state: dict[str, object]
        try:
            check()
            state = {"status": "ok"}
        except Exception as error:  # noqa: BLE001 - each failure is reported
            logger.warning("readiness: %s unavailable: %r", name, error)
            state = {"status": "down", "error": type(error).__name__}
        state["ms"] = round((time.monotonic() - started) * 1000, 1)
        results[name] = state
    return results["database"]["status"] == "ok", results


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers."""
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request: HttpRequest) -> HttpResponse:
    """Readiness: 200 (ok or degraded) with the database, 503 without it."""
    ready, results = report()
    degraded = any(r["status"] != "ok" for r in results.values())
    status = "down" if not ready else ("degraded" if degraded else "ok")
    response = JsonResponse(
        {"status": status, "checks": results}, status=200 if ready else 503
    )
    if not ready:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


DATABASE_AWAY = (OperationalError, InterfaceError)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a database that is away is a 503 with Retry-After, not a 500.

    Django calls this inside the ``except`` of the request's failure, so the
    exception is at hand. The 503 page touches neither the database nor the
    session. Everything else is the plain 500 page.
    """
    error = sys.exc_info()[1]
    away = isinstance(error, DATABASE_AWAY) or (
        isinstance(error, DatabaseError) and "connection" in str(error).lower()
    )
    if not away:
        return HttpResponse(loader.render_to_string("500.html"), status=500)
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"detail": _("The service is briefly unavailable. Try again in a minute.")},
            status=503,
        )
    else:
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
