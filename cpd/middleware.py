"""Request middleware of our own: the preferred language, text-only gzip, and
redirects answered to the browser outbox."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.gzip import GZipMiddleware
from django.utils import translation


class PreferredLanguageMiddleware:
    """The language cookie wins; otherwise the profile's preferred language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
            and user.preferred_language in dict(settings.LANGUAGES)
        ):
            translation.activate(user.preferred_language)
            request.LANGUAGE_CODE = user.preferred_language
        return self.get_response(request)


class OutboxRedirectMiddleware:
    """A redirect answered to the outbox's fetch (static/js/app.js) as a 204.

    The outbox sends its forms with fetch, which follows a redirect by itself:
    the page it fetched would take the flash message ("You are checked in") and
    be downloaded again when the browser goes there. A POST marked
    ``X-Outbox: 1`` gets ``204`` with the target in ``X-Outbox-Location``
    instead (and the redirect's cookies), and the browser goes there once,
    fragment included.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if (
            request.method == "POST"
            and request.headers.get("X-Outbox") == "1"
            and response.status_code in (301, 302, 303, 307, 308)
        ):
            answer = HttpResponse(status=204)
            answer["X-Outbox-Location"] = response["Location"]
            answer.cookies = response.cookies
            return answer
        return response


# Media types worth compressing; photos and PDFs are compressed already.
COMPRESSIBLE_TYPES = (
    "text/",
    "application/json",
    "application/javascript",
    "application/manifest+json",
    "application/xml",
    "image/svg+xml",
)


class TextGZipMiddleware(GZipMiddleware):
    """Django's gzip (with its BREACH mitigation) for text responses only.

    HTML and JSON shrink five-fold on the slow links learners use; JPEG and
    WebP renditions and PDFs would only cost CPU. Static files never reach
    here: WhiteNoise, above this middleware, serves its precompressed copies.
    """

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        content_type = response.get("Content-Type", "")
        if not content_type.startswith(COMPRESSIBLE_TYPES):
            return response
        return super().process_response(request, response)
