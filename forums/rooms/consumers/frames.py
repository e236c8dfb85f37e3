"""What a case-room socket accepts: the kinds, their fields' types, the form.

The socket is one more way in, so a frame passes the same checks as the page
form (``MessageFrameForm``) before a service sees it; a refusal is a
``FrameError`` with a stable code, which the consumer sends back as an
``error`` event while the socket stays open.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cpd.consumers import FrameError
from forums.rooms.forms import MessageFrameForm

# kind -> field -> the JSON type it must have when present (None is "absent").
KINDS: dict[str, dict[str, type]] = {
    "ping": {},
    "resume": {"after": int},
    "message": {"body": str, "client_key": str, "reply_to": int, "image": int},
}

# Django's validation codes -> ours (stable, documented in docs/rooms.md).
FORM_CODES = {
    "null_characters_not_allowed": "nul_byte",
    "max_length": "too_long",
    "required": "required",
}


def frame_kind(content: dict[str, Any]) -> str:
    """The frame's kind, once its fields have the types that kind expects."""
    kind = content.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        raise FrameError("unknown_kind", _("Unknown kind of message."))
    for name, expected in KINDS[kind].items():
        value = content.get(name)
        # bool is an int to Python, never to us.
        if value is not None and (
            not isinstance(value, expected) or isinstance(value, bool)
        ):
            raise FrameError(
                "wrong_type",
                _("The field %(field)s has the wrong type.") % {"field": name},
                field=name,
                **client_key_of(content),
            )
    return kind


def message_clean(content: dict[str, Any]) -> dict[str, Any]:
    """A message frame's fields, checked by the page form's rules."""
    form = MessageFrameForm(
        {
            "body": content.get("body") or "",
            "client_key": content.get("client_key") or "",
            "reply_to": content.get("reply_to"),
            "image": content.get("image"),
        }
    )
    if form.is_valid():
        return form.cleaned_data
    field, errors = next(iter(form.errors.as_data().items()))
    raise FrameError(
        FORM_CODES.get(errors[0].code or "", "invalid"),
        " ".join(str(m) for e in errors for m in e.messages),
        field=field,
        **client_key_of(content),
    )


def service_error(exc: ValidationError) -> tuple[str, str | None, str]:
    """A service's refusal as (code, field or None, message)."""
    if hasattr(exc, "error_dict"):
        field, errors = next(iter(exc.error_dict.items()))
    else:
        field, errors = None, exc.error_list
    code = errors[0].code or "invalid"
    return code, field, " ".join(exc.messages)


def client_key_of(content: dict[str, Any]) -> dict[str, str]:
    """The frame's client key, echoed so the client can tell which message failed."""
    key = content.get("client_key")
    return {"client_key": key} if isinstance(key, str) else {}
