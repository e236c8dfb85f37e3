"""Default API pagination: keyset (cursor) pages, small for slow links.

DRF's ``CursorPagination`` puts only the first ordering field in its cursor
(plus an offset for ties), so with orderings such as
``("-is_pinned", "-last_post_at", "-pk")`` a page can repeat or skip rows
when others are inserted between requests.  ``KeysetPagination`` instead
encodes the *full* tuple of ordering values of the last row it returned
(base64 JSON) and selects the next page with the lexicographic condition,
e.g. for ``("-a", "b", "-pk")``::

    a < va | (a == va & b > vb) | (a == va & b == vb & pk < vpk)

Rules for views:

* the ordering comes from the view's ``ordering`` attribute, else from the
  queryset's ``order_by``, else from the model's ``Meta.ordering``; if it does
  not end with the primary key, ``-pk`` is appended so every row has a unique
  position;
* ordering fields must be plain field names or annotations that are never
  NULL (use ``Coalesce`` in the queryset for nullable ones);
* links go forward only: ``previous`` is always ``null`` (clients that want
  to go back keep the cursors they have already followed).

A cursor that cannot be decoded, or that does not match the view's ordering,
answers 400 with a message under ``cursor``.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import decimal
import json
import uuid
from collections import OrderedDict
from functools import reduce
from operator import or_
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination, _positive_int
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

_UNIQUE_TAILS = {"pk", "id"}


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()  # full microseconds, unlike DjangoJSONEncoder
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    raise TypeError(f"cannot put {type(value).__name__} in a cursor")


def _field_value(obj: Any, name: str) -> Any:
    value = obj
    for part in name.split("__"):
        value = getattr(value, part)
    return value


class KeysetPagination(CursorPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
    cursor_query_param = "cursor"
    invalid_cursor_message = _(  # type: ignore[assignment]
        "Invalid cursor: follow the 'next' link of a previous page."
    )

    # -- ordering ------------------------------------------------------------
    def get_ordering(
        self, request: Request, queryset: QuerySet, view: Any
    ) -> tuple[str, ...]:
        raw = (
            getattr(view, "ordering", None)
            or queryset.query.order_by
            or queryset.model._meta.ordering
            or ()
        )
        ordering = (raw,) if isinstance(raw, str) else tuple(raw)
        for field in ordering:
            if not isinstance(field, str) or field == "?":
                raise ImproperlyConfigured(
                    f"{type(view).__name__}: keyset pagination needs field names"
                    f" in its ordering, not {field!r}"
                )
        pk_name = queryset.model._meta.pk.name
        if not ordering or ordering[-1].lstrip("-") not in _UNIQUE_TAILS | {pk_name}:
            ordering = (*ordering, "-pk")
        return ordering

    def get_page_size(self, request: Request) -> int:
        if self.page_size_query_param in request.query_params:
            try:
                return _positive_int(
                    request.query_params[self.page_size_query_param],
                    strict=True,
                    cutoff=self.max_page_size,
                )
            except (KeyError, ValueError):
                pass
        return self.page_size

    # -- cursor --------------------------------------------------------------
    def _encode(self, values: list[Any]) -> str:
        raw = json.dumps(values, default=_json_default, separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    def _decode(self, request: Request) -> list[Any] | None:
        encoded = request.query_params.get(self.cursor_query_param)
        if not encoded:
            return None
        try:
            padded = encoded + "=" * (-len(encoded) % 4)
            values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        except (binascii.Error, ValueError, UnicodeDecodeError):
            values = None
        if (
            not isinstance(values, list)
            or len(values) != len(self.ordering)
            or any(v is None or isinstance(v, list | dict) for v in values)
        ):
            raise ValidationError(
                {self.cursor_query_param: [self.invalid_cursor_message]}
            )
        return values

    def _after(self, values: list[Any]) -> Q:
        """Rows strictly after ``values`` in ``self.ordering`` (lexicographic)."""
        branches = []
        for i, field in enumerate(self.ordering):
            name = field.lstrip("-")
            op = "lt" if field.startswith("-") else "gt"
            equal = {f.lstrip("-"): values[j] for j, f in enumerate(self.ordering[:i])}
            branches.append(Q(**equal, **{f"{name}__{op}": values[i]}))
        return reduce(or_, branches)

    # -- DRF hooks -----------------------------------------------------------
    def paginate_queryset(  # type: ignore[override]
        self, queryset: QuerySet, request: Request, view: Any = None
    ) -> list[Any] | None:
        self.request = request
        size = self.get_page_size(request)
        if not size:
            return None
        self.base_url = request.build_absolute_uri()
        self.ordering = self.get_ordering(request, queryset, view)
        position = self._decode(request)
        queryset = queryset.order_by(*self.ordering)
        if position is not None:
            try:
                queryset = queryset.filter(self._after(position))
            except (ValueError, TypeError, DjangoValidationError) as exc:
                raise ValidationError(
                    {self.cursor_query_param: [self.invalid_cursor_message]}
                ) from exc
        rows = list(queryset[: size + 1])
        self.has_next = len(rows) > size
        self.has_previous = False
        self.page = rows[:size]
        self.next_values = (
            [_field_value(self.page[-1], f.lstrip("-")) for f in self.ordering]
            if self.has_next
            else None
        )
        self.display_page_controls = self.template is not None and self.has_next
        return self.page

    def get_next_link(self) -> str | None:
        if not self.next_values or self.base_url is None:
            return None
        return replace_query_param(
            self.base_url, self.cursor_query_param, self._encode(self.next_values)
        )

    def get_previous_link(self) -> str | None:
        return None  # forward-only; see the module docstring

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            OrderedDict(
                [
                    ("next", self.get_next_link()),
                    ("previous", None),
                    ("results", data),
                ]
            )
        )


# The name settings.REST_FRAMEWORK["DEFAULT_PAGINATION_CLASS"] points at.
Pagination = KeysetPagination
