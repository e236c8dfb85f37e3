"""Create (or refresh) believable demo data; safe to run again."""

from __future__ import annotations

import datetime as dt
from importlib import import_module
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from cpd import record, services
from cpd.demo import CLASSMATES, DemoWorld, demo_sign_ins
from cpd.models import Activity, ActivityDaily, Cohort, Organisation, Role, User

DEMO_APPS = ("courses", "forums", "forums.rooms", "mentoring")
SHORT_NAMES = {
    "admin": "Grace Wanjiru",
    "amina": "Dr Amina Otieno",
    "joseph": "Joseph Mwangi (RM)",
    "faith": "Faith Achieng",
    "peter": "Peter Ouma",
    "mercy": "Mercy Njeri",
    "hassan": "Hassan Ali",
}
ORG_NAME = "Lake Region CPD Network"
DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - published demo credential

PEOPLE: list[dict[str, Any]] = [
    {
        "email": "admin@demo.cpd",
        "display_name": "Grace Wanjiru",
        "cadre": "nurse",
        "district": "Kisumu",
        "superuser": True,
    },
    {
        "email": "amina.mentor@demo.cpd",
        "phone": "+254700000101",
        "display_name": "Dr Amina Otieno",
        "cadre": "doctor",
        "district": "Kisumu",
    },
    {
        "email": "joseph.mentor@demo.cpd",
        "phone": "+254700000102",
        "display_name": "Joseph Mwangi (RM)",
        "cadre": "midwife",
        "district": "Siaya",
        "preferred_language": "sw",
    },
    {
        "email": "faith@demo.cpd",
        "phone": "+254700000201",
        "display_name": "Faith Achieng",
        "cadre": "midwife",
        "district": "Kisumu",
        "facility": "Kisumu County Referral Hospital",
    },
    {
        "phone": "+254700000202",
        "display_name": "Peter Ouma",
        "cadre": "nurse",
        "district": "Siaya",
        "facility": "Bondo Sub-County Hospital",
        "preferred_language": "sw",
    },
    {
        "email": "mercy@demo.cpd",
        "display_name": "Mercy Njeri",
        "cadre": "clinical_officer",
        "district": "Kisumu",
        "facility": "Ahero Health Centre",
    },
    {
        "email": "hassan@demo.cpd",
        "display_name": "Hassan Ali",
        "cadre": "chw",
        "district": "Siaya",
    },
]


class Command(BaseCommand):
    help = "Create demo organisation, cohorts, mentors, learners and an admin."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="seed even under production settings (a public demo server)",
        )

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        # The demo's accounts share a published password, and one is a superuser.
        if settings.SETTINGS_MODULE == "cpd.settings.production" and not options.get(
            "allow_production"
        ):
            raise CommandError(
                "seed_demo creates accounts with the published demo password "
                "(one a Django admin): refused under production settings. Create "
                "the first administrator with `manage.py createsuperuser`."
            )
        users = {p["display_name"]: self._user(p) for p in PEOPLE + CLASSMATES}
        admin = users["Grace Wanjiru"]
        org = Organisation.objects.filter(name=ORG_NAME).first()
        if org is None:
            org = services.organisation_create(
                name=ORG_NAME, country="Kenya", admins=[admin]
            )
        today = timezone.localdate()
        maternal = self._cohort(
            admin, org, "Maternal & newborn care 2026", today - dt.timedelta(days=14)
        )
        emergency = self._cohort(
            admin, org, "Emergency obstetric care — Siaya", today + dt.timedelta(days=7)
        )
        plan = [
            (maternal, "Dr Amina Otieno", Role.MENTOR),
            (maternal, "Faith Achieng", Role.LEARNER),
            (maternal, "Mercy Njeri", Role.LEARNER),
            (maternal, "Peter Ouma", Role.LEARNER),
            (emergency, "Joseph Mwangi (RM)", Role.MENTOR),
            (emergency, "Peter Ouma", Role.LEARNER),
            (emergency, "Hassan Ali", Role.LEARNER),
        ]
        plan += [(maternal, c["display_name"], Role.LEARNER) for c in CLASSMATES]
        for cohort, name, role in plan:
            services.membership_add(cohort=cohort, user=users[name], role=role)
        world = DemoWorld(
            organisation=org,
            cohorts={"maternal": maternal, "emergency": emergency},
            users={key: users[name] for key, name in SHORT_NAMES.items()}
            | {
                f"classmate{i}": users[c["display_name"]]
                for i, c in enumerate(CLASSMATES)
            },
        )
        # Each app seeds its own part (idempotently) in <app>/demo.py:seed().
        for app in DEMO_APPS:
            try:
                module = import_module(f"{app}.demo")
            except ModuleNotFoundError:
                continue
            module.seed(world, self.stdout)
        # The demo's learning record, from the seeded history: the live
        # statements of seeding carry today's time, the backfill the history's.
        Activity.objects.filter(actor__in=users.values()).delete()
        ActivityDaily.objects.filter(actor__in=users.values()).delete()
        record.backfill()
        demo_sign_ins(org)
        record.rollup()
        self._report(users)

    def _user(self, person: dict[str, Any]) -> User:
        lookup = (
            {"email": person["email"]}
            if person.get("email")
            else {"phone": person["phone"]}
        )
        user = User.objects.filter(**lookup).first()
        if user is None:
            fields = {
                k: v for k, v in person.items() if k not in {"superuser", "email"}
            }
            if person.get("superuser"):
                user = User.objects.create_superuser(
                    person.get("email"), DEMO_PASSWORD, **fields
                )
            else:
                user = User.objects.create_user(
                    person.get("email"), DEMO_PASSWORD, **fields
                )
        return user

    def _cohort(
        self, admin: User, org: Organisation, name: str, starts_on: dt.date
    ) -> Cohort:
        existing = Cohort.objects.filter(organisation=org, name=name).first()
        if existing:
            return existing
        return services.cohort_create(
            actor=admin,
            organisation=org,
            name=name,
            starts_on=starts_on,
            ends_on=starts_on + dt.timedelta(days=120),
            description="Blended CPD: short lessons on the phone, monthly skills days.",
        )

    def _report(self, users: dict[str, User]) -> None:
        self.stdout.write(
            self.style.SUCCESS("Demo data ready. Sign in at /accounts/login/")
        )
        self.stdout.write(f"Password for every demo account: {DEMO_PASSWORD}")
        roles = {
            "Grace Wanjiru": "cohort administrator + Django admin",
            "Dr Amina Otieno": "mentor (Maternal & newborn care)",
            "Joseph Mwangi (RM)": "mentor (Emergency obstetric care)",
            "Faith Achieng": "learner",
            "Peter Ouma": "learner in both cohorts (signs in by phone)",
            "Mercy Njeri": "learner",
            "Hassan Ali": "learner",
        }
        for name, role in roles.items():
            user = users[name]
            self.stdout.write(f"  {user.email or user.phone:<28} {role}")
