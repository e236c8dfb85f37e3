"""The demo's course reports show real figures (seed_demo), not "fewer than 5"."""

from io import StringIO

from django.core.management import call_command

from courses import selectors
from courses.models import Course, SurveyResponse
from cpd.models import User


def test_the_demo_course_reports_show_figures(db):
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())  # again: nothing doubles
    admin = User.objects.get(email="admin@demo.cpd")
    pph = Course.objects.get(slug="pph-first-hour")
    report = selectors.course_report(selectors.course_report_scope(admin, pph.pk))
    # Faith, Mercy, six readers (courses) and the report's classmates (cpd)
    assert [r.reach for r in report.lessons[:3]] == [15, 10, 8]
    assert report.lessons[1].drop_off is not None
    assert all(q.difficulty is not None for q in report.questions if q.n)
    assert report.gain.interval is not None
    hygiene = Course.objects.get(slug="hand-hygiene")
    assert pph.translated_languages == hygiene.translated_languages == ["fr", "sw"]
    survey = selectors.course_report(
        selectors.course_report_scope(admin, hygiene.pk)
    ).survey
    # six answered: the first batch of five counts, the sixth waits
    assert SurveyResponse.objects.count() == 6
    assert (survey.responses, survey.waiting) == (5, 1)
    assert survey.items[0].mean is not None
    assert "Please add a Swahili version." in (survey.comments or [])
