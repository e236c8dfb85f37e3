"""Editing a course's survey: the page, the API, the Markdown section, and the
rule that an item people answered keeps its meaning (courses.services.survey)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from courses import markdown_io, selectors
from courses.models import Lesson, Survey, SurveyAnswer, SurveyItem, SurveyItemKind
from courses.models.survey import MAX_SURVEY_ITEMS, SURVEY_TEXT_MAX
from courses.services import progress
from courses.services import survey as svc
from courses.services.exchange import course_import
from tests.conftest import ROLES, client_as
from tests.factories.courses import course_for
from tests.factories.cpd import UserFactory


@pytest.fixture
def author(db):
    return UserFactory(display_name="Author", is_staff=True)


@pytest.fixture
def course(world):
    return course_for(world.cohort, lessons=2, title="PPH", slug="pph")


@pytest.fixture
def survey(course, author):
    return svc.survey_attach_default(actor=author, course=course)


def _items(survey):
    return list(SurveyItem.objects.filter(survey=survey).order_by("order", "pk"))


def _answer(user, course, survey):
    """``user`` finishes the course and answers every item asked."""
    for lesson in Lesson.objects.filter(module__course=course):
        progress.lesson_complete(user=user, lesson=lesson)
    items = [i for i in _items(survey) if not i.retired]
    answers = {
        i.pk: ("4" if i.kind == SurveyItemKind.LIKERT else "Fine") for i in items
    }
    return svc.survey_respond(actor=user, survey=survey, answers=answers)


@pytest.fixture
def answered(world, course, survey):
    _answer(world.learner, course, survey)
    return survey


# --- Who manages a survey --------------------------------------------------------

# Course content is shared between organisations: authors (staff) manage it;
# those who see the course without authoring it get 403, the rest 404.
EDIT_STATUS = {
    "learner": 403,
    "mentor_of_cohort": 403,
    "org_admin": 403,
    "other_mentor": 404,
    "other_org_admin": 404,
    "outsider": 404,
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "route", ["courses-survey-edit", "api-course-survey-manage"], ids=str
)
def test_who_opens_the_editor(client, world, course, survey, role, route):
    client_as(client, world.user(role))
    response = client.get(reverse(route, args=[course.pk]))
    if role == "anonymous":
        assert response.status_code in (302, 403)
        return
    assert response.status_code == EDIT_STATUS[role]


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_only_authors_change_a_survey_through_the_services(world, survey, role):
    item = _items(survey)[0]
    actor = world.user(role)
    with pytest.raises(PermissionDenied, match="Only course authors"):
        svc.survey_item_edit(actor=actor, item=item, text="Reworded")
    with pytest.raises(PermissionDenied):
        svc.survey_item_add(actor=actor, survey=survey, kind="likert", text="New")
    with pytest.raises(PermissionDenied):
        svc.survey_set_open(actor=actor, survey=survey, is_open=False)
    with pytest.raises(PermissionDenied):
        svc.survey_detach(actor=actor, survey=survey)
    assert _items(survey)[0].text == item.text


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_only_authors_write_through_the_api(api_client, world, course, survey, role):
    item = _items(survey)[0]
    client_as(api_client, world.user(role))
    manage = reverse("api-course-survey-manage", args=[course.pk])
    one = reverse("api-course-survey-item", args=[course.pk, item.pk])
    answers = [
        api_client.patch(manage, {"is_open": False}, format="json").status_code,
        api_client.delete(manage).status_code,
        api_client.patch(one, {"text": "Reworded"}, format="json").status_code,
        api_client.delete(one).status_code,
        api_client.post(
            reverse("api-course-survey-items", args=[course.pk]),
            {"text": "New"},
            format="json",
        ).status_code,
    ]
    assert answers == [EDIT_STATUS[role]] * 5
    assert Survey.objects.get(pk=survey.pk).is_open
    assert _items(survey)[0].text == item.text


def test_the_report_links_to_the_editor_for_authors_only(client, world, course):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    edit = reverse("courses-survey-edit", args=[course.pk])
    report = reverse("courses-report", args=[course.pk])
    client_as(client, world.org_admin)
    assert edit not in client.get(report).content.decode()
    client_as(client, superuser)
    page = client.get(report).content.decode()
    assert edit in page
    assert "Attach a survey" in page


# --- The page ------------------------------------------------------------------


def test_an_author_attaches_edits_and_closes_on_the_page(client, course, author):
    client_as(client, author)
    url = reverse("courses-survey-edit", args=[course.pk])
    assert "Attach the default survey" in client.get(url).content.decode()
    assert client.post(url, {"action": "attach"}).status_code == 302
    survey = Survey.objects.get(course=course)
    items = _items(survey)
    assert [i.text for i in items] == [str(t) for _k, t in svc.DEFAULT_ITEMS]
    first = items[0]
    response = client.post(
        url,
        {
            "action": "save",
            "item": first.pk,
            f"{first.pk}-text": "  The course   helped my work. ",
            f"{first.pk}-kind": "likert",
        },
    )
    assert response.status_code == 302
    assert SurveyItem.objects.get(pk=first.pk).text == "The course helped my work."
    client.post(url, {"action": "down", "item": first.pk})
    assert _items(survey)[1].pk == first.pk
    client.post(url, {"action": "add", "new-text": "Extra", "new-kind": "likert"})
    assert _items(survey)[-1].text == "Extra"
    client.post(url, {"action": "delete", "item": _items(survey)[-1].pk})
    assert [i.text for i in _items(survey)][-1] != "Extra"
    client.post(url, {"action": "close"})
    assert not Survey.objects.get(pk=survey.pk).is_open
    page = client.get(url).content.decode()
    assert "Open the survey again" in page
    assert "<script" not in page.split("<main", 1)[-1].split("</main>")[0]


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"action": "add", "new-text": "", "new-kind": "likert"}, "required"),
        ({"action": "add", "new-text": "x" * 201, "new-kind": "likert"}, "at most"),
        ({"action": "add", "new-text": "More?", "new-kind": "text"}, "one free-text"),
        ({"action": "add", "new-text": "Hm", "new-kind": "poll"}, "valid choice"),
        ({"action": "save", "item": "99999"}, "not part of this survey"),
        ({"action": "save", "item": "²"}, "not part of this survey"),
        ({"action": "bogus"}, "Unknown action"),
        ({}, "Unknown action"),
        ({"action": "detach"}, "Tick the box"),
    ],
)
def test_bad_input_re_renders_the_page_with_the_error(
    client, course, survey, author, form, message
):
    client_as(client, author)
    before = [(i.kind, i.text, i.order) for i in _items(survey)]
    response = client.post(reverse("courses-survey-edit", args=[course.pk]), form)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert 'role="alert"' in page
    assert [(i.kind, i.text, i.order) for i in _items(survey)] == before


def test_a_refused_edit_keeps_what_was_typed(client, course, answered, author):
    client_as(client, author)
    url = reverse("courses-survey-edit", args=[course.pk])
    new = client.post(url, {"action": "add", "new-text": "", "new-kind": "likert"})
    assert new.status_code == 400
    unanswered = svc.survey_item_add(
        actor=author, survey=answered, kind="likert", text="Late item"
    )
    response = client.post(
        url,
        {
            "action": "save",
            "item": unanswered.pk,
            f"{unanswered.pk}-text": "Still here " + "x" * 200,
            f"{unanswered.pk}-kind": "likert",
        },
    )
    assert response.status_code == 400
    assert "Still here xxxx" in response.content.decode()


def test_the_last_statement_cannot_go(course, author):
    survey, _ = svc.survey_attach(
        actor=author, course=course, items=[("likert", "Only one"), ("text", "Why?")]
    )
    only = _items(survey)[0]
    with pytest.raises(ValidationError, match="at least one statement"):
        svc.survey_item_delete(actor=author, item=only)
    with pytest.raises(ValidationError, match="at least one statement"):
        svc.survey_item_edit(actor=author, item=only, kind="text")


def test_a_survey_has_at_most_max_items(course, author):
    items = [("likert", f"S{n}") for n in range(MAX_SURVEY_ITEMS)]
    survey, _ = svc.survey_attach(actor=author, course=course, items=items)
    with pytest.raises(ValidationError, match="at most"):
        svc.survey_item_add(actor=author, survey=survey, kind="likert", text="One more")


# --- Once people answered -----------------------------------------------------------


def test_an_answered_item_keeps_its_meaning(answered, author):
    item = _items(answered)[0]
    with pytest.raises(ValidationError, match="meaning is kept"):
        svc.survey_item_edit(actor=author, item=item, text="Something else")
    with pytest.raises(ValidationError, match="meaning is kept"):
        svc.survey_item_edit(actor=author, item=item, kind="text")
    with pytest.raises(ValidationError, match="retire it instead"):
        svc.survey_item_delete(actor=author, item=item)
    assert SurveyItem.objects.get(pk=item.pk).text == item.text
    assert SurveyAnswer.objects.filter(item=item).exists()


def test_an_answered_item_can_move_and_retire_and_new_items_can_be_added(
    world, course, answered, author
):
    first, second = _items(answered)[:2]
    svc.survey_item_move(actor=author, item=first, position=3)
    assert _items(answered)[3].pk == first.pk
    svc.survey_item_retire(actor=author, item=second)
    added = svc.survey_item_add(
        actor=author, survey=answered, kind="likert", text="New statement"
    )
    # An item nobody answered yet stays free to reword and delete.
    svc.survey_item_edit(actor=author, item=added, text="Reworded new statement")
    asked = selectors.survey_get_for_user(world.learner, course.pk).items.all()
    assert second.pk not in [i.pk for i in asked]
    assert added.pk in [i.pk for i in asked]
    # The retired item is still reported, marked as such.
    results = selectors.survey_results(course=course, cohort_ids=[world.cohort.pk])
    retired = [r for r in results.items if r.item_id == second.pk]
    assert retired[0].retired


def test_a_retired_item_is_not_asked_and_cannot_be_answered(world, course, author):
    survey = svc.survey_attach_default(actor=author, course=course)
    gone = _items(survey)[0]
    svc.survey_item_retire(actor=author, item=gone)
    for lesson in Lesson.objects.filter(module__course=course):
        progress.lesson_complete(user=world.learner, lesson=lesson)
    with pytest.raises(ValidationError, match="not part of this survey"):
        svc.survey_respond(actor=world.learner, survey=survey, answers={gone.pk: "5"})
    _answer(world.learner, course, Survey.objects.get(pk=survey.pk))
    assert not SurveyAnswer.objects.filter(item=gone).exists()
    assert SurveyAnswer.objects.exists()


def test_an_answered_survey_is_closed_not_detached(answered, author):
    with pytest.raises(ValidationError, match="close it instead"):
        svc.survey_detach(actor=author, survey=answered)
    svc.survey_set_open(actor=author, survey=answered, is_open=False)
    assert not Survey.objects.get(pk=answered.pk).is_open


def test_an_unanswered_survey_is_detached(survey, author):
    svc.survey_detach(actor=author, survey=survey)
    assert not Survey.objects.filter(pk=survey.pk).exists()


def test_answers_sent_from_an_older_revision_are_refused(world, course, author):
    survey = svc.survey_attach_default(actor=author, course=course)
    shown = Survey.objects.get(pk=survey.pk).revision
    first = _items(survey)[0]
    svc.survey_item_edit(actor=author, item=first, text="Reworded meanwhile")
    for lesson in Lesson.objects.filter(module__course=course):
        progress.lesson_complete(user=world.learner, lesson=lesson)
    answers = {i.pk: "4" for i in _items(survey) if i.kind == "likert"}
    with pytest.raises(ValidationError, match="changed while you were answering"):
        svc.survey_respond(
            actor=world.learner, survey=survey, answers=answers, revision=shown
        )
    assert not SurveyAnswer.objects.exists()
    svc.survey_respond(
        actor=world.learner, survey=survey, answers=answers, revision=shown + 1
    )
    assert SurveyAnswer.objects.exists()


def test_the_page_shows_answered_items_locked(client, course, answered, author):
    client_as(client, author)
    url = reverse("courses-survey-edit", args=[course.pk])
    page = client.get(url).content.decode()
    assert page.count("answered: wording locked") == len(_items(answered))
    assert 'value="delete"' not in page
    assert "Remove the survey" not in page
    item = _items(answered)[0]
    response = client.post(
        url,
        {
            "action": "save",
            "item": item.pk,
            f"{item.pk}-text": "Sneaky rewording",
            f"{item.pk}-kind": "likert",
        },
    )
    assert response.status_code == 400
    assert "meaning is kept" in response.content.decode()
    assert SurveyItem.objects.get(pk=item.pk).text == item.text


def test_the_editor_costs_the_same_for_more_items_and_answers(
    client, world, course, survey, author, django_assert_max_num_queries
):
    client_as(client, author)
    url = reverse("courses-survey-edit", args=[course.pk])
    api = reverse("api-course-survey-manage", args=[course.pk])

    def counts() -> list[int]:
        out = []
        for target in (url, api):
            with django_assert_max_num_queries(8) as ctx:
                assert client.get(target).status_code == 200
            out.append(len(ctx.captured_queries))
        return out

    counts()
    before = counts()
    for n in range(8):
        svc.survey_item_add(actor=author, survey=survey, kind="likert", text=f"M{n}")
    _answer(world.learner, course, Survey.objects.get(pk=survey.pk))
    assert counts() == before


# --- The API --------------------------------------------------------------------


def test_the_api_attaches_edits_and_detaches(api_client, course, author):
    client_as(api_client, author)
    manage = reverse("api-course-survey-manage", args=[course.pk])
    assert api_client.get(manage).status_code == 404
    created = api_client.post(
        manage,
        {
            "items": [
                {"kind": "likert", "text": "Useful"},
                {"kind": "text", "text": "?"},
            ]
        },
        format="json",
    )
    assert created.status_code == 201
    data = created.json()
    assert [i["text"] for i in data["items"]] == ["Useful", "?"]
    assert api_client.post(manage, {}, format="json").status_code == 200
    added = api_client.post(
        reverse("api-course-survey-items", args=[course.pk]),
        {"text": "Clear", "position": 0},
        format="json",
    )
    assert added.status_code == 201
    assert [i["text"] for i in added.json()["items"]] == ["Clear", "Useful", "?"]
    useful = added.json()["items"][1]["id"]
    one = reverse("api-course-survey-item", args=[course.pk, useful])
    patched = api_client.patch(one, {"text": "Very useful", "position": 2})
    assert patched.status_code == 200
    assert [i["text"] for i in patched.json()["items"]] == ["Clear", "?", "Very useful"]
    assert api_client.delete(one).status_code == 204
    assert api_client.patch(manage, {"is_open": False}).json()["is_open"] is False
    assert api_client.delete(manage).status_code == 204
    assert not Survey.objects.filter(course=course).exists()


@pytest.mark.parametrize(
    ("url_name", "method", "payload", "field"),
    [
        ("api-course-survey-manage", "post", {"items": [{"text": ""}]}, "items"),
        ("api-course-survey-manage", "post", {"items": "many"}, "items"),
        ("api-course-survey-manage", "patch", {"is_open": "maybe"}, "is_open"),
        ("api-course-survey-items", "post", {"text": "x" * 201}, "text"),
        ("api-course-survey-items", "post", {"text": "A", "kind": "poll"}, "kind"),
        ("api-course-survey-items", "post", {"text": "A", "kind": "text"}, "kind"),
        ("api-course-survey-items", "post", {"text": "A", "position": -1}, "position"),
        ("api-course-survey-item", "patch", {"retired": "soon"}, "retired"),
        ("api-course-survey-item", "patch", {"text": "   "}, "text"),
    ],
)
def test_the_api_answers_bad_input_with_field_errors(
    api_client, course, survey, author, url_name, method, payload, field
):
    client_as(api_client, author)
    args = [course.pk]
    if url_name == "api-course-survey-item":
        args.append(_items(survey)[0].pk)
    response = getattr(api_client, method)(
        reverse(url_name, args=args), payload, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()


def test_the_api_refuses_to_reword_or_delete_an_answered_item(
    api_client, course, answered, author
):
    client_as(api_client, author)
    item = _items(answered)[0]
    one = reverse("api-course-survey-item", args=[course.pk, item.pk])
    reworded = api_client.patch(one, {"text": "Else"}, format="json")
    assert reworded.status_code == 400
    assert "text" in reworded.json()
    assert api_client.delete(one).status_code == 400
    retired = api_client.patch(one, {"retired": True}, format="json")
    assert retired.status_code == 200
    assert retired.json()["items"][0]["retired"] is True
    assert retired.json()["items"][0]["answered"] is True
    assert api_client.delete(
        reverse("api-course-survey-manage", args=[course.pk])
    ).json() == {
        "survey": [
            "People have answered this survey: close it instead, so their "
            "answers stay in the course report."
        ]
    }


def test_an_item_of_another_course_is_404(api_client, world, course, survey, author):
    other = course_for(world.cohort, title="Other")
    theirs = _items(svc.survey_attach_default(actor=author, course=other))[0]
    client_as(api_client, author)
    url = reverse("api-course-survey-item", args=[course.pk, theirs.pk])
    assert api_client.patch(url, {"text": "Mine now"}, format="json").status_code == 404
    assert api_client.delete(url).status_code == 404


def test_the_schema_lists_the_editor_endpoints(client):
    schema = client.get(reverse("api-schema")).content.decode()
    for path in (
        "/api/courses/{course_id}/survey/manage/",
        "/api/courses/{course_id}/survey/manage/items/",
        "/api/courses/{course_id}/survey/manage/items/{item_id}/",
    ):
        assert path in schema


# --- Markdown --------------------------------------------------------------------

SURVEY_MD = """
# Survey {open: false}

## Item {kind: likert}

The course was
relevant to my work.

## Item

Lessons were clear.

## Item {kind: text}

What would you change? (optional)
"""


def _course_md(extra: str = SURVEY_MD) -> str:
    return (
        "---\ntitle: Survey course\nslug: survey-course\n---\n\n"
        "# Module: One\n\n## Lesson: First\n\nBody.\n\n"
        "# Survey results of the ward\n\nThis line is content, not a survey.\n" + extra
    )


def test_markdown_reads_the_survey_section():
    doc = markdown_io.parse(_course_md())
    assert doc.survey == markdown_io.SurveyDoc(
        is_open=False,
        items=[
            markdown_io.SurveyItemDoc("likert", "The course was relevant to my work."),
            markdown_io.SurveyItemDoc("likert", "Lessons were clear."),
            markdown_io.SurveyItemDoc("text", "What would you change? (optional)"),
        ],
    )
    assert "# Survey results of the ward" in doc.modules[0].lessons[0].body


def test_markdown_round_trip_holds_with_a_survey():
    doc = markdown_io.parse(_course_md())
    text = markdown_io.render(doc)
    assert "# Survey {open: false}" in text
    assert "## Item {kind: likert}" in text
    again = markdown_io.parse(text)
    assert again.survey == doc.survey
    assert again.modules[0].lessons[0].body == doc.modules[0].lessons[0].body
    assert markdown_io.render(again) == text


def test_markdown_round_trip_keeps_lesson_lines_that_look_like_the_survey():
    doc = markdown_io.parse(_course_md(""))
    body = "# Survey\n\n## Item {kind: text}\n\nText."
    doc.modules[0].lessons[0].body = body
    text = markdown_io.render(doc)
    assert "\\# Survey" in text
    again = markdown_io.parse(text)
    assert again.modules[0].lessons[0].body == body
    assert again.survey is None


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("\n# Survey\n\n## Item {kind: text}\n\nWhy?\n", "at least one"),
        (
            "\n# Survey\n\n## Item\n\nA\n\n## Item {kind: text}\n\nB\n\n"
            "## Item {kind: text}\n\nC\n",
            "at most one",
        ),
        ("\n# Survey\n\n## Item {kind: poll}\n\nA\n", "item kind"),
        ("\n# Survey\n\n## Item\n\n", "no text"),
        ("\n# Survey\n\n## Item\n\n" + "x" * 201 + "\n", "longer than"),
        ("\n# Survey {open: maybe}\n\n## Item\n\nA\n", "open must be"),
        ("\n# Survey {colour: red}\n\n## Item\n\nA\n", "unknown colour"),
        ("\n# Survey\n\nStray text\n\n## Item\n\nA\n", "outside an item"),
        ("\n## Item\n\nA\n", "must come under '# Survey'"),
        ("\n# Survey\n\n## Item\n\nA\n\n# Survey\n\n## Item\n\nB\n", "already"),
        ("\n# Item\n\nA\n", "'Item' headings start with '## '"),
    ],
)
def test_markdown_refuses_a_bad_survey_by_line(extra, message):
    problems = markdown_io.problems(_course_md(extra))
    assert any(message in p for p in problems), problems


def test_markdown_limits_match_the_models():
    assert markdown_io.SURVEY_MAX_ITEMS == MAX_SURVEY_ITEMS
    assert markdown_io.SURVEY_TEXT_MAX == SURVEY_TEXT_MAX
    assert set(markdown_io.SURVEY_ITEM_KINDS) == set(SurveyItemKind.values)


def test_import_and_export_carry_the_survey(db, author, world):
    course = course_import(text=_course_md(), actor=author)
    survey = Survey.objects.get(course=course)
    assert not survey.is_open
    assert [(i.kind, i.text) for i in _items(survey)] == [
        ("likert", "The course was relevant to my work."),
        ("likert", "Lessons were clear."),
        ("text", "What would you change? (optional)"),
    ]
    exported = selectors.course_markdown(course)
    assert markdown_io.parse(exported).survey == markdown_io.parse(_course_md()).survey
    assert markdown_io.render(markdown_io.parse(_course_md())) == exported
    # A retired item only keeps answers: the file leaves it out.
    svc.survey_item_retire(actor=author, item=_items(survey)[1])
    assert "Lessons were clear." not in selectors.course_markdown(course)
    # Replacing with a file without a survey removes it (nobody answered).
    replaced = course_import(text=_course_md(""), actor=author, replace=True)
    assert not Survey.objects.filter(course=replaced).exists()


def test_replace_is_refused_once_someone_answered_the_survey(db, author, world):
    from courses.models import Certificate, CourseAssignment, LessonProgress

    course = course_import(text=_course_md(), actor=author)
    CourseAssignment.objects.create(cohort=world.cohort, course=course)
    survey = Survey.objects.get(course=course)
    survey = svc.survey_set_open(actor=author, survey=survey, is_open=True)
    _answer(world.learner, course, survey)
    # Only the survey's answers remain to protect.
    LessonProgress.objects.all().delete()
    Certificate.objects.all().delete()
    with pytest.raises(ValidationError, match="import it under a new slug"):
        course_import(text=_course_md(), actor=author, replace=True)


def test_the_export_command_writes_the_survey(db, author, world, capsys):
    from django.core.management import call_command

    course = course_import(text=_course_md(), actor=author)
    call_command("export_course", course.slug)
    assert "# Survey {open: false}" in capsys.readouterr().out


def test_the_answer_page_sends_its_revision_and_a_changed_survey_refuses_it(
    client, world, course, author
):
    survey = svc.survey_attach_default(actor=author, course=course)
    for lesson in Lesson.objects.filter(module__course=course):
        progress.lesson_complete(user=world.learner, lesson=lesson)
    client_as(client, world.learner)
    url = reverse("courses-survey", args=[course.pk])
    assert 'name="revision" value="0"' in client.get(url).content.decode()
    svc.survey_item_add(actor=author, survey=survey, kind="likert", text="Late")
    form = {f"i{i.pk}": "4" for i in _items(survey) if i.kind == "likert"}
    response = client.post(url, {**form, "revision": "0"})
    assert response.status_code == 400
    assert "changed while you were answering" in response.content.decode()
    assert not SurveyAnswer.objects.exists()
    assert client.post(url, {**form, "revision": "1"}).status_code == 302


def test_a_retired_item_is_marked_in_the_report_csv_and_api(
    client, world, course, answered, author
):
    first = _items(answered)[0]
    svc.survey_item_retire(actor=author, item=first)
    client_as(client, world.org_admin)
    csv_text = b"".join(
        client.get(reverse("courses-report-csv", args=[course.pk])).streaming_content
    ).decode()
    assert f"{first.text} (retired)" in csv_text
    api = client.get(reverse("api-course-report", args=[course.pk])).json()
    marked = {i["item_id"]: i["retired"] for i in api["survey"]["items"]}
    assert marked[first.pk] is True
    assert sum(marked.values()) == 1


def test_the_django_admin_keeps_answered_items_read_only(client, answered):
    from cpd.models import User

    root = User.objects.create_superuser(email="root@example.org", password="x")
    client.force_login(root, backend="django.contrib.auth.backends.ModelBackend")
    url = reverse("admin:courses_survey_change", args=[answered.pk])
    page = client.get(url).content.decode()
    assert reverse("courses-survey-edit", args=[answered.course_id]) in page
    item = _items(answered)[0]
    # the inline's text is shown, not offered as a field
    assert 'name="items-0-text"' not in page
    assert item.text in page
    # and the check can fail: a survey nobody answered offers the field
    fresh = svc.survey_attach_default(
        actor=root, course=course_for(answered.course.assignments.first().cohort)
    )
    fresh_page = client.get(reverse("admin:courses_survey_change", args=[fresh.pk]))
    assert 'name="items-0-text"' in fresh_page.content.decode()
