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


def test_the_demo_cohort_report_shows_real_figures(db, client):
    """Sessions, a gain with its interval and a reply network, from seed_demo."""
    from django.db.models.functions import TruncDate
    from django.urls import reverse

    from cpd import reports
    from cpd.models import Activity, Verb

    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())  # again: nothing doubles
    # one sign-in, with its own session, per member and day of activity
    active_days = set(
        Activity.objects.filter(actor__memberships__isnull=False)
        .exclude(verb=Verb.SIGNED_IN)
        .annotate(day=TruncDate("timestamp"))
        .values_list("actor_id", "day")
    )
    sign_ins = Activity.objects.filter(verb=Verb.SIGNED_IN)
    assert sign_ins.count() == len(active_days) > 0
    assert sign_ins.values("session_key").distinct().count() == len(active_days)
    maternal = Cohort.objects.get(name="Maternal & newborn care 2026")
    report = reports.cohort_report(maternal)
    assert report.median_sessions is not None
    assert report.median_sessions >= 1
    admin = User.objects.get(email="admin@demo.cpd")
    client.force_login(admin)
    page = client.get(reverse("cohort-report", args=[maternal.pk])).content.decode()
    assert "95% interval of the paired difference" in page
    assert 'aria-labelledby="net-title"' in page  # the reply network's SVG
