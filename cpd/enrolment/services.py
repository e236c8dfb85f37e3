"""Enrol a cohort from a spreadsheet: check it, confirm it, apply it in chunks.

``enrolment_check`` reads the file and gives every row a verdict (new person,
joins the cohort, updated, already a member, error) without changing anyone.
``enrolment_confirm`` owes the Celery task that applies it; the task calls
``enrolment_apply_chunk`` until it says it is done. Each chunk is one
transaction over the next rows without an outcome, and recomputes their
verdicts against the database as it is then, so a worker killed mid-import
resumes where it stopped, a rerun changes nothing, and someone who signed up
between preview and confirmation is joined rather than duplicated.

Who a row is: the account with its email, else the account with its phone. An
email of one account with the phone of another is an error, never a merge. An
account that has signed in keeps its own profile: the sheet only sets its
cohort role and mentor. An account made by an earlier enrolment, not yet
claimed, is updated from the sheet.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cpd import outbox
from cpd.administration.services import membership_role_change
from cpd.enrolment import hooks, normalise, reading
from cpd.enrolment import policies as enrolment_policies
from cpd.enrolment.models import (
    EnrolmentImport,
    EnrolmentRow,
    ImportStatus,
    Outcome,
    Verdict,
)
from cpd.models import Cohort, Invitation, Membership, Role, User
from cpd.services import membership_add

CHUNK = 200

# Row field -> User field an update may set (contact fields only when empty).
PROFILE = {
    "name": "display_name",
    "cadre": "cadre",
    "facility": "facility",
    "district": "district",
    "language": "preferred_language",
}


@dataclass
class Found:
    """The database as one verdict pass needs it: a constant number of queries."""

    by_email: dict[str, User]
    by_phone: dict[str, User]
    roles: dict[int, str]  # user id -> role in the cohort
    mentors: dict[int, int]  # learner id -> current mentor id
    mentor_people: dict[str, User]  # email or phone -> account
    elsewhere: set[int]  # accounts with a membership in another organisation


def _find(cohort: Cohort, rows: Sequence[EnrolmentRow]) -> Found:
    emails = {r.email for r in rows if r.email}
    phones = {r.phone for r in rows if r.phone}
    refs = {r.mentor for r in rows if r.mentor}
    users = list(
        User.objects.filter(
            Q(email__in=emails | {m for m in refs if "@" in m})
            | Q(phone__in=phones | {m for m in refs if "@" not in m})
        )
    )
    by_email = {u.email: u for u in users if u.email}
    by_phone = {u.phone: u for u in users if u.phone}
    roles = dict(
        Membership.objects.filter(cohort=cohort, user__in=users).values_list(
            "user_id", "role"
        )
    )
    learner_ids = [u.pk for u in users if roles.get(u.pk) == Role.LEARNER]
    mentor_people = {
        ref: user
        for ref in refs
        if (user := by_email.get(ref) if "@" in ref else by_phone.get(ref))
    }
    elsewhere = set(
        Membership.objects.filter(user__in=users)
        .exclude(cohort__organisation_id=cohort.organisation_id)
        .values_list("user_id", flat=True)
    )
    return Found(
        by_email,
        by_phone,
        roles,
        hooks.current_mentors(cohort, learner_ids),
        mentor_people,
        elsewhere,
    )


def _judge(row: EnrolmentRow, found: Found, file_mentors: set[str]) -> None:
    """Set ``row``'s verdict, message, changes and user from ``found``."""
    row.changes, row.message, row.user = [], "", None
    by_email = found.by_email.get(row.email) if row.email else None
    by_phone = found.by_phone.get(row.phone) if row.phone else None
    if by_email and by_phone and by_email.pk != by_phone.pk:
        return _error(
            row, _("The email and the phone number belong to two different accounts.")
        )
    user = by_email or by_phone
    if user is not None:
        if row.email and user.email and user.email != row.email:
            return _error(
                row, _("This phone number belongs to an account with another email.")
            )
        if row.phone and user.phone and user.phone != row.phone:
            return _error(
                row, _("This email belongs to an account with another phone number.")
            )
        if not user.is_active:
            return _error(row, _("This account is closed."))
    mentor = None
    if row.mentor:
        mentor = found.mentor_people.get(row.mentor)
        is_mentor = (mentor and found.roles.get(mentor.pk) == Role.MENTOR) or (
            row.mentor in file_mentors
        )
        if not is_mentor:
            return _error(
                row,
                _("The mentor %(who)s is not a mentor of this cohort or of this file.")
                % {"who": row.mentor},
            )
    if user is None:
        row.verdict = Verdict.NEW
        return None
    row.user = user
    role = found.roles.get(user.pk)
    changes = []
    if _unclaimed_here(user, found):
        for field, attr in PROFILE.items():
            value = getattr(row, field)
            if value and getattr(user, attr) != value:
                changes.append(field)
        if row.email and not user.email:
            changes.append("email")
        if row.phone and not user.phone:
            changes.append("phone")
    if role is None:
        row.verdict, row.changes = Verdict.JOIN, changes
        return None
    if role == Role.ADMIN:
        row.message = _("An administrator of the cohort: the role is not changed.")
    elif role != row.role:
        changes.append("role")
    if (
        row.mentor
        and role == Role.LEARNER
        and (mentor is None or found.mentors.get(user.pk) != mentor.pk)
    ):
        changes.append("mentor")
    row.changes = changes
    row.verdict = Verdict.UPDATE if changes else Verdict.MEMBER
    return None


def _unclaimed_here(user: User, found: Found) -> bool:
    """An account this organisation's enrolment made and its person never claimed.

    Only such an account takes its profile and contact details from the sheet:
    a person who chose a password owns their profile, and an account another
    organisation enrolled is not this organisation's to rewrite (filling in an
    email would let whoever controls it reset the password).
    """
    return not user.has_usable_password() and user.pk not in found.elsewhere


def _error(row: EnrolmentRow, message: str) -> None:
    row.verdict, row.message, row.changes, row.user = Verdict.ERROR, message, [], None


def _rows_from_sheet(sheet: reading.Sheet, region: str) -> list[EnrolmentRow]:
    rows: list[EnrolmentRow] = []
    first_email: dict[str, int] = {}
    first_phone: dict[str, int] = {}
    for number, values in sheet.rows:
        p = normalise.person(sheet, values, region=region)
        row = EnrolmentRow(
            number=number,
            cells=sheet.cells(values),
            name=p.name,
            email=p.email,
            phone=p.phone,
            role=p.role,
            cadre=p.cadre,
            facility=p.facility,
            district=p.district,
            language=p.language,
            mentor=p.mentor,
        )
        errors = list(p.errors)
        same = (p.email and first_email.get(p.email)) or (
            p.phone and first_phone.get(p.phone)
        )
        if same:
            errors.append(
                _("The same person as row %(row)s (same email or phone).")
                % {"row": same}
            )
        else:
            if p.email:
                first_email[p.email] = number
            if p.phone:
                first_phone[p.phone] = number
        if errors:
            row.verdict, row.message = Verdict.ERROR, " ".join(errors)[:300]
        rows.append(row)
    return rows


def _file_mentors(rows: Iterable[EnrolmentRow]) -> set[str]:
    """Emails and phones of the rows that will be mentors of the cohort."""
    refs: set[str] = set()
    for row in rows:
        if row.role == Role.MENTOR and row.verdict != Verdict.ERROR:
            refs.update(x for x in (row.email, row.phone) if x)
    return refs


def enrolment_check(
    *, actor: User, cohort: Cohort, filename: str, data: bytes
) -> EnrolmentImport:
    """Read a spreadsheet and judge every row; changes nobody (the preview)."""
    if not enrolment_policies.can_enrol(actor, cohort):
        raise PermissionDenied(enrolment_policies.enrol_refusal(actor, cohort))
    sheet = reading.read(data, filename)
    rows = _rows_from_sheet(sheet, cohort.phone_region)
    valid = [r for r in rows if r.verdict != Verdict.ERROR]
    found = _find(cohort, valid)
    mentors = _file_mentors(rows)
    for row in valid:
        _judge(row, found, mentors)
    sha = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        enrolment = EnrolmentImport.objects.create(
            cohort=cohort,
            created_by=actor,
            filename=filename[-200:],
            sha256=sha,
            encoding=sheet.encoding,
            delimiter=sheet.delimiter,
            columns={k: sheet.headers[i] for k, i in sheet.columns.items()},
            ignored_columns=sheet.ignored,
            blank_rows=sheet.blank_rows,
            rows_total=len(rows),
            verdicts=dict(Counter(r.verdict for r in rows)),
            same_as=EnrolmentImport.objects.filter(
                cohort=cohort, sha256=sha, status=ImportStatus.DONE
            ).first(),
        )
        for row in rows:
            row.enrolment = enrolment
        EnrolmentRow.objects.bulk_create(rows, batch_size=500)
    return enrolment


def _require_admin(actor: User, enrolment: EnrolmentImport) -> None:
    if not enrolment_policies.can_view_enrolment(actor, enrolment):
        raise PermissionDenied(_("Only the cohort's administrators can enrol people."))
    if enrolment.cohort.is_archived:
        raise PermissionDenied(_("This cohort is archived."))


def enrolment_confirm(*, actor: User, enrolment: EnrolmentImport) -> EnrolmentImport:
    """Start applying a checked file (once: a second confirmation changes nothing)."""
    _require_admin(actor, enrolment)
    with transaction.atomic():
        locked = EnrolmentImport.objects.select_for_update().get(pk=enrolment.pk)
        if locked.status != ImportStatus.READY:
            raise ValidationError(
                _("This file was already confirmed or cancelled: upload it again.")
            )
        locked.status = ImportStatus.APPLYING
        locked.confirmed_by = actor
        locked.confirmed_at = timezone.now()
        locked.save(update_fields=["status", "confirmed_by", "confirmed_at"])
        from cpd.enrolment.tasks import enrolment_apply

        outbox.enqueue(enrolment_apply, locked.pk)
    locked.refresh_from_db()
    return locked


def enrolment_cancel(*, actor: User, enrolment: EnrolmentImport) -> EnrolmentImport:
    """Drop a checked file without applying it."""
    if not enrolment_policies.can_view_enrolment(actor, enrolment):
        raise PermissionDenied(_("Only the cohort's administrators can enrol people."))
    updated = EnrolmentImport.objects.filter(
        pk=enrolment.pk, status=ImportStatus.READY
    ).update(status=ImportStatus.CANCELLED, finished_at=timezone.now())
    if not updated:
        raise ValidationError(
            _("Only a file waiting for confirmation can be cancelled.")
        )
    enrolment.refresh_from_db()
    return enrolment


def _invitation(
    enrolment: EnrolmentImport, row: EnrolmentRow, user: User
) -> Invitation:
    return Invitation(
        cohort=enrolment.cohort,
        role=row.role,
        email=row.email,
        phone=row.phone,
        language=row.language,
        created_by=enrolment.confirmed_by,
        expires_at=timezone.now() + settings.INVITATION_TTL,
        user=user,
    )


def _new_user(row: EnrolmentRow) -> User:
    user = User(
        email=row.email or None,
        phone=row.phone or None,
        display_name=row.name,
        cadre=row.cadre,
        facility=row.facility,
        district=row.district,
        preferred_language=row.language or settings.LANGUAGE_CODE,
    )
    user.set_unusable_password()
    return user


def _create_people(
    enrolment: EnrolmentImport, rows: list[EnrolmentRow], invites: list[int]
) -> None:
    """New people of a chunk in a few bulk inserts (accounts, members, invitations).

    They have never signed in, so no socket waits for a membership event and no
    role cache holds them: ``membership_add``'s side effects are not needed.
    """
    users = User.objects.bulk_create([_new_user(row) for row in rows])
    Membership.objects.bulk_create(
        Membership(cohort=enrolment.cohort, user=user, role=row.role)
        for row, user in zip(rows, users, strict=True)
    )
    invitations = Invitation.objects.bulk_create(
        _invitation(enrolment, row, user) for row, user in zip(rows, users, strict=True)
    )
    invites += [invitation.pk for invitation in invitations]
    for row, user in zip(rows, users, strict=True):
        row.user, row.outcome = user, Outcome.CREATED


def _apply_row(
    enrolment: EnrolmentImport, row: EnrolmentRow, invites: list[int]
) -> None:
    cohort = enrolment.cohort
    if row.verdict == Verdict.ERROR:
        row.outcome, row.outcome_message = Outcome.SKIPPED, row.message
        return
    if row.verdict == Verdict.MEMBER:
        row.outcome = Outcome.UNCHANGED
        return
    if row.verdict == Verdict.NEW:
        new = _new_user(row)
        new.save()
        membership_add(cohort=cohort, user=new, role=row.role)
        invitation = _invitation(enrolment, row, new)
        invitation.save()
        invites.append(invitation.pk)
        row.user, row.outcome = new, Outcome.CREATED
        return
    user = row.user
    if user is None:  # a JOIN or UPDATE verdict always names its account
        raise ValidationError(_("The account of this row is gone."))
    fields = []
    for field in row.changes:
        if field in PROFILE:
            setattr(user, PROFILE[field], getattr(row, field))
            fields.append(PROFILE[field])
        elif field in ("email", "phone"):
            setattr(user, field, getattr(row, field))
            fields.append(field)
    if fields:
        user.save(update_fields=fields)
    if row.verdict == Verdict.JOIN:
        membership_add(cohort=cohort, user=user, role=row.role)
        row.outcome = Outcome.ADDED
        return
    if "role" in row.changes:
        # Through the administrator's area: the change is in the audit log.
        membership_role_change(
            actor=enrolment.confirmed_by or user,
            membership=Membership.objects.get(cohort=cohort, user=user),
            role=row.role,
        )
    row.outcome = Outcome.UPDATED


def _assign_mentor(
    enrolment: EnrolmentImport, row: EnrolmentRow, people: dict[str, User]
) -> None:
    mentor = people.get(row.mentor)
    if row.user is None or mentor is None:
        note = _("Mentor not assigned: %(who)s has no account.") % {"who": row.mentor}
    else:
        result = hooks.assign_mentor(
            enrolment.confirmed_by or mentor, enrolment.cohort, row.user, mentor
        )
        if result is None:
            note = _("Mentor not assigned: mentoring is not installed.")
        elif result:
            note = _("Mentor not assigned: %(why)s") % {"why": result}
        else:
            note = ""
    if note:
        row.outcome_message = " ".join(x for x in (row.outcome_message, note) if x)[
            :300
        ]


def _pending_mentors(enrolment: EnrolmentImport) -> list[EnrolmentRow]:
    return list(
        enrolment.rows.filter(
            outcome__in=[Outcome.CREATED, Outcome.ADDED, Outcome.UPDATED]
        )
        .exclude(mentor="")
        .filter(mentor_done=False, role=Role.LEARNER)
        .select_related("user")
        .order_by("number")[:CHUNK]
    )


def enrolment_apply_chunk(*, enrolment_id: int) -> bool:
    """Apply the next rows of a confirmed file; False once done (or not applying)."""
    with transaction.atomic():
        enrolment = (
            EnrolmentImport.objects.select_for_update(of=("self",))
            .select_related("cohort", "confirmed_by")
            .filter(pk=enrolment_id)
            .first()
        )
        if enrolment is None or enrolment.status != ImportStatus.APPLYING:
            return False
        if enrolment.cohort.is_archived:
            # Archived after confirming: nothing more is written into it.
            enrolment.rows.filter(outcome="").update(
                outcome=Outcome.SKIPPED,
                outcome_message=_("Not enrolled: the cohort was archived."),
            )
        rows = list(enrolment.rows.filter(outcome="").order_by("number")[:CHUNK])
        if rows:
            _apply_rows(enrolment, rows)
            return True
        pending = _pending_mentors(enrolment)
        if pending:
            refs = {r.mentor for r in pending}
            people: dict[str, User] = {}
            for u in User.objects.filter(Q(email__in=refs) | Q(phone__in=refs)):
                people.update({key: u for key in (u.email, u.phone) if key in refs})
            for row in pending:
                _assign_mentor(enrolment, row, people)
                row.mentor_done = True
            EnrolmentRow.objects.bulk_update(
                pending, ["outcome_message", "mentor_done"]
            )
            return True
        enrolment.status = ImportStatus.DONE
        enrolment.finished_at = timezone.now()
        enrolment.outcomes = dict(
            Counter(enrolment.rows.values_list("outcome", flat=True))
        )
        enrolment.save(update_fields=["status", "finished_at", "outcomes"])
        return False


def enrolment_stopped(*, enrolment_id: int, error: BaseException) -> None:
    """Record where and why the task stopped (its chunk was rolled back)."""
    first = (
        EnrolmentRow.objects.filter(enrolment_id=enrolment_id, outcome="")
        .order_by("number")
        .values_list("number", flat=True)
        .first()
    )
    EnrolmentImport.objects.filter(
        pk=enrolment_id, status=ImportStatus.APPLYING
    ).update(error=f"{type(error).__name__}: {error}"[:300], stopped_at_row=first)


def _apply_rows(enrolment: EnrolmentImport, rows: list[EnrolmentRow]) -> None:
    before = {r.pk: (r.verdict, r.message, list(r.changes), r.user_id) for r in rows}
    # Verdicts as the database is now: the preview may be hours old.
    live = [r for r in rows if r.verdict != Verdict.ERROR]
    found = _find(enrolment.cohort, live)
    mentors = _file_mentors(enrolment.rows.filter(role=Role.MENTOR))
    for row in live:
        _judge(row, found, mentors)
    invites: list[int] = []
    new = [r for r in rows if r.verdict == Verdict.NEW]
    if new:
        try:
            with transaction.atomic():
                _create_people(enrolment, new, invites)
        except IntegrityError:
            # Someone took an email or phone since the check: one row at a time.
            for row in new:
                row.user, row.outcome = None, ""
            invites.clear()
    for row in rows:
        if row.outcome:
            continue
        if row.verdict in (Verdict.ERROR, Verdict.MEMBER):  # nothing to write
            _apply_row(enrolment, row, invites)
            continue
        try:
            with transaction.atomic():
                _apply_row(enrolment, row, invites)
        except IntegrityError:
            # Someone took this email or phone between two rows' checks (the
            # database's own text would name other people's addresses).
            row.outcome = Outcome.SKIPPED
            row.outcome_message = _(
                "Not enrolled: this email or phone number was just taken by "
                "another account. Upload the row again."
            )
        except (ValidationError, PermissionDenied) as error:
            row.outcome = Outcome.SKIPPED
            row.outcome_message = (
                _("Not enrolled: %(error)s")
                % {"error": " ".join(getattr(error, "messages", [str(error)]))}
            )[:300]
        if row.outcome != Outcome.SKIPPED and not row.outcome_message:
            row.outcome_message = row.message
    if invites:
        from cpd.enrolment.tasks import enrolment_invitations_send

        outbox.enqueue(enrolment_invitations_send, invites)
    _save_rows(rows, before)
    EnrolmentImport.objects.filter(pk=enrolment.pk).update(
        rows_done=enrolment.rows.exclude(outcome="").count(),
        error="",
        stopped_at_row=None,
    )


def _save_rows(
    rows: list[EnrolmentRow], before: dict[int, tuple[str, str, list[str], int | None]]
) -> None:
    """Write the chunk's outcomes in one UPDATE per kind of outcome.

    ``bulk_update`` would build a CASE over every row for every field; most rows
    of a chunk share their outcome, so grouping them is a handful of statements.
    """
    groups: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    moved = []
    for row in rows:
        verdict, message, changes, user_id = before[row.pk]
        same_message = row.outcome_message == row.message == message
        judged = (row.verdict, row.message, tuple(row.changes))
        key = (
            row.outcome,
            None if same_message else row.outcome_message,
            None if judged == (verdict, message, tuple(changes)) else judged,
        )
        groups[key].append(row.pk)
        if row.user_id != user_id:
            moved.append(row)
    for (outcome, outcome_message, judged), pks in groups.items():
        values: dict[str, Any] = {
            "outcome": outcome,
            "outcome_message": F("message")
            if outcome_message is None
            else outcome_message,
        }
        if judged is not None:
            values.update(verdict=judged[0], message=judged[1], changes=list(judged[2]))
        EnrolmentRow.objects.filter(pk__in=pks).update(**values)
    if moved:
        EnrolmentRow.objects.bulk_update(moved, ["user"])
