"""Review of the survey editor: defects found, each guarded here.

- a free-text question added (or asked again) after some people answered must
  not show its comments until five people were asked it (anonymity);
- answers checked against items read before another author's change must be
  refused, never stored against a deleted item (integrity, a 500 on commit);
- an item whose text starts like a code fence survives the Markdown round trip.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from courses import markdown_io, selectors
from courses.models import Lesson, Survey, SurveyAnswer, SurveyItem, SurveyItemKind
from courses.services import progress
from courses.services import survey as svc
from cpd import services
from cpd.models import Role
from tests.conftest import client_as
from tests.factories.courses import course_for
from tests.factories.cpd import UserFactory


@pytest.fixture
def author(db):
    return UserFactory(display_name="Author", is_staff=True)


@pytest.fixture
def course(world):
    return course_for(world.cohort, lessons=1, title="PPH", slug="pph")


def _asked(survey):
    return list(
        SurveyItem.objects.filter(survey=survey, retired=False).order_by("order", "pk")
    )


def _learner(world, n):
    user = UserFactory(display_name=f"Learner {n}")
    services.membership_add(cohort=world.cohort, user=user, role=Role.LEARNER)
    return user


def _respond(user, course, survey, comment="A comment"):
    for lesson in Lesson.objects.filter(module__course=course):
        progress.lesson_complete(user=user, lesson=lesson)
    fresh = Survey.objects.get(pk=survey.pk)
    answers = {
        i.pk: ("4" if i.kind == SurveyItemKind.LIKERT else comment)
        for i in _asked(fresh)
    }
    return svc.survey_respond(actor=user, survey=fresh, answers=answers)


def _results(world, course):
    return selectors.survey_results(
        course=course,
        cohort_ids=[world.cohort.pk],
        comment_cohort_ids=[world.cohort.pk],
    )


# --- Anonymity: comments of a free-text question added late ----------------------


def test_comments_wait_for_five_people_asked_the_free_text_question(
    world, course, author
):
    survey = svc.survey_attach(
        actor=author, course=course, items=[("likert", "Relevant to my work.")]
    )[0]
    for n in range(4):
        _respond(_learner(world, n), course, survey)
    svc.survey_item_add(
        actor=author, survey=survey, kind="text", text="What would you change?"
    )
    # The fifth response fills the batch, but only this person was asked the
    # question: showing the one comment would name its author to anyone who
    # knows who answered last.
    _respond(_learner(world, 5), course, survey, comment="Only I wrote this")
    results = _results(world, course)
    assert results.responses == 5
    assert results.items[0].n == 5  # the statement's figures show
    assert results.comments is None
    assert results.comments_suppressed
    # Five more people asked it, a whole batch: their comments show; the lone
    # one of the batch only partly asked stays out for good (showing it now
    # would be the difference between this view and the next).
    for n in range(6, 11):
        _respond(_learner(world, n), course, survey, comment=f"Comment {n}")
    results = _results(world, course)
    assert results.responses == 10
    assert results.comments == [f"Comment {n}" for n in (10, 6, 7, 8, 9)]


def test_the_report_page_hides_the_late_question_s_single_comment(
    client, world, course, author
):
    survey = svc.survey_attach(
        actor=author, course=course, items=[("likert", "Relevant to my work.")]
    )[0]
    for n in range(4):
        _respond(_learner(world, n), course, survey)
    svc.survey_item_add(actor=author, survey=survey, kind="text", text="Change?")
    _respond(_learner(world, 5), course, survey, comment="Only I wrote this")
    client_as(client, world.org_admin)
    page = client.get(reverse("courses-report", args=[course.pk]))
    assert page.status_code == 200
    assert "Only I wrote this" not in page.content.decode()


def _respond_scores(user, course, survey, score, comment=""):
    for lesson in Lesson.objects.filter(module__course=course):
        progress.lesson_complete(user=user, lesson=lesson)
    fresh = Survey.objects.get(pk=survey.pk)
    answers = {
        i.pk: (str(score) if i.kind == SurveyItemKind.LIKERT else comment)
        for i in _asked(fresh)
    }
    return svc.survey_respond(actor=user, survey=fresh, answers=answers)


def test_an_item_retired_mid_batch_gives_no_one_s_answers_away(world, course, author):
    """Results change five answers at a time: an item retired after two people
    of a batch answered it would otherwise change by those two people's
    scores and comments, which the view before and after gives away."""
    survey = svc.survey_attach(
        actor=author,
        course=course,
        items=[("likert", "Relevant."), ("likert", "Clear."), ("text", "Change?")],
    )[0]
    for n in range(5):
        _respond_scores(_learner(world, n), course, survey, 4, f"Early {n}")
    before = _results(world, course)
    clear = before.items[1]
    assert (clear.n, clear.mean) == (5, 4.0)
    assert len(before.comments) == 5
    for n in range(5, 7):
        _respond_scores(_learner(world, n), course, survey, 1, f"Late {n}")
    clear_item, _relevant, text_item = _asked(survey)[1], None, _asked(survey)[2]
    svc.survey_item_retire(actor=author, item=clear_item)
    svc.survey_item_retire(actor=author, item=text_item)
    for n in range(7, 10):
        _respond_scores(_learner(world, n), course, survey, 1)
    after = _results(world, course)
    assert after.responses == 10
    assert after.items[0].n == 10  # asked of all ten: figures move by five
    # The two who answered before the retirement are not told apart.
    assert (after.items[1].n, after.items[1].mean) == (5, 4.0)
    assert after.comments == before.comments


# --- Integrity: answers checked against items read before a change ---------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("delete", "not part of this survey"),
        ("retire", "not part of this survey"),
        ("add", "Choose from 1"),
    ],
)
def test_answers_to_items_changed_meanwhile_are_refused(
    world, course, author, change, message
):
    """The answering request read the survey (its items) before another
    author's change committed; with no revision sent (the API's is optional)
    the answers were stored against a deleted item (an IntegrityError at
    commit, a 500) or a retired one, or without a newly asked statement."""
    survey = svc.survey_attach(
        actor=author,
        course=course,
        items=[("likert", "Relevant."), ("likert", "Clear.")],
    )[0]
    for lesson in Lesson.objects.filter(module__course=course):
        progress.lesson_complete(user=world.learner, lesson=lesson)
    stale = selectors.survey_get_for_user(world.learner, course.pk)
    answers = {i.pk: "4" for i in stale.items.all()}  # reads the items now
    second = _asked(survey)[1]
    if change == "delete":
        svc.survey_item_delete(actor=author, item=second)
    elif change == "retire":
        svc.survey_item_retire(actor=author, item=second)
    else:
        svc.survey_item_add(actor=author, survey=survey, kind="likert", text="New.")
    with pytest.raises(ValidationError, match=message):
        svc.survey_respond(actor=world.learner, survey=stale, answers=answers)
    assert not SurveyAnswer.objects.exists()
    # Read again, the survey is answered.
    fresh = selectors.survey_get_for_user(world.learner, course.pk)
    svc.survey_respond(
        actor=world.learner,
        survey=fresh,
        answers={i.pk: "4" for i in fresh.items.all()},
    )
    assert SurveyAnswer.objects.count() == len(_asked(survey))


def test_a_survey_closed_meanwhile_takes_no_answer(world, course, author):
    survey = svc.survey_attach(
        actor=author, course=course, items=[("likert", "Relevant.")]
    )[0]
    for lesson in Lesson.objects.filter(module__course=course):
        progress.lesson_complete(user=world.learner, lesson=lesson)
    stale = selectors.survey_get_for_user(world.learner, course.pk)
    answers = {i.pk: "4" for i in stale.items.all()}
    svc.survey_set_open(actor=author, survey=survey, is_open=False)
    with pytest.raises(ValidationError, match="closed"):
        svc.survey_respond(actor=world.learner, survey=stale, answers=answers)
    assert not SurveyAnswer.objects.exists()


# --- Markdown: an item that starts like a code fence -----------------------------

BASE = (
    "---\ntitle: Survey course\nslug: survey-course\n---\n\n"
    "# Module: One\n\n## Lesson: First\n\nBody.\n"
)


@pytest.mark.parametrize(
    "text",
    [
        "```Rate the code blocks```",
        "~~~ waves ~~~",
        "\\```already escaped",
        "\\\\~~~ two backslashes",
        "# Survey",
        "## Item {kind: text}",
        "{kind: text}",
        "kind: text",
        "هل كانت الدورة مفيدة لعملك؟",
        "# Module: " + "x" * 190,  # 200 characters, escaped to 201 in the file
        "```" + "y" * 197,
    ],
)
def test_markdown_round_trip_of_item_text(text):
    doc = markdown_io.parse(BASE)
    doc.survey = markdown_io.SurveyDoc(
        items=[
            markdown_io.SurveyItemDoc("likert", text),
            markdown_io.SurveyItemDoc("likert", "After it."),
        ]
    )
    again = markdown_io.parse(markdown_io.render(doc))
    assert again.survey == doc.survey
    assert markdown_io.render(again) == markdown_io.render(doc)


def test_an_item_starting_like_a_fence_exports_and_imports(db, author, world):
    course = course_for(world.cohort, lessons=1, title="Fence", slug="fence")
    svc.survey_attach(
        actor=author,
        course=course,
        items=[("likert", "```Rate the code blocks```"), ("likert", "Next.")],
    )
    text = selectors.course_markdown(course)
    assert markdown_io.problems(text) == []
    assert [i.text for i in markdown_io.parse(text).survey.items] == [
        "```Rate the code blocks```",
        "Next.",
    ]


# --- The page: an item of another course's survey --------------------------------


@pytest.mark.parametrize("action", ["save", "delete", "retire", "up", "down"])
def test_the_page_refuses_an_item_of_another_course(client, world, author, action):
    mine = course_for(world.cohort, lessons=1, title="Mine", slug="mine")
    other = course_for(world.cohort, lessons=1, title="Other", slug="other")
    svc.survey_attach_default(actor=author, course=mine)
    theirs = svc.survey_attach_default(actor=author, course=other)
    before = [(i.pk, i.text, i.order, i.retired) for i in _asked(theirs)]
    target = _asked(theirs)[1]
    client_as(client, author)
    response = client.post(
        reverse("courses-survey-edit", args=[mine.pk]),
        {
            "action": action,
            "item": str(target.pk),
            f"{target.pk}-text": "Mine now",
            f"{target.pk}-kind": "likert",
        },
    )
    assert response.status_code == 400
    assert "not part of this survey" in response.content.decode()
    assert [(i.pk, i.text, i.order, i.retired) for i in _asked(theirs)] == before


# --- The Django admin -------------------------------------------------------------


def _admin_root(client):
    from cpd.models import User

    root = User.objects.create_superuser(email="root@example.org", password="x")
    client.force_login(root, backend="django.contrib.auth.backends.ModelBackend")
    return root


def test_the_django_admin_does_not_move_a_survey_to_another_course(
    client, world, course, author
):
    survey = svc.survey_attach_default(actor=author, course=course)
    _respond(world.learner, course, survey)
    other = course_for(world.cohort, lessons=1, title="Other", slug="other")
    _admin_root(client)
    url = reverse("admin:courses_survey_change", args=[survey.pk])
    page = client.get(url).content.decode()
    assert 'name="course"' not in page
    items = _asked(survey)
    data = {
        "course": str(other.pk),
        "is_open": "on",
        "items-TOTAL_FORMS": str(len(items)),
        "items-INITIAL_FORMS": str(len(items)),
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
    }
    for n, item in enumerate(items):
        data |= {
            f"items-{n}-id": str(item.pk),
            f"items-{n}-survey": str(survey.pk),
            f"items-{n}-order": str(item.order),
        }
    assert client.post(url, data).status_code == 302
    assert Survey.objects.get(pk=survey.pk).course_id == course.pk


def test_a_change_in_the_django_admin_raises_the_revision(client, course, author):
    survey = svc.survey_attach_default(actor=author, course=course)
    revision = Survey.objects.get(pk=survey.pk).revision
    _admin_root(client)
    url = reverse("admin:courses_survey_change", args=[survey.pk])
    items = _asked(survey)
    data = {
        "is_open": "on",
        "items-TOTAL_FORMS": str(len(items)),
        "items-INITIAL_FORMS": str(len(items)),
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
    }
    for n, item in enumerate(items):
        data |= {
            f"items-{n}-id": str(item.pk),
            f"items-{n}-survey": str(survey.pk),
            f"items-{n}-order": str(item.order),
            f"items-{n}-kind": item.kind,
            f"items-{n}-text": "Reworded in the admin." if n == 0 else item.text,
        }
    assert client.post(url, data).status_code == 302
    assert SurveyItem.objects.get(pk=items[0].pk).text == "Reworded in the admin."
    assert Survey.objects.get(pk=survey.pk).revision == revision + 1
    # Saved unchanged: the revision stays.
    data["items-0-text"] = "Reworded in the admin."
    assert client.post(url, data).status_code == 302
    assert Survey.objects.get(pk=survey.pk).revision == revision + 1
