"""The installable web app: manifest, service worker and the offline page.

The service worker is served from the site root (its scope must cover every
page) and lists the current hashed static files, so a new deploy replaces the
cached shell.
"""

from __future__ import annotations

import base64
import hashlib
from typing import cast

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET

from cpd.context_processors import outbox_key, outbox_user_id

SHELL_ASSETS = ("css/app.css", "js/app.js", "img/icon-192.png")


def manifest(request: HttpRequest) -> JsonResponse:
    """Web app manifest: installable to the home screen, opens standalone."""
    data = {
        "name": _("Mobile CPD"),
        "short_name": _("CPD"),
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b6e4f",
        "icons": [
            {
                "src": static("img/icon-192.png"),
                "sizes": "192x192",
                "type": "image/png",
            },
            {
                "src": static("img/icon-512.png"),
                "sizes": "512x512",
                "type": "image/png",
            },
        ],
    }
    response = JsonResponse(data, content_type="application/manifest+json")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@cache_control(no_cache=True)
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker script, versioned by the hashed shell it precaches."""
    assets = [static(name) for name in SHELL_ASSETS]
    version = hashlib.sha256("|".join(assets).encode()).hexdigest()[:12]
    return render(
        request,
        "offline/sw.js",
        {"assets": assets, "version": version, "icon": static("img/icon-192.png")},
        content_type="application/javascript",
    )


def offline_page(request: HttpRequest) -> HttpResponse:
    """Shown by the service worker when a page is neither online nor cached."""
    # The shell caches this page with the installer's cookies and shows it to
    # whoever holds the phone later: it is rendered for nobody (no name,
    # cohorts, bell or socket in base.html, no per-user outbox id: app.js acts
    # for the last page's user), and leaves the person's flash messages alone.
    request.user = AnonymousUser()
    return render(
        request, "offline/offline.html", {"offline_page": True, "messages": ()}
    )


@require_GET
@login_required
def outbox_page(request: HttpRequest) -> HttpResponse:
    """What waits on this phone to be sent, filled by static/js/app.js."""
    return render(request, "offline/outbox.html")


@require_GET
@login_required
@never_cache
def outbox_key_view(request: HttpRequest) -> JsonResponse:
    """The signed-in user's outbox key, for static/js/app.js to encrypt entries.

    Fetched once per sign-in and kept in IndexedDB as a non-extractable
    CryptoKey (deleted on sign-out); never put in a page, so the service
    worker's saved pages hold no key. ``user`` is the id the entries are kept
    under, so a page acting for someone else does not take this key.
    """
    user_pk = cast(int, request.user.pk)  # signed in: login_required
    key = base64.urlsafe_b64encode(outbox_key(user_pk)).decode()
    return JsonResponse({"user": outbox_user_id(user_pk), "key": key})
