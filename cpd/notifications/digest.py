"""The SMS digest: what is waiting, counted by kind, in one SMS segment.

For example "CPD: 3 replies, 1 session tomorrow. Open: https://…/notifications/".
``cpd`` cannot import the apps, so the kinds are named here by their strings;
any other kind counts as an "other update". The counts that do not fit in one
segment fold into "N more", so 30 pending events still cost one SMS.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cpd.notifications import sms_text


def _phrase(kind: str, n: int) -> str:
    """``n`` events of ``kind``, as a short counted phrase (literal msgids)."""
    if kind == "forums.reply":
        return ngettext("%(n)d reply", "%(n)d replies", n) % {"n": n}
    if kind == "forums.mention":
        return ngettext("%(n)d mention", "%(n)d mentions", n) % {"n": n}
    if kind == "forums.accepted":
        return ngettext("%(n)d accepted answer", "%(n)d accepted answers", n) % {"n": n}
    if kind == "mentoring.message":
        return ngettext("%(n)d message", "%(n)d messages", n) % {"n": n}
    if kind == "mentoring.mentee_question":
        return ngettext("%(n)d mentee question", "%(n)d mentee questions", n) % {"n": n}
    if kind == "courses.session_tomorrow":
        return ngettext("%(n)d session tomorrow", "%(n)d sessions tomorrow", n) % {
            "n": n
        }
    if kind == "courses.module_opened":
        return ngettext("%(n)d new module", "%(n)d new modules", n) % {"n": n}
    if kind == "courses.certificate":
        return ngettext("%(n)d certificate", "%(n)d certificates", n) % {"n": n}
    if kind == "rooms.case_opened":
        return ngettext("%(n)d case room", "%(n)d case rooms", n) % {"n": n}
    if kind == "mentoring.checkin":
        return ngettext("%(n)d check-in due", "%(n)d check-ins due", n) % {"n": n}
    return ngettext("%(n)d other update", "%(n)d other updates", n) % {"n": n}


def sms_digest_text(kinds_pending: Iterable[str], link: str) -> str:
    """One segment naming the sender, the counts by kind and the link.

    Call it with the recipient's language active.
    """
    counts = Counter(
        k if _phrase(k, 1) != _phrase("", 1) else "" for k in kinds_pending
    )
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    total = sum(counts.values())
    for shown in range(len(ordered), 0, -1):
        parts = [_phrase(kind, n) for kind, n in ordered[:shown]]
        rest = total - sum(n for _kind, n in ordered[:shown])
        if rest:
            parts.append(_("%(n)d more") % {"n": rest})
        text = sms_text.plain(
            _("CPD: %(counts)s. Open: %(link)s")
            % {"counts": ", ".join(parts), "link": link}
        )
        if sms_text.segments(text) <= 1:
            return text
    return sms_text.fit(_("CPD: %(n)d new.") % {"n": total}, link, max_segments=1)
