"""A ministry's spreadsheet of 5,000 health workers: check, confirm, re-upload.

Drops and re-creates the database named in ``DATABASE_URL`` (it must be called
``cpd_bench_enrol``), migrates it, makes one cohort with 500 existing members
and 500 accounts elsewhere, then builds a sheet of ``--rows`` people (as CSV in
Windows-1252 with ``;`` separators, and as XLSX) where 10% are members already,
10% have accounts, 2% have errors and the rest are new. It measures:

* check: reading and judging the file (the request behind the preview);
* apply: the Celery task over every row (in-process, eager Celery), including
  the invitations it queues (the email backend is Django's in-memory one);
* the same file again: check, and that applying it changes nothing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cpd_bench_enrol \\
    .venv/bin/python bench/enrolment.py [--rows 5000]

Without ``DATABASE_URL`` it runs on a throw-away SQLite file.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchdb import out, recreate_database  # noqa: E402

DB_NAME = "cpd_bench_enrol"
HEADER = ["Nom", "Téléphone", "Courriel", "Rôle", "Cadre", "District", "Langue"]


def load() -> tuple[Any, Any]:
    from django.utils import timezone

    from cpd.models import Cohort, Membership, Organisation, Role, User

    org = Organisation.objects.create(name="Ministry", slug="ministry")
    admin = User.objects.create_user(email="coordinator@bench.test", display_name="C")
    org.admins.add(admin)
    cohort = Cohort.objects.create(
        organisation=org,
        name="National cohort",
        starts_on=timezone.localdate(),
        phone_region="KE",
    )
    people = User.objects.bulk_create(
        User(email=f"p{n}@bench.test", phone=f"+2547{n:08d}", display_name=f"P {n}")
        for n in range(1000)
    )
    Membership.objects.bulk_create(
        Membership(cohort=cohort, user=u, role=Role.LEARNER) for u in people[:500]
    )
    return admin, cohort


def rows(count: int) -> list[list[str]]:
    table = []
    members = elsewhere = 0
    for n in range(count):
        kind = n % 50
        if kind < 5 and members < 500:  # a member already, as written
            m, members = members, members + 1
            table.append([f"P {m}", f"07{m:08d}", "", "", "", "", ""])
        elif kind < 10 and elsewhere < 500:  # has an account elsewhere
            m, elsewhere = 500 + elsewhere, elsewhere + 1
            table.append([f"P {m}", f"07{m:08d}", "", "", "", "", ""])
        elif kind == 10:  # an error
            table.append([f"Broken {n}", "12", "", "", "pilot", "", ""])
        else:
            table.append(
                [
                    f"Infirmière {n}",
                    f"0711{n:06d}",
                    f"n{n}@bench.test",
                    "",
                    "sage-femme",
                    "Kisumu",
                    "fr",
                ]
            )
    return table


def as_csv(table: list[list[str]]) -> bytes:
    lines = [";".join(HEADER)] + [";".join(r) for r in table]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def as_xlsx(table: list[list[str]]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in table:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def timed(label: str, fn: Any, rows: int = 0) -> Any:
    """Run ``fn``, print its time and the SQL statements it made (per row)."""
    from django.db import connection

    count = [0]

    def counter(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        count[0] += 1
        return execute(sql, params, many, context)

    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        result = fn()
    took = time.perf_counter() - started
    per_row = f", {count[0] / rows:.2f} per row" if rows else ""
    out(f"{label:36} {took:7.2f} s  {count[0]:6d} queries{per_row}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpd.settings.dev")
    os.environ["DJANGO_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    if os.environ.get("DATABASE_URL"):
        recreate_database(os.environ["DATABASE_URL"], DB_NAME)
    else:
        path = Path(tempfile.mkdtemp()) / "bench.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    import django

    django.setup()
    from django.core import mail
    from django.core.management import call_command
    from django.db import connection

    from cpd.enrolment import services, tasks
    from cpd.models import Invitation, User

    call_command("migrate", verbosity=0)
    admin, cohort = load()
    table = rows(args.rows)
    csv_data, xlsx_data = as_csv(table), as_xlsx(table)
    out(
        f"{connection.vendor}, {args.rows} rows: CSV {len(csv_data) // 1024} KB, "
        f"XLSX {len(xlsx_data) // 1024} KB"
    )

    def check(data: bytes, name: str) -> Any:
        return services.enrolment_check(
            actor=admin, cohort=cohort, filename=name, data=data
        )

    timed("check XLSX (preview)", lambda: check(xlsx_data, "list.xlsx"), args.rows)
    enrolment = timed(
        "check CSV cp1252 ; (preview)", lambda: check(csv_data, "list.csv"), args.rows
    )
    out(f"  verdicts {enrolment.verdicts}")
    users = User.objects.count()

    def apply() -> None:
        services.enrolment_confirm(actor=admin, enrolment=enrolment)
        tasks.enrolment_apply(enrolment.pk)

    mail.outbox = []
    # Time spent sending invitations inside the apply (eager Celery runs the
    # invitations task in-process; in production a worker sends them).
    from cpd import services as cpd_services

    sending = [0.0]
    send = cpd_services.invitation_send

    def timed_send(*, invitation_id: int) -> bool:
        started = time.perf_counter()
        try:
            return send(invitation_id=invitation_id)
        finally:
            sending[0] += time.perf_counter() - started

    cpd_services.invitation_send = timed_send
    timed("confirm + apply (task, with emails)", apply, args.rows)
    cpd_services.invitation_send = send
    out(f"  of which sending {len(mail.outbox)} invitations: {sending[0]:.2f} s")
    enrolment.refresh_from_db()
    out(
        f"  outcomes {enrolment.outcomes}; {User.objects.count() - users} accounts, "
        f"{Invitation.objects.count()} invitations, {len(mail.outbox)} emails"
    )
    again = timed(
        "same file again: check", lambda: check(csv_data, "list.csv"), args.rows
    )
    out(f"  verdicts {again.verdicts}; same_as={again.same_as_id}")
    before = User.objects.count(), Invitation.objects.count()

    def apply_again() -> None:
        services.enrolment_confirm(actor=admin, enrolment=again)
        tasks.enrolment_apply(again.pk)

    timed("same file again: apply", apply_again, args.rows)
    after = User.objects.count(), Invitation.objects.count()
    out(f"  accounts and invitations before {before}, after {after}")


if __name__ == "__main__":
    main()
