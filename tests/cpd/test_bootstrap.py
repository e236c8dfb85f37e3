"""`manage.py bootstrap`: a new install's first organisation and administrator."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cpd.models import Organisation, User

pytestmark = pytest.mark.django_db


def test_bootstrap_creates_the_organisation_and_its_admin_once(monkeypatch):
    monkeypatch.setenv("BOOTSTRAP_PASSWORD", "a-long-first-password-2026")
    args = ["--organisation", "Ministry of Health", "--email", "Grace@MoH.example"]
    call_command("bootstrap", *args, "--name", "Grace", stdout=StringIO())
    admin = User.objects.get(email="grace@moh.example")
    assert admin.is_superuser
    organisation = Organisation.objects.get(name="Ministry of Health")
    assert list(organisation.admins.all()) == [admin]
    out = StringIO()
    call_command("bootstrap", *args, "--name", "Grace", stdout=out)
    assert "nothing changed" in out.getvalue()
    assert User.objects.count() == 1
    assert admin.check_password("a-long-first-password-2026")


def test_a_weak_password_is_refused(monkeypatch):
    monkeypatch.setenv("BOOTSTRAP_PASSWORD", "123")
    with pytest.raises(CommandError):
        call_command(
            "bootstrap",
            "--organisation",
            "MoH",
            "--email",
            "a@b.example",
            "--name",
            "A",
        )
    assert not User.objects.exists()
