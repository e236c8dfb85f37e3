"""Map service-layer errors to DRF responses: field errors as 400, never a 500.

Also the one place a rate limit (``cpd.limits.RateLimited``) becomes an HTTP
429 with ``Retry-After``: API views let it propagate instead of catching it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from cpd.limits import RateLimited


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Django's ValidationError becomes a DRF one with the same field errors.

    Django's PermissionDenied becomes a 403 and RateLimited a 429 (Throttled).
    """
    if isinstance(exc, DjangoValidationError):
        detail: Any = (
            exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        )
        exc = exceptions.ValidationError(detail=detail)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, RateLimited):
        exc = exceptions.Throttled(wait=exc.wait_seconds, detail=str(exc))
    return drf_exception_handler(exc, context)
