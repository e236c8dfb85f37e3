"""Signed QR attendance: rotating codes a learner scans or types, even offline.

The facilitator's page shows, for the current 30-second window, a QR code of
the URL ``/courses/sessions/<id>/here/?w=<window>&s=<signature>`` and a short
code of 8 characters. Both are an HMAC (keyed with SECRET_KEY) over the
session's id, its random ``checkin_salt`` and the window number, so they can
be neither forged nor moved to another session.

What counts is the window the code was shown in, not when it reaches the
server: a learner who scanned without a signal is counted when the phone
syncs, as long as that is within ``settings.ATTENDANCE_CHECKIN_GRACE``
(24 hours by default). Checking in twice changes nothing.

The short code carries the window too (its first 3 characters are the window
number modulo 32,768, about 11 days), so a code typed offline verifies later.
Its last 5 characters are 25 bits of signature; with the rate limit on tries
(``cpd.limits``, action ``attendance_code``) guessing one is hopeless.
"""

from __future__ import annotations

import base64
import datetime as dt
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from courses import policies, selectors
from courses.models import Session
from courses.services.sessions import ATTENDANCE_OPENS_BEFORE, attendance_mark_present
from cpd.limits import rate_limit_hit
from cpd.models import User

WINDOW_SECONDS = 30
# The code is shown until this long after the session's end (sessions overrun).
ATTENDANCE_CLOSES_AFTER = dt.timedelta(hours=1)
# A phone clock or a page a few seconds ahead: accept the next window too.
_FUTURE_WINDOWS = 1

# Crockford's base 32: no I, L, O or U, so a code reads aloud and types cleanly.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_TYPOS = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
_WINDOW_CHARS = 3
_SIGNATURE_CHARS = 5
CODE_LENGTH = _WINDOW_CHARS + _SIGNATURE_CHARS
_WINDOW_MODULUS = len(ALPHABET) ** _WINDOW_CHARS
_KEY_SALT = "courses.checkin"


@dataclass(frozen=True)
class CheckInCode:
    """What the facilitator's page shows for one window."""

    session_id: int
    window: int
    signature: str
    code: str
    path: str
    seconds_left: int

    @property
    def code_display(self) -> str:
        """The short code in two groups of four, as it is read aloud."""
        return f"{self.code[:4]}-{self.code[4:]}"


@dataclass(frozen=True)
class CheckIn:
    """The outcome of a check-in: the session, and whether this call counted it."""

    session: Session
    created: bool


def window_at(moment: dt.datetime) -> int:
    """The number of the 30-second window a moment falls in."""
    return int(moment.timestamp()) // WINDOW_SECONDS


def window_start(window: int) -> dt.datetime:
    """When a window began."""
    return dt.datetime.fromtimestamp(window * WINDOW_SECONDS, tz=dt.UTC)


def _digest(session: Session, window: int) -> bytes:
    value = f"{session.pk}:{session.checkin_salt}:{window}"
    return salted_hmac(_KEY_SALT, value, algorithm="sha256").digest()


def _encode(number: int, length: int) -> str:
    chars = []
    for _i in range(length):
        number, rest = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[rest])
    return "".join(reversed(chars))


def _decode(text: str) -> int:
    number = 0
    for char in text:
        number = number * len(ALPHABET) + ALPHABET.index(char)
    return number


def checkin_signature(session: Session, window: int) -> str:
    """The URL signature of one window of a session (22 characters)."""
    return base64.urlsafe_b64encode(_digest(session, window)[:16]).decode().rstrip("=")


def checkin_short_code(session: Session, window: int) -> str:
    """The 8-character code of one window: 3 for the window, 5 of signature."""
    bits = int.from_bytes(_digest(session, window)[16:20], "big") >> 7  # 25 bits
    return _encode(window % _WINDOW_MODULUS, _WINDOW_CHARS) + _encode(
        bits, _SIGNATURE_CHARS
    )


def normalise_code(raw: str) -> str:
    """Upper case, no spaces or dashes, common misreadings (O, I, L, U) fixed."""
    kept = "".join(c for c in raw.upper() if c.isalnum())
    return kept.translate(_TYPOS)


def check_in_code_current(
    *, actor: User, session: Session, now: dt.datetime | None = None
) -> CheckInCode:
    """The code to show now; only the session's facilitators may see it.

    Raises ValidationError while the register is closed (from an hour before
    the start until an hour after the end).
    """
    if not policies.can_show_check_in_code(actor, session):
        raise PermissionDenied(_("Only the cohort's mentors and administrators can."))
    now = now or timezone.now()
    if now < session.starts_at - ATTENDANCE_OPENS_BEFORE:
        raise ValidationError(
            {"session": _("Check-in opens an hour before the session starts.")}
        )
    if now > session.ends_at + ATTENDANCE_CLOSES_AFTER:
        raise ValidationError({"session": _("Check-in for this session has closed.")})
    window = window_at(now)
    signature = checkin_signature(session, window)
    path = reverse("courses-session-here", args=[session.pk])
    seconds_left = WINDOW_SECONDS - int(now.timestamp()) % WINDOW_SECONDS
    return CheckInCode(
        session_id=session.pk,
        window=window,
        signature=signature,
        code=checkin_short_code(session, window),
        path=f"{path}?w={window}&s={signature}",
        seconds_left=seconds_left,
    )


def _check_window(session: Session, window: int, now: dt.datetime) -> None:
    """The window is not in the future, within the grace, and in the register."""
    shown_at = window_start(window)
    if window > window_at(now) + _FUTURE_WINDOWS:
        raise ValidationError({"code": _("That code is not valid.")})
    if now - (shown_at + dt.timedelta(seconds=WINDOW_SECONDS)) > (
        settings.ATTENDANCE_CHECKIN_GRACE
    ):
        raise ValidationError(
            {
                "code": _(
                    "That code has expired. Ask the facilitator for the code "
                    "on the screen now."
                )
            }
        )
    opens = session.starts_at - ATTENDANCE_OPENS_BEFORE
    if not opens <= shown_at <= session.ends_at + ATTENDANCE_CLOSES_AFTER:
        raise ValidationError({"code": _("That code is not valid.")})


def _check_in(*, actor: User, session: Session, window: int) -> CheckIn:
    if not policies.can_check_in(actor, session):
        raise PermissionDenied(_("Only the learners of this cohort check in."))
    created = attendance_mark_present(session=session, learner=actor, marked_by=actor)
    return CheckIn(session=session, created=created)


def attendance_check_in(
    *,
    actor: User,
    session: Session,
    window: int,
    signature: str,
    now: dt.datetime | None = None,
) -> CheckIn:
    """Check the learner in with a scanned QR code (idempotent).

    The caller fetched the session through a policy-scoped selector. Raises
    ValidationError (field ``code``) for a wrong, expired or foreign code,
    PermissionDenied for someone not a learner of the cohort, and
    RateLimited after too many tries.
    """
    rate_limit_hit(user_id=actor.pk, action="attendance_code")
    now = now or timezone.now()
    if not policies.can_check_in(actor, session):
        raise PermissionDenied(_("Only the learners of this cohort check in."))
    if not hmac.compare_digest(
        signature.encode(), checkin_signature(session, window).encode()
    ):
        raise ValidationError({"code": _("That code is not valid.")})
    _check_window(session, window, now)
    return _check_in(actor=actor, session=session, window=window)


def attendance_check_in_by_code(
    *, actor: User, code: str, now: dt.datetime | None = None
) -> CheckIn:
    """Check the learner in with a typed short code (idempotent).

    The code names no session: it is tried against the sessions of the
    learner's cohorts that could have shown it within the grace period.
    """
    rate_limit_hit(user_id=actor.pk, action="attendance_code")
    now = now or timezone.now()
    code = normalise_code(code)
    if len(code) != CODE_LENGTH or any(c not in ALPHABET for c in code):
        raise ValidationError(
            {"code": _("Type the 8 letters and digits shown on the screen.")}
        )
    grace = settings.ATTENDANCE_CHECKIN_GRACE
    candidates = selectors.sessions_for_check_in(
        actor,
        starts_before=now + ATTENDANCE_OPENS_BEFORE,
        ends_after=now - grace - ATTENDANCE_CLOSES_AFTER,
    )
    # The latest window not after the next one whose number ends as the code says.
    latest = window_at(now) + _FUTURE_WINDOWS
    window = latest - (latest - _decode(code[:_WINDOW_CHARS])) % _WINDOW_MODULUS
    for session in candidates:
        if hmac.compare_digest(code, checkin_short_code(session, window)):
            _check_window(session, window, now)
            return _check_in(actor=actor, session=session, window=window)
    raise ValidationError({"code": _("That code is not valid.")})
