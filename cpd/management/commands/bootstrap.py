"""A new install's first organisation and its administrator, in one command.

Sign-up is by invitation only, so somebody has to exist first. This creates the
organisation and a superuser who administers it; from there they create cohorts
and invite everyone else. Running it again changes nothing and says so.
"""

from __future__ import annotations

import os
from getpass import getpass
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from cpd import services
from cpd.models import Organisation, User


class Command(BaseCommand):
    help = "Create the first organisation and its administrator (a superuser)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", required=True, help="its name")
        parser.add_argument("--country", default="")
        parser.add_argument("--email", required=True, help="the administrator's email")
        parser.add_argument("--name", required=True, help="the administrator's name")
        parser.add_argument(
            "--password-env",
            default="BOOTSTRAP_PASSWORD",
            help="environment variable holding the password (else it is asked for)",
        )

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"].strip().lower()
        if User.objects.filter(email=email).exists():
            self.stdout.write(f"{email} exists already: nothing changed.")
            return
        password = os.environ.get(options["password_env"]) or getpass("Password: ")
        admin = User(email=email, display_name=options["name"].strip())
        try:
            validate_password(password, admin)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        admin = User.objects.create_superuser(
            email, password, display_name=options["name"].strip()
        )
        organisation = Organisation.objects.filter(name=options["organisation"]).first()
        if organisation is None:
            organisation = services.organisation_create(
                name=options["organisation"], country=options["country"], admins=[admin]
            )
        else:
            organisation.admins.add(admin)
        self.stdout.write(
            self.style.SUCCESS(
                f"{organisation.name}: {email} administers it. "
                "Sign in at /accounts/login/."
            )
        )
