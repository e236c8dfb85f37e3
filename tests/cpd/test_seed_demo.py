"""The demo seed is believable and safe to run twice."""

from io import StringIO

from django.core.management import call_command

from cpd.models import Cohort, Membership, Organisation, User


def test_seed_demo_is_idempotent(db):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    counts = (User.objects.count(), Cohort.objects.count(), Membership.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert counts == (
        User.objects.count(),
        Cohort.objects.count(),
        Membership.objects.count(),
    )
    assert Organisation.objects.count() == 1
    assert counts[1] == 2
    assert "demo-pass-2026" in out.getvalue()
    assert "+254700000202" in out.getvalue()


def test_the_demo_has_a_finished_course_whose_certificate_verifies(db, client):
    from django.urls import reverse

    from courses.models import Certificate

    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())  # again: still one
    certificate = Certificate.objects.get(user__email="faith@demo.cpd")
    assert certificate.course.slug == "hand-hygiene"
    page = client.get(reverse("courses-verify", args=[certificate.code]))
    assert page.status_code == 200
    assert "Faith Achieng" in page.content.decode()
