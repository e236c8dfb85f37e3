"""Course content in several languages: import, the language served, fallback."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

import courses
from courses import markdown_io, selectors
from courses.models import (
    Choice,
    ChoiceTranslation,
    Course,
    CourseAssignment,
    CourseTranslation,
    Lesson,
    LessonTranslation,
    Question,
    QuestionTranslation,
)
from courses.services.exchange import course_import
from cpd.models import User
from tests.conftest import ROLES, client_as
from tests.factories.courses import LessonFactory
from tests.factories.cpd import UserFactory

CONTENT = Path(courses.__file__).parent / "content"
ORIGINAL = (CONTENT / "hand-hygiene.md").read_text(encoding="utf-8")
FRENCH = (CONTENT / "hand-hygiene.fr.md").read_text(encoding="utf-8")
SWAHILI = (CONTENT / "hand-hygiene.sw.md").read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def _back_to_english():
    """Pages read in French or Swahili leave that language active in the thread
    (the preferred-language middleware activates it); later tests expect none."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def hygiene(world):
    course = course_import(text=ORIGINAL)
    CourseAssignment.objects.create(cohort=world.cohort, course=course)
    return course


@pytest.fixture
def french(hygiene):
    return course_import(text=FRENCH)


def _reader(world, language):
    world.learner.preferred_language = language
    world.learner.save(update_fields=["preferred_language"])
    return world.learner


def _page(client, user, name, *args, query=""):
    client_as(client, user)
    response = client.get(reverse(name, args=args) + query)
    assert response.status_code == 200
    return response.content.decode()


# --- Markdown and import -----------------------------------------------------------


def test_a_file_declares_its_language_in_the_front_matter():
    assert markdown_io.parse(FRENCH).language == "fr"
    assert markdown_io.parse(ORIGINAL).language == "en"
    assert "language: fr" in markdown_io.render(markdown_io.parse(FRENCH))


def test_an_unknown_language_is_an_error():
    with pytest.raises(markdown_io.FormatError, match="language must be one of"):
        markdown_io.parse(FRENCH.replace("language: fr", "language: xx"))


def test_a_translation_is_text_on_the_same_rows(french):
    # given the course and its French file, imported
    # then the structure is still single: no new lesson, question or option
    assert Course.objects.count() == 1
    assert (Lesson.objects.count(), Question.objects.count()) == (2, 2)
    assert Choice.objects.count() == 5
    assert LessonTranslation.objects.filter(language="fr").count() == 2
    assert ChoiceTranslation.objects.filter(language="fr").count() == 5
    assert french.translated_languages == ["fr"]
    assert french.title == "Hand hygiene: the five moments"  # the original stays
    how = LessonTranslation.objects.get(title="Comment")
    assert "<strong>Friction hydro-alcoolique</strong>" in how.body_html


def test_importing_a_translation_again_replaces_it(french):
    course_import(text=FRENCH.replace("## Lesson: Comment", "## Lesson: La méthode"))
    titles = set(LessonTranslation.objects.values_list("title", flat=True))
    assert titles == {"Pourquoi et quand", "La méthode"}
    assert CourseTranslation.objects.count() == 1


def test_a_structure_mismatch_lists_every_difference_and_writes_nothing(french):
    # given a Swahili file with a lesson missing and a right answer changed
    lessonless = SWAHILI.split("## Lesson: Jinsi ya kufanya")[0]
    quiz = SWAHILI.split("# Quiz:")[1].replace(
        "- [ ] Kweli\n- [x] Si kweli", "- [x] Kweli\n- [ ] Si kweli"
    )
    text = lessonless + "# Quiz:" + quiz
    # when it is imported
    with pytest.raises(ValidationError) as caught:
        course_import(text=text)
    # then each difference is named, and nothing of Swahili is stored
    messages = caught.value.message_dict["markdown"]
    assert "structure differs" in messages[0]
    assert any("lessons: 2 in the course, 1 in the file" in m for m in messages)
    assert any("question 2: the right options differ" in m for m in messages)
    assert not LessonTranslation.objects.filter(language="sw").exists()
    assert not CourseTranslation.objects.filter(language="sw").exists()
    assert Course.objects.get().translated_languages == ["fr"]
    assert LessonTranslation.objects.filter(language="fr").count() == 2


def test_a_question_of_another_kind_or_answer_is_a_difference(hygiene):
    text = FRENCH.replace(
        "## Question {kind: true_false}", "## Question {kind: single}"
    )
    text = text.replace("- [ ] 2 minutes\n", "")
    with pytest.raises(ValidationError) as caught:
        course_import(text=text)
    messages = caught.value.message_dict["markdown"]
    assert any(
        "question 2, kind: true_false in the course, single" in m for m in messages
    )
    assert any(
        "question 1, options: 3 in the course, 2 in the file" in m for m in messages
    )


def test_the_original_language_with_the_same_slug_is_no_translation(hygiene):
    with pytest.raises(ValidationError, match="exists"):
        course_import(text=ORIGINAL)
    assert not CourseTranslation.objects.exists()


def test_replacing_the_course_drops_its_translations(french):
    course_import(
        text=ORIGINAL.replace("## Lesson: How", "## Lesson: How to"), replace=True
    )
    course = Course.objects.get()
    assert course.translated_languages == []
    assert not CourseTranslation.objects.exists()
    assert not LessonTranslation.objects.exists()


@pytest.mark.parametrize("slug", ["pph-first-hour", "hand-hygiene"])
def test_each_demo_translation_imports_complete(db, slug):
    course = course_import(text=(CONTENT / f"{slug}.md").read_text(encoding="utf-8"))
    for code in ("fr", "sw"):
        text = (CONTENT / f"{slug}.{code}.md").read_text(encoding="utf-8")
        course = course_import(text=text)
    status = selectors.course_translation_status(course)
    assert course.translated_languages == ["fr", "sw"]
    for code in ("fr", "sw"):
        assert all(done[code] for _title, done in status.lessons + status.quizzes)


def test_the_demo_translations_import_complete(french):
    course = course_import(text=SWAHILI)
    status = selectors.course_translation_status(course)
    for code in ("fr", "sw"):
        assert all(done[code] for _title, done in status.lessons + status.quizzes)
    assert not any(done["pt"] for _title, done in status.lessons)


# --- Who may import ----------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_only_course_authors_may_import_a_translation(client, hygiene, world, role):
    client_as(client, world.user(role))
    response = client.post(
        reverse("api-course-import"),
        {"markdown": FRENCH},
        content_type="application/json",
    )
    assert response.status_code in ({401, 403} if role == "anonymous" else {403})
    assert not CourseTranslation.objects.exists()


def test_a_course_author_imports_a_translation_through_the_api(client, hygiene):
    client_as(client, UserFactory(is_staff=True))
    response = client.post(
        reverse("api-course-import"),
        {"markdown": FRENCH},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json() | {"id": 0} == {
        "id": 0,
        "slug": "hand-hygiene",
        "title": "Hand hygiene: the five moments",
        "language": "fr",
        "translation": True,
    }


def test_the_api_refuses_a_mismatched_translation_with_400(client, hygiene):
    client_as(client, UserFactory(is_staff=True))
    response = client.post(
        reverse("api-course-import"),
        {
            "markdown": FRENCH.split("## Lesson: Comment")[0]
            + "# Quiz:"
            + FRENCH.split("# Quiz:")[1]
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "lessons: 2 in the course, 1 in the file" in str(response.json()["markdown"])


# --- What learners read ------------------------------------------------------------


def test_a_french_reader_gets_the_french_lesson_and_a_link_to_the_original(
    client, world, french
):
    lesson = Lesson.objects.get(title="How")
    html = _page(client, _reader(world, "fr"), "courses-lesson", lesson.pk)
    assert "Friction hydro-alcoolique" in html
    assert "Alcohol hand rub" not in html
    assert 'data-fell-back="none"' in html
    assert f'href="{reverse("courses-lesson", args=[lesson.pk])}?lang=en"' in html
    # the neighbour's title is in French too
    assert "Pourquoi et quand" in html


def test_the_original_link_shows_the_english_lesson(client, world, french):
    lesson = Lesson.objects.get(title="How")
    html = _page(
        client, _reader(world, "fr"), "courses-lesson", lesson.pk, query="?lang=en"
    )
    assert "Alcohol hand rub" in html
    assert "Friction hydro-alcoolique" not in html
    assert "?lang=fr" in html  # "also in" the translation


def test_a_reader_without_a_translation_gets_the_original_with_a_note_and_links(
    client, world, french
):
    lesson = Lesson.objects.get(title="How")
    html = _page(client, _reader(world, "sw"), "courses-lesson", lesson.pk)
    assert "Alcohol hand rub" in html
    assert 'data-fell-back="all"' in html
    assert 'href="#lang"' in html
    assert "?lang=fr" in html


def test_no_note_when_the_reader_reads_the_original_of_an_untranslated_course(
    client, world, hygiene
):
    lesson = Lesson.objects.get(title="How")
    html = _page(client, world.learner, "courses-lesson", lesson.pk)
    assert 'id="served"' not in html
    outline = _page(client, world.learner, "courses-course", hygiene.pk)
    assert 'id="served"' not in outline


def test_the_outline_is_french_and_says_what_is_not(client, world, french):
    # given a lesson added to the original after the translation
    LessonFactory(module=french.modules.get(), title="Gloves are no substitute")
    html = _page(client, _reader(world, "fr"), "courses-course", french.pk)
    assert "Les cinq indications" in html
    assert "Post-test sur l&#x27;hygiène des mains" in html
    assert 'data-fell-back="some"' in html
    assert 'lang="en" dir="auto">Gloves are no substitute' in html
    assert 'lang="fr" dir="auto">Comment' in html


def test_the_quiz_is_french_and_scores_on_the_same_options(client, world, french):
    reader = _reader(world, "fr")
    quiz = french.quizzes.get()
    html = _page(client, reader, "courses-quiz", quiz.pk)
    assert "Post-test sur l" in html
    assert 'data-fell-back="none"' in html
    client.post(reverse("courses-quiz", args=[quiz.pk]))
    attempt = quiz.attempts.get()
    html = _page(client, reader, "courses-attempt", attempt.pk)
    assert "Combien de temps doit durer" in html
    assert "20 à 30 secondes" in html
    right = {
        f"q{q.pk}": [str(c.pk) for c in q.choices.all() if c.is_correct]
        for q in quiz.questions.all()
    }
    client.post(reverse("courses-attempt", args=[attempt.pk]), right)
    attempt.refresh_from_db()
    assert attempt.score_percent == 100
    html = _page(client, reader, "courses-attempt", attempt.pk)
    assert "Des mains visiblement souillées" in html  # the explanation, in French


def test_a_partly_translated_quiz_says_so(client, world, french):
    QuestionTranslation.objects.filter(text__startswith="La friction").delete()
    quiz = french.quizzes.get()
    client_as(client, _reader(world, "fr"))
    client.post(reverse("courses-quiz", args=[quiz.pk]))
    html = _page(client, world.learner, "courses-attempt", quiz.attempts.get().pk)
    assert 'data-fell-back="some"' in html
    assert "Alcohol rub is enough" in html
    assert "Combien de temps" in html


def test_translated_rows_refuse_to_be_saved(world, french):
    lesson = Lesson.objects.select_related("module__course").get(title="How")
    selectors.lesson_in_language(lesson, [], "fr")
    with pytest.raises(RuntimeError, match="for display"):
        lesson.save()
    assert Lesson.objects.get(pk=lesson.pk).title == "How"


def test_the_api_serves_the_language_and_says_which(api_client, world, french):
    lesson = Lesson.objects.get(title="How")
    client_as(api_client, _reader(world, "fr"))
    data = api_client.get(reverse("api-lesson-detail", args=[lesson.pk])).json()
    assert data["title"] == "Comment"
    assert data["served"] == {
        "requested": "fr",
        "served": "fr",
        "original": "en",
        "fell_back": False,
        "available": ["en", "fr"],
    }
    url = reverse("api-lesson-detail", args=[lesson.pk])
    data = api_client.get(url + "?lang=sw").json()
    assert (data["title"], data["served"]["fell_back"]) == ("How", True)
    outline = api_client.get(reverse("api-course-detail", args=[french.pk])).json()
    assert outline["title"].startswith("Hygiène des mains")
    assert outline["modules"][0]["lessons"][1]["title"] == "Comment"
    assert outline["served"]["served"] == "fr"
    listed = api_client.get(reverse("api-course-list")).json()["results"]
    assert listed[0]["title"].startswith("Hygiène des mains")
    quiz = french.quizzes.get()
    attempt = api_client.post(reverse("api-attempt-start", args=[quiz.pk])).json()
    options = {
        q["text"][:16]: [c["text"] for c in q["choices"]] for q in attempt["questions"]
    }
    assert options == {
        "Combien de temps": ["20 à 30 secondes", "5 secondes", "2 minutes"],
        "La friction hydr": ["Vrai", "Faux"],
    }
    assert attempt["served"]["fell_back"] is False


# --- Staff side --------------------------------------------------------------------


@pytest.fixture
def staff_client(client, db):
    admin = User.objects.create_superuser(email="root@example.org", password="x")
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_admin_lists_languages_and_each_lessons_status(staff_client, french):
    LessonFactory(module=french.modules.get(), title="Gloves")
    listing = staff_client.get(
        reverse("admin:courses_course_changelist")
    ).content.decode()
    assert "en (original) · fr" in listing
    page = staff_client.get(reverse("admin:courses_course_change", args=[french.pk]))
    html = page.content.decode()
    row = html.split("Lesson: Gloves")[1].split("</tr>")[0]
    assert row.count("missing") == 4  # fr, pt, sw, ar
    row = html.split("Lesson: How")[1].split("</tr>")[0]
    assert row.count("complete") == 1
    assert row.count("missing") == 3


def test_admin_imports_a_translation_and_reports_a_mismatch(staff_client, hygiene):
    url = reverse("admin:courses_course_import")
    bad = FRENCH.replace("- [ ] 2 minutes\n", "")
    response = staff_client.post(
        url, {"file": SimpleUploadedFile("f.md", bad.encode())}
    )
    assert response.status_code == 400
    assert "options: 3 in the course, 2 in the file" in response.content.decode()
    response = staff_client.post(
        url, {"file": SimpleUploadedFile("f.md", FRENCH.encode())}, follow=True
    )
    assert "Imported the French translation" in response.content.decode()


def test_a_translation_template_downloads_and_imports_back(staff_client, french):
    url = reverse("admin:courses_course_translation_markdown", args=[french.pk, "sw"])
    template = staff_client.get(url).content.decode()
    assert "language: sw" in template
    assert "Alcohol hand rub" in template
    text = staff_client.get(
        reverse("admin:courses_course_translation_markdown", args=[french.pk, "fr"])
    ).content.decode()
    render = markdown_io.render
    assert render(markdown_io.parse(text)) == render(markdown_io.parse(FRENCH))
    course_import(text=template.replace("## Lesson: How", "## Lesson: Jinsi"))
    assert LessonTranslation.objects.filter(language="sw", title="Jinsi").exists()
    missing = reverse(
        "admin:courses_course_translation_markdown", args=[french.pk, "xx"]
    )
    assert staff_client.get(missing).status_code == 404


def test_the_api_exports_a_translation_or_its_template(client, french):
    client_as(client, UserFactory(is_staff=True))
    url = reverse("api-course-markdown", args=[french.pk])
    data = client.get(url + "?lang=fr").json()
    assert "language: fr" in data["markdown"]
    assert "## Lesson: Comment" in data["markdown"]
    assert data["problems"] == []
    response = client.get(url + "?lang=xx")
    assert response.status_code == 400
    assert "lang" in response.json()


def test_the_commands_export_a_template_and_import_it_as_a_translation(
    french, tmp_path
):
    from io import StringIO

    from django.core.management import call_command

    target = tmp_path / "sw.md"
    call_command("export_course", "hand-hygiene", "--language", "sw", "-o", target)
    assert "language: sw" in target.read_text()
    out = StringIO()
    call_command("import_course", str(target), stdout=out)
    assert "Imported the sw translation" in out.getvalue()
    assert Course.objects.get().translated_languages == ["fr", "sw"]


def test_my_courses_and_the_continue_card_are_in_the_readers_language(
    client, world, french
):
    reader = _reader(world, "fr")
    lesson = Lesson.objects.get(title="How")
    _page(client, reader, "courses-lesson", lesson.pk)  # opened, not finished
    html = _page(client, reader, "courses-home")
    assert "Hygiène des mains : les cinq indications" in html
    assert ">Comment</a>" in html
    assert "Hand hygiene: the five moments" not in html


def test_the_quiz_page_says_when_it_falls_back(client, world, french):
    quiz = french.quizzes.get()
    html = _page(client, _reader(world, "sw"), "courses-quiz", quiz.pk)
    assert 'data-fell-back="all"' in html
    assert "Hand hygiene post-test" in html
    assert f"{reverse('courses-quiz', args=[quiz.pk])}?lang=fr" in html
