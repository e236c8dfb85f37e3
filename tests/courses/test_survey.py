"""The end-of-course survey: attached by authors, answered once by learners who
finished, anonymous (aggregates only, comments for administrators only), in the
privacy export only as far as it is linkable."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from courses import selectors
from courses.models import (
    CourseAssignment,
    Lesson,
    SurveyAnswer,
    SurveyItemKind,
    SurveyResponded,
    SurveyResponse,
)
from courses.privacy import courses_erase, courses_export
from courses.services import progress
from courses.services.survey import (
    DEFAULT_ITEMS,
    survey_attach_default,
    survey_respond,
)
from cpd import services
from cpd.models import Role
from cpd.privacy.registry import ErasureContext
from tests.conftest import ROLES, client_as
from tests.factories.courses import course_for
from tests.factories.cpd import UserFactory

# Scores given to the first statement by the six learners who answer. Results
# count whole batches of five: the first five (COUNTED), the sixth waits.
FIRST = [5, 4, 4, 3, 5, 1]
COUNTED = FIRST[:5]


@pytest.fixture
def author(db):
    return UserFactory(display_name="Author", is_staff=True)


@pytest.fixture
def course(world, author):
    course = course_for(world.cohort, lessons=2, title="PPH")
    survey_attach_default(actor=author, course=course)
    return course


def _finish(user, course):
    for lesson in Lesson.objects.filter(module__course=course):
        progress.lesson_complete(user=user, lesson=lesson)


def _answers(survey, first=4, comment=""):
    items = list(survey.items.all())
    out = {item.pk: "3" for item in items if item.kind == SurveyItemKind.LIKERT}
    out[items[0].pk] = str(first)
    out[items[-1].pk] = comment
    return out


@pytest.fixture
def six(world, course):
    """Six learners finished and answered; two left a comment."""
    survey = course.survey
    people = [world.learner]
    for n in range(5):
        user = UserFactory(display_name=f"Learner {n}")
        services.membership_add(cohort=world.cohort, user=user, role=Role.LEARNER)
        people.append(user)
    comments = ["Too long for night shifts", "", "", "More videos please", "", ""]
    for user, score, comment in zip(people, FIRST, comments, strict=True):
        _finish(user, course)
        survey_respond(
            actor=user, survey=survey, answers=_answers(survey, score, comment)
        )
    return people


def test_authors_attach_the_default_survey_once(world, course, author):
    survey = course.survey
    assert [i.text for i in survey.items.all()] == [str(t) for _k, t in DEFAULT_ITEMS]
    assert survey.items.filter(kind=SurveyItemKind.TEXT).count() == 1
    assert survey_attach_default(actor=author, course=course) == survey
    assert survey.items.count() == len(DEFAULT_ITEMS)
    with pytest.raises(PermissionDenied, match="course authors"):
        survey_attach_default(actor=world.org_admin, course=course)


def test_a_learner_who_finished_answers_once(world, course):
    survey = course.survey
    _finish(world.learner, course)
    _row, created = survey_respond(
        actor=world.learner, survey=survey, answers=_answers(survey)
    )
    assert created
    # a retry, even with other answers, changes nothing
    _row, again = survey_respond(
        actor=world.learner, survey=survey, answers=_answers(survey, 1)
    )
    assert not again
    assert SurveyResponse.objects.count() == 1
    assert SurveyResponded.objects.filter(user=world.learner).count() == 1
    first = survey.items.first()
    assert SurveyAnswer.objects.get(item=first).score == 4


def test_the_survey_opens_when_the_course_is_finished(world, course):
    survey = course.survey
    with pytest.raises(PermissionDenied, match="when you finish"):
        survey_respond(actor=world.learner, survey=survey, answers=_answers(survey))
    # the last lesson done is the end of the course, whatever came before
    last = Lesson.objects.filter(module__course=course).last()
    progress.lesson_complete(user=world.learner, lesson=last)
    assert selectors.survey_reached_end(world.learner, course)


def test_mentors_do_not_answer(world, course):
    with pytest.raises(PermissionDenied, match="learners"):
        survey_respond(
            actor=world.mentor_of_cohort,
            survey=course.survey,
            answers=_answers(course.survey),
        )


def test_every_statement_needs_a_score_from_1_to_5(world, course):
    survey = course.survey
    _finish(world.learner, course)
    answers = _answers(survey)
    first = survey.items.first()
    for bad in ("", "0", "6", "x"):
        answers[first.pk] = bad
        with pytest.raises(ValidationError) as exc:
            survey_respond(actor=world.learner, survey=survey, answers=answers)
        assert f"i{first.pk}" in exc.value.message_dict
    with pytest.raises(ValidationError, match="not part of this survey"):
        survey_respond(
            actor=world.learner, survey=survey, answers={**answers, 999999: "3"}
        )
    assert not SurveyResponded.objects.exists()


def test_the_answers_carry_no_link_to_the_person():
    fields = {f.name for f in SurveyResponse._meta.get_fields()}
    # the batch places a response among five of its cohort's, no closer
    assert fields == {"id", "survey", "cohort", "batch", "answers"}
    assert SurveyResponse._meta.pk.get_internal_type() == "UUIDField"
    answer_fields = {f.name for f in SurveyAnswer._meta.get_fields()}
    assert answer_fields == {"id", "response", "item", "score", "comment"}
    # numbered answers would follow the numbered "who answered" rows, in order
    assert SurveyAnswer._meta.pk.get_internal_type() == "UUIDField"
    # who answered keeps a day, never a time that could be matched
    assert (
        SurveyResponded._meta.get_field("responded_on").get_internal_type()
        == "DateField"
    )


def test_results_match_hand_computed_values(world, course, six):
    results = selectors.survey_results(
        course=course,
        cohort_ids=[world.cohort.pk],
        comment_cohort_ids=[world.cohort.pk],
    )
    assert (results.responses, results.waiting) == (5, 1)
    first = results.items[0]
    assert first.n == 5
    assert first.mean == round(sum(COUNTED) / 5, 2)  # 21 / 5 = 4.2
    assert [(s, n) for s, n, _p in first.distribution] == [
        (1, 0), (2, 0), (3, 1), (4, 2), (5, 2)
    ]  # fmt: skip
    assert [p for _s, _n, p in first.distribution] == [0, 0, 20, 40, 40]
    # ordered by their text, never by who or when
    assert results.comments == ["More videos please", "Too long for night shifts"]


def test_fewer_than_five_answers_show_no_figures(world, course, six):
    SurveyResponse.objects.filter(
        pk__in=list(SurveyResponse.objects.values_list("pk", flat=True)[:2])
    ).delete()
    results = selectors.survey_results(
        course=course,
        cohort_ids=[world.cohort.pk],
        comment_cohort_ids=[world.cohort.pk],
    )
    assert (results.responses, results.waiting) == (0, 4)
    assert not results.enough_data
    assert results.items[0].mean is None
    assert results.items[0].distribution == []
    assert results.comments is None
    assert results.comments_suppressed


@pytest.mark.parametrize("route", ["courses-report", "api-course-report"])
def test_comments_go_to_administrators_only(client, world, course, six, route):
    url = reverse(route, args=[course.pk])
    client_as(client, world.org_admin)
    assert "More videos please" in client.get(url).content.decode()
    client_as(client, world.mentor_of_cohort)
    body = client.get(url).content.decode()
    assert "More videos please" not in body
    assert "4.2" in body  # the mean: mentors see aggregates
    for person in six:
        assert person.display_name not in body


def test_the_page_lists_the_first_comments_and_the_csv_all(
    client, world, course, six, monkeypatch
):
    from courses import views

    monkeypatch.setattr(views, "COMMENTS_ON_PAGE", 1)
    client_as(client, world.org_admin)
    page = client.get(reverse("courses-report", args=[course.pk])).content.decode()
    # two comments, ordered by their text: the first is listed, one is counted
    assert "More videos please" in page
    assert "Too long for night shifts" not in page
    assert "1 more comment in the CSV" in page
    csv = b"".join(
        client.get(reverse("courses-report-csv", args=[course.pk])).streaming_content
    ).decode()
    assert "Too long for night shifts" in csv


def test_the_csv_has_comments_for_administrators_only(client, world, course, six):
    url = reverse("courses-report-csv", args=[course.pk])
    client_as(client, world.org_admin)
    body = b"".join(client.get(url).streaming_content).decode()
    assert "More videos please" in body
    assert "The course was relevant to my work.,5,4.2,0,0,1,2,2" in body
    client_as(client, world.mentor_of_cohort)
    body = b"".join(client.get(url).streaming_content).decode()
    assert "More videos please" not in body


SURVEY_STATUS = {
    "learner": 200,
    "mentor_of_cohort": 403,
    "org_admin": 403,
    "other_mentor": 404,
    "other_org_admin": 404,
    "outsider": 404,
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ["courses-survey", "api-course-survey"])
def test_who_opens_the_survey(client, world, course, role, route):
    client_as(client, world.user(role))
    response = client.get(reverse(route, args=[course.pk]))
    if role == "anonymous":
        assert response.status_code in (302, 401, 403)
        return
    assert response.status_code == SURVEY_STATUS[role]


def test_a_course_without_survey_has_no_survey_page(client, world):
    course = course_for(world.cohort)
    client_as(client, world.learner)
    assert client.get(reverse("courses-survey", args=[course.pk])).status_code == 404


def test_the_phone_page_records_one_answer_for_a_double_tap(client, world, course):
    survey = course.survey
    _finish(world.learner, course)
    client_as(client, world.learner)
    url = reverse("courses-survey", args=[course.pk])
    form = {f"i{k}": v for k, v in _answers(survey, 5, "Useful").items()}
    page = client.get(url).content.decode()
    assert "cannot change your answers" in page
    assert "<script" not in page.split("<main", 1)[-1].split("</main>")[0]
    first = client.post(url, form)
    second = client.post(url, form)
    assert first.status_code == second.status_code == 302
    assert SurveyResponse.objects.count() == 1
    assert (
        "Thank you for answering"
        in client.get(reverse("courses-course", args=[course.pk])).content.decode()
    )


def test_the_phone_page_says_what_is_missing(client, world, course):
    _finish(world.learner, course)
    client_as(client, world.learner)
    response = client.post(reverse("courses-survey", args=[course.pk]), {})
    assert response.status_code == 400
    assert "Choose from 1 (disagree) to 5 (agree)." in response.content.decode()
    assert not SurveyResponded.objects.exists()


def test_the_course_page_invites_once_the_course_is_finished(client, world, course):
    client_as(client, world.learner)
    url = reverse("courses-course", args=[course.pk])
    survey_url = reverse("courses-survey", args=[course.pk])
    assert survey_url not in client.get(url).content.decode()
    _finish(world.learner, course)
    assert survey_url in client.get(url).content.decode()


def test_the_api_answers_once(api_client, world, course):
    survey = course.survey
    _finish(world.learner, course)
    client_as(api_client, world.learner)
    url = reverse("api-course-survey", args=[course.pk])
    data = api_client.get(url).json()
    assert data["reached_end"] is True
    assert data["responded"] is False
    assert len(data["items"]) == len(DEFAULT_ITEMS)
    body = {"answers": {str(k): v for k, v in _answers(survey).items()}}
    assert api_client.post(url, body, format="json").status_code == 201
    again = api_client.post(url, body, format="json")
    assert again.status_code == 200
    assert again.json() == {"recorded": False}
    assert api_client.get(url).json()["responded"] is True
    assert SurveyResponse.objects.count() == 1


def test_the_api_refuses_bad_answers_with_400(api_client, world, course):
    _finish(world.learner, course)
    client_as(api_client, world.learner)
    url = reverse("api-course-survey", args=[course.pk])
    bodies: list[dict] = [{"answers": {"x": "1"}}, {"answers": {}}, {"nothing": 1}]
    for body in bodies:
        assert api_client.post(url, body, format="json").status_code == 400


def test_the_api_refuses_a_learner_who_has_not_finished(api_client, world, course):
    client_as(api_client, world.learner)
    url = reverse("api-course-survey", args=[course.pk])
    body = {"answers": {str(k): v for k, v in _answers(course.survey).items()}}
    assert api_client.post(url, body, format="json").status_code == 403


def test_the_export_says_that_the_person_answered_but_not_what(world, course, six):
    part = courses_export(world.learner)
    assert part.data["surveys_answered"][0]["course"] == "PPH"
    assert "Too long for night shifts" not in repr(part.data)


def test_erasure_forgets_who_answered_and_keeps_the_anonymous_answers(
    world, course, six
):
    counts = courses_erase(world.learner, ErasureContext())
    assert counts["surveys_answered"] == 1
    assert not SurveyResponded.objects.filter(user=world.learner).exists()
    assert SurveyResponse.objects.count() == 6


def test_a_respondent_in_two_cohorts_is_counted_once(world, course, author):
    # the learner's other cohort takes the course too
    CourseAssignment.objects.create(cohort=world.other_cohort, course=course)
    services.membership_add(
        cohort=world.other_cohort, user=world.learner, role=Role.LEARNER
    )
    _finish(world.learner, course)
    survey_respond(
        actor=world.learner, survey=course.survey, answers=_answers(course.survey)
    )
    response = SurveyResponse.objects.get()
    assert response.cohort_id == min(world.cohort.pk, world.other_cohort.pk)


def test_the_survey_page_and_api_cost_the_same_for_more_items(
    client, world, course, django_assert_max_num_queries
):
    from courses.models import SurveyItem

    _finish(world.learner, course)
    client_as(client, world.learner)
    urls = [
        reverse("courses-survey", args=[course.pk]),
        reverse("api-course-survey", args=[course.pk]),
        reverse("courses-course", args=[course.pk]),
    ]

    def counts() -> list[int]:
        out = []
        for url in urls:
            with django_assert_max_num_queries(14) as ctx:
                assert client.get(url).status_code == 200
            out.append(len(ctx.captured_queries))
        return out

    counts()  # the first visits write what later ones only read
    before = counts()
    for n in range(10):
        SurveyItem.objects.create(survey=course.survey, text=f"More {n}", order=20 + n)
    assert counts() == before


def test_an_archived_cohort_takes_no_more_answers(world, course):
    from django.utils import timezone

    _finish(world.learner, course)
    world.cohort.archived_at = timezone.now()
    world.cohort.save(update_fields=["archived_at"])
    with pytest.raises(PermissionDenied, match="archived"):
        survey_respond(
            actor=world.learner, survey=course.survey, answers=_answers(course.survey)
        )
    assert not SurveyResponded.objects.exists()


def test_the_phone_page_ignores_keys_that_only_look_like_item_ids(
    client, world, course
):
    # "i²" passes str.isdigit() but int() refuses it: a 500 before the fix
    _finish(world.learner, course)
    client_as(client, world.learner)
    form = {f"i{k}": v for k, v in _answers(course.survey, 5).items()}
    response = client.post(
        reverse("courses-survey", args=[course.pk]), {**form, "i²": "3"}
    )
    assert response.status_code == 302
    assert SurveyResponse.objects.count() == 1


def test_a_comment_with_a_nul_character_is_stored_without_it(client, world, course):
    # PostgreSQL refuses NUL in text (a 500 there); the API's field refuses it
    _finish(world.learner, course)
    client_as(client, world.learner)
    form = {f"i{k}": v for k, v in _answers(course.survey, 5, "Use\x00ful").items()}
    response = client.post(reverse("courses-survey", args=[course.pk]), form)
    assert response.status_code == 302
    assert SurveyAnswer.objects.exclude(comment="").get().comment == "Useful"


def test_the_rest_of_the_scopes_few_answers_wait_so_part_and_whole_agree(
    client, world, course, six
):
    # given a second cohort of the organisation, where one learner answered
    from tests.factories.cpd import CohortFactory

    small = CohortFactory(organisation=world.cohort.organisation, name="Cohort C")
    CourseAssignment.objects.create(cohort=small, course=course)
    alone = UserFactory(display_name="Alone in C")
    services.membership_add(cohort=small, user=alone, role=Role.LEARNER)
    _finish(alone, course)
    survey = course.survey
    survey_respond(actor=alone, survey=survey, answers=_answers(survey, 2, "Only C"))
    url = reverse("api-course-report", args=[course.pk])
    client_as(client, world.org_admin)
    # when the administrator reads the whole scope (seven answers: A's first
    # batch of five counts; A's sixth and C's one wait for theirs to fill)
    whole = client.get(url).json()["survey"]
    assert whole["items"][0]["mean"] == round(sum(COUNTED) / 5, 2)
    assert (whole["responses"], whole["waiting"]) == (5, 2)
    assert "Only C" not in whole["comments"]
    # then cohort A alone shows the same: nothing of C's to work out
    part = client.get(url, {"cohort": world.cohort.pk}).json()["survey"]
    assert part["items"] == whole["items"]
    assert part["comments"] == whole["comments"]
    assert (part["responses"], part["waiting"]) == (5, 1)
    csv_url = reverse("courses-report-csv", args=[course.pk])
    body = b"".join(client.get(csv_url).streaming_content).decode()
    assert "Only C" not in body


def test_a_comment_typed_as_a_formula_is_text_in_the_csv(client, world, course, six):
    # given a sixth comment a spreadsheet would run
    SurveyAnswer.objects.filter(comment="More videos please").update(
        comment='=HYPERLINK("http://x")'
    )
    client_as(client, world.org_admin)
    url = reverse("courses-report-csv", args=[course.pk])
    body = b"".join(client.get(url).streaming_content).decode()
    assert "'=HYPERLINK" in body
    assert '\n"=HYPERLINK' not in body


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_phones_answering_at_once_record_one_answer(world, course, monkeypatch):
    """Both requests pass the "answered before?" check, then race (PostgreSQL)."""
    import threading

    from django.db import connection

    import courses.services.survey as survey_module

    survey = course.survey
    _finish(world.learner, course)
    both_checked = threading.Barrier(2)
    reached_end = survey_module.survey_reached_end

    def reached_end_together(user, course):
        both_checked.wait(timeout=10)
        return reached_end(user, course)

    monkeypatch.setattr(survey_module, "survey_reached_end", reached_end_together)
    outcomes: list[object] = []

    def answer(score: int) -> None:
        try:
            _row, created = survey_respond(
                actor=world.learner, survey=survey, answers=_answers(survey, score)
            )
            outcomes.append(created)
        except Exception as exc:  # noqa: BLE001 - the test reports any error
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=answer, args=(s,)) for s in (2, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes, key=str) == [False, True]
    assert SurveyResponded.objects.count() == 1
    assert SurveyResponse.objects.count() == 1
    assert SurveyAnswer.objects.filter(score__isnull=False).count() == 6


def test_comments_of_other_readable_cohorts_wait_for_a_batch_of_five(
    world, course, six
):
    # given cohorts B (5 responses, comments not the viewer's) and C (2, theirs)
    from tests.factories.cpd import CohortFactory

    survey = course.survey
    text_item = survey.items.get(kind=SurveyItemKind.TEXT)
    other = {}
    for name, n in (("B", 5), ("C", 2)):
        other[name] = CohortFactory(organisation=world.cohort.organisation, name=name)
        for i in range(n):
            response = SurveyResponse.objects.create(survey=survey, cohort=other[name])
            SurveyAnswer.objects.create(
                response=response, item=text_item, comment=f"{name} says {i}"
            )
    a, b, c = world.cohort.pk, other["B"].pk, other["C"].pk
    # when A alone is read by someone who reads A's and C's comments
    results = selectors.survey_results(
        course=course,
        cohort_ids=[a],
        comment_cohort_ids=[a],
        scope_cohort_ids=[a, b, c],
        scope_comment_cohort_ids=[a, c],
    )
    # then A's scores and comments show: C's two wait for a batch of five, so
    # the whole scope's comments are A's and B's (not readable) too
    assert results.items[0].mean == round(sum(COUNTED) / 5, 2)
    assert results.comments == ["More videos please", "Too long for night shifts"]
    whole = selectors.survey_results(
        course=course, cohort_ids=[a, b, c], comment_cohort_ids=[a, c]
    )
    assert whole.comments == results.comments
    # and with C's comments out of their reach, A's are shown
    assert selectors.survey_results(
        course=course,
        cohort_ids=[a],
        comment_cohort_ids=[a],
        scope_cohort_ids=[a, b, c],
        scope_comment_cohort_ids=[a],
    ).comments == ["More videos please", "Too long for night shifts"]


def test_an_item_the_rest_of_the_scope_scored_a_few_times_is_hidden(world, course, six):
    # given cohort C: six responses, only two of which scored the first item
    # (as when a statement is added after most had answered)
    from tests.factories.cpd import CohortFactory

    survey = course.survey
    first = survey.items.first()
    small = CohortFactory(organisation=world.cohort.organisation, name="C")
    for i in range(6):
        response = SurveyResponse.objects.create(survey=survey, cohort=small)
        if i < 2:
            SurveyAnswer.objects.create(response=response, item=first, score=1)
    # when cohort A alone is read (C's six responses are enough on their own)
    results = selectors.survey_results(
        course=course,
        cohort_ids=[world.cohort.pk],
        scope_cohort_ids=[world.cohort.pk, small.pk],
    )
    # then C's two scores of a batch only partly asked the item count nowhere
    # (results move by whole batches of an item: courses.selectors.survey),
    # so the whole scope minus cohort A cannot give them away
    assert results.items[0].n == 5  # A's first five
    whole = selectors.survey_results(
        course=course,
        cohort_ids=[world.cohort.pk, small.pk],
        scope_cohort_ids=[world.cohort.pk, small.pk],
    )
    assert whole.items[0].n == results.items[0].n == 5
    assert whole.items[0].mean == results.items[0].mean
    # and the others, which C never scored, show their figures
    assert results.items[1].mean == 3.0


def test_results_change_five_answers_at_a_time(world, course, six):
    survey = course.survey

    def seen():
        r = selectors.survey_results(
            course=course,
            cohort_ids=[world.cohort.pk],
            comment_cohort_ids=[world.cohort.pk],
        )
        return r.responses, r.items[0].mean, r.items[0].distribution, r.comments

    def answer(n, score, comment=""):
        user = UserFactory(display_name=f"Later {n}")
        services.membership_add(cohort=world.cohort, user=user, role=Role.LEARNER)
        _finish(user, course)
        survey_respond(
            actor=user, survey=survey, answers=_answers(survey, score, comment)
        )

    first = seen()
    assert first[0] == 5
    # three more answers (the 7th to 9th): a visit before and after each one
    # shows the same figures, so none of them can be told apart
    for n in range(3):
        answer(n, 1, f"later comment {n}")
        assert seen() == first
    # the 10th fills the second batch: five answers show at once
    answer(3, 2)
    responses, mean, _dist, comments = seen()
    assert responses == 10
    assert mean == round((sum(FIRST) + 1 + 1 + 1 + 2) / 10, 2)
    assert len(comments) == 5


def test_each_cohorts_responses_are_numbered_in_batches_of_five(world, course, six):
    from tests.factories.cpd import CohortFactory

    batches = sorted(SurveyResponse.objects.values_list("batch", flat=True))
    assert batches == [0, 0, 0, 0, 0, 1]  # the sixth opens A's second batch
    other = CohortFactory(organisation=world.cohort.organisation, name="Cohort D")
    CourseAssignment.objects.create(cohort=other, course=course)
    user = UserFactory(display_name="In D")
    services.membership_add(cohort=other, user=user, role=Role.LEARNER)
    _finish(user, course)
    survey_respond(actor=user, survey=course.survey, answers=_answers(course.survey))
    assert SurveyResponse.objects.get(cohort=other).batch == 0  # D's own first
