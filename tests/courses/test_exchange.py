"""A whole course as Markdown: round trip, clear errors, all or nothing."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from courses import markdown_io, selectors
from courses.models import Course, Lesson, LessonProgress, Question, Quiz
from courses.services.exchange import course_import
from cpd.models import User
from tests.conftest import ROLES, client_as
from tests.factories.courses import (
    CourseFactory,
    LessonFactory,
    ModuleFactory,
    QuizFactory,
    course_for,
    question_with,
)
from tests.factories.cpd import UserFactory

GOOD = """---
title: Newborn resuscitation
slug: newborn-resus
cpd_hours: 1.5
sessions_required: 1
summary: The golden minute.
---

# Module: Before birth

## Lesson: Prepare {minutes: 3, media: "https://example.org/video"}

Check the bag and mask **before** every birth.

```
# Module: not a heading inside a code block
```

### A sub-heading is content

# Module: The golden minute {opens_after_days: 7}

## Lesson: Dry and stimulate

Dry the baby; keep warm.

# Quiz: Before you start {kind: pre, pass_percent: 60, max_attempts: 1}

## Question {kind: single}

First step for a baby not breathing?

- [x] Dry and stimulate
- [ ] Wait and see

> Drying is also stimulation.

## Question {kind: multiple}

Which belong in the kit?

- [x] Bag and mask
- [x] Towels
- [ ] Ice

## Question {kind: true_false}

Start ventilation within one minute.

- [x] True
- [ ] False

## Question {kind: numeric, answer: 40, tolerance: 10}

Breaths per minute with bag and mask?

> 40 to 60 a minute.
"""


def test_import_creates_the_whole_course(db):
    course = course_import(text=GOOD)
    assert (course.title, course.slug, course.cpd_hours) == (
        "Newborn resuscitation",
        "newborn-resus",
        Decimal("1.5"),
    )
    assert course.sessions_required == 1
    modules = list(course.modules.all())
    assert [m.opens_after_days for m in modules] == [0, 7]
    prepare = Lesson.objects.get(title="Prepare")
    assert prepare.estimated_minutes == 3
    assert prepare.media_url == "https://example.org/video"
    assert "<strong>before</strong>" in prepare.body_html
    assert "# Module: not a heading" in prepare.body
    quiz = Quiz.objects.get(course=course)
    assert (quiz.kind, quiz.pass_percent, quiz.max_attempts) == ("pre", 60, 1)
    kinds = [q.kind for q in quiz.questions.all()]
    assert kinds == ["single", "multiple", "true_false", "numeric"]
    numeric = quiz.questions.get(kind="numeric")
    assert (numeric.numeric_answer, numeric.tolerance) == (Decimal(40), Decimal(10))
    assert numeric.explanation == "40 to 60 a minute."
    multiple = quiz.questions.get(kind="multiple")
    assert [c.is_correct for c in multiple.choices.all()] == [True, True, False]


def test_export_then_import_gives_the_same_course(db):
    course = CourseFactory(title="Round trip", cpd_hours=Decimal("2.5"))
    module = ModuleFactory(course=course, opens_after_days=3)
    LessonFactory(module=module, body="Line one\n\n- a\n- b", media_url="")
    quiz = QuizFactory(course=course, kind="post", time_limit_minutes=10, draw=2)
    question_with(quiz, "single", [("Yes", True), ("No", False)])
    question_with(quiz, "multiple", [("A", True), ("B", True), ("C", False)])
    question_with(quiz, "numeric", answer="0.5", tolerance="0.05")
    text = selectors.course_markdown(course)
    copy = course_import(text=text.replace(course.slug, "round-trip-copy"))
    assert copy.pk != course.pk
    again = selectors.course_markdown(copy)
    assert again == text.replace(course.slug, "round-trip-copy")
    assert markdown_io.parse(text).title == "Round trip"


BROKEN = [
    ("no front matter", "# Module: A\n", "must start with '---'"),
    ("unclosed front matter", "---\ntitle: A\n", "not closed"),
    ("no title", "---\nslug: a\n---\n# Module: M\n## Lesson: L\nx\n", "needs a title"),
    ("bad yaml", "---\ntitle: [a\n---\n", "not valid YAML"),
    ("unknown key", "---\ntitle: A\ncolour: red\n---\n", "unknown colour"),
    ("negative hours", "---\ntitle: A\ncpd_hours: -1\n---\n", "cpd_hours"),
    ("huge hours", "---\ntitle: A\ncpd_hours: 100000\n---\n", "at most 999"),
    ("no modules", "---\ntitle: A\n---\n", "at least one '# Module:'"),
    ("text before", "---\ntitle: A\n---\nhello\n", "line 4: text before"),
    (
        "lesson without module",
        "---\ntitle: A\n---\n## Lesson: L\nx\n",
        "line 4: a '## Lesson:' must come under",
    ),
    ("empty module", "---\ntitle: A\n---\n# Module: M\n", "line 4: the module has no"),
    ("empty lesson", "---\ntitle: A\n---\n# Module: M\n## Lesson: L\n", "no text"),
    (
        "lesson at level 1",
        "---\ntitle: A\n---\n# Module: M\n# Lesson: L\nx\n",
        "'Lesson' headings start with '## '",
    ),
    (
        "bad attributes",
        "---\ntitle: A\n---\n# Module: M {opens_after_days: soon}\n## Lesson: L\nx\n",
        "opens_after_days must be a whole number",
    ),
    (
        "unclosed attributes",
        "---\ntitle: A\n---\n# Module: M\n## Lesson: L {minutes: [}\nx\n",
        "not valid",
    ),
    (
        "bad media",
        "---\ntitle: A\n---\n# Module: M\n## Lesson: L {media: 'javascript:x'}\nx\n",
        "media must be an http(s) link",
    ),
    (
        "unclosed code block",
        "---\ntitle: A\n---\n# Module: M\n## Lesson: L\n```\nx\n",
        "not closed",
    ),
]

LESSON = "---\ntitle: A\n---\n# Module: M\n"
BROKEN += [
    (
        "media too long",
        LESSON + "## Lesson: L {media: 'https://example.org/%s'}\nx\n" % ("a" * 200),
        "at most 200 characters",
    ),
    (
        "media with braces",
        LESSON + "## Lesson: L {minutes: 5, media: 'https://x.org/{a}'}\nx\n",
        "not valid",
    ),
    ("unclosed attributes typo", LESSON + "## Lesson: L {minutes: 5\nx\n", "not valid"),
    ("NUL character", "---\ntitle: A\x00\n---\n", "NUL character"),
    (
        "yaml aliases",
        "---\ntitle: A\na: &a [x, x]\nsummary: [*a, *a]\n---\n",
        "not valid YAML",
    ),
    (
        "summary not text",
        "---\ntitle: A\nsummary: [a, b]\n---\n",
        "summary must be text",
    ),
    ("hours two decimals", "---\ntitle: A\ncpd_hours: 1.55\n---\n", "one decimal"),
]

QUIZ_HEAD = "---\ntitle: A\n---\n# Module: M\n## Lesson: L\nx\n"
BROKEN += [
    (
        "question outside quiz",
        QUIZ_HEAD + "## Question\nWhy?\n- [x] a\n- [ ] b\n",
        "must come under a '# Quiz:'",
    ),
    ("bad quiz kind", QUIZ_HEAD + "# Quiz: Q {kind: final}\n", "quiz kind must be"),
    ("quiz without questions", QUIZ_HEAD + "# Quiz: Q\n", "the quiz has no"),
    (
        "two right single",
        QUIZ_HEAD + "# Quiz: Q\n## Question\nWhy?\n- [x] a\n- [x] b\n",
        "exactly one right option",
    ),
    (
        "no right multiple",
        QUIZ_HEAD + "# Quiz: Q\n## Question {kind: multiple}\nWhy?\n- [ ] a\n- [ ] b\n",
        "at least one right option",
    ),
    (
        "one option",
        QUIZ_HEAD + "# Quiz: Q\n## Question\nWhy?\n- [x] a\n",
        "at least two options",
    ),
    (
        "numeric without answer",
        QUIZ_HEAD + "# Quiz: Q\n## Question {kind: numeric}\nHow many?\n",
        "needs {answer: ...}",
    ),
    (
        "numeric answer not a number",
        QUIZ_HEAD + "# Quiz: Q\n## Question {kind: numeric, answer: lots}\nHow?\n",
        "answer must be a number",
    ),
    (
        "question without text",
        QUIZ_HEAD + "# Quiz: Q\n## Question\n- [x] a\n- [ ] b\n",
        "the question has no text",
    ),
    (
        "answer too precise",
        QUIZ_HEAD + "# Quiz: Q\n## Question {kind: numeric, answer: 0.0005}\nHow?\n",
        "at most 3 decimal places",
    ),
    (
        "draw too many",
        QUIZ_HEAD + "# Quiz: Q {draw: 5}\n## Question\nWhy?\n- [x] a\n- [ ] b\n",
        "draw is more than",
    ),
    (
        "two pre-tests",
        QUIZ_HEAD
        + "# Quiz: A {kind: pre}\n## Question\nW?\n- [x] a\n- [ ] b\n"
        + "# Quiz: B {kind: pre}\n## Question\nW?\n- [x] a\n- [ ] b\n",
        "already has a pre-test",
    ),
]


@pytest.mark.parametrize(
    ("text", "message"), [(t, m) for _n, t, m in BROKEN], ids=[n for n, *_ in BROKEN]
)
def test_broken_structure_is_a_clear_error_and_saves_nothing(db, text, message):
    with pytest.raises(ValidationError) as caught:
        course_import(text=text)
    assert any(message in m for m in caught.value.messages), caught.value.messages
    assert not Course.objects.exists()
    assert not Question.objects.exists()


def test_every_problem_is_listed_not_only_the_first(db):
    text = QUIZ_HEAD + "# Quiz: Q {kind: final}\n## Question\n- [x] a\n"
    with pytest.raises(ValidationError) as caught:
        course_import(text=text)
    assert len(caught.value.messages) >= 3


def test_existing_slug_is_refused_unless_replaced(db):
    first = course_import(text=GOOD)
    with pytest.raises(ValidationError, match="exists"):
        course_import(text=GOOD)
    changed = GOOD.replace("Dry the baby; keep warm.", "Dry, warm, stimulate.")
    replaced = course_import(text=changed, replace=True)
    assert replaced.pk == first.pk
    assert Lesson.objects.filter(module__course=first).count() == 2
    assert Lesson.objects.filter(body="Dry, warm, stimulate.").exists()


def test_replace_is_refused_once_learners_used_the_course(db):
    course = course_import(text=GOOD)
    LessonProgress.objects.create(
        user=UserFactory(),
        lesson=Lesson.objects.filter(module__course=course).first(),
        first_opened_at="2026-01-01T00:00Z",
        last_seen_at="2026-01-01T00:00Z",
    )
    with pytest.raises(ValidationError, match="new slug"):
        course_import(text=GOOD.replace("Prepare", "Get ready"), replace=True)
    assert Lesson.objects.filter(title="Prepare").exists()


def test_failure_after_parsing_rolls_everything_back(db, monkeypatch):
    from courses.services import exchange

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(exchange.Choice.objects, "bulk_create", boom)
    with pytest.raises(RuntimeError):
        course_import(text=GOOD)
    assert not Course.objects.exists()
    assert not Lesson.objects.exists()


def test_only_staff_import(db):
    with pytest.raises(PermissionDenied):
        course_import(text=GOOD, actor=UserFactory())
    assert course_import(text=GOOD, actor=UserFactory(is_staff=True)).pk


def test_commands_export_and_import(db, tmp_path, capsys):
    course_import(text=GOOD)
    out = tmp_path / "course.md"
    call_command("export_course", "newborn-resus", output=str(out))
    out.write_text(out.read_text().replace("newborn-resus", "copy"))
    call_command("import_course", str(out))
    assert Course.objects.filter(slug="copy").exists()
    assert "Imported" in capsys.readouterr().out


def test_import_command_lists_problems_by_line(db, tmp_path):
    bad = tmp_path / "bad.md"
    bad.write_text("---\ntitle: A\n---\nhello\n")
    with pytest.raises(CommandError, match="line 4"):
        call_command("import_course", str(bad))
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_course", str(tmp_path / "missing.md"))
    with pytest.raises(CommandError, match="No course"):
        call_command("export_course", "nope")


@pytest.fixture
def staff_client(client, db):
    admin = User.objects.create_superuser(email="root@example.org", password="x")
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_admin_imports_and_downloads(staff_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("admin:courses_course_import")
    assert (
        staff_client.get(reverse("admin:courses_course_changelist")).status_code == 200
    )
    upload = SimpleUploadedFile("c.md", GOOD.encode(), content_type="text/markdown")
    response = staff_client.post(url, {"file": upload})
    assert response.status_code == 302
    course = Course.objects.get()
    response = staff_client.post(
        reverse("admin:courses_course_changelist"),
        {"action": "download_markdown", "_selected_action": [course.pk]},
    )
    assert response["Content-Disposition"].endswith('newborn-resus.md"')
    assert "# Quiz: Before you start" in response.content.decode()


def test_admin_import_shows_errors_and_keeps_nothing(staff_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("c.md", b"---\ntitle: A\n---\nhello\n")
    response = staff_client.post(
        reverse("admin:courses_course_import"), {"file": upload}
    )
    assert response.status_code == 400
    assert "line 4: text before" in response.content.decode()
    upload = SimpleUploadedFile("c.md", b"\xff\xfe")
    response = staff_client.post(
        reverse("admin:courses_course_import"), {"file": upload}
    )
    assert "not UTF-8" in response.content.decode()
    assert not Course.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_api_export_and_import_are_for_course_authors(client, world, role):
    course = course_for(world.cohort)
    client_as(client, world.user(role))
    export = client.get(reverse("api-course-markdown", args=[course.pk]))
    imported = client.post(
        reverse("api-course-import"),
        {"markdown": GOOD},
        content_type="application/json",
    )
    if role == "anonymous":
        assert {export.status_code, imported.status_code} <= {401, 403}
    elif role in {"learner", "mentor_of_cohort", "org_admin"}:
        assert (export.status_code, imported.status_code) == (403, 403)
    else:
        assert (export.status_code, imported.status_code) == (404, 403)
    assert not Course.objects.filter(slug="newborn-resus").exists()


def test_api_round_trip_for_staff(client, world):
    staff = UserFactory(is_staff=True)
    client_as(client, staff)
    created = client.post(
        reverse("api-course-import"),
        {"markdown": GOOD},
        content_type="application/json",
    )
    assert created.status_code == 201
    course_id = created.json()["id"]
    data = client.get(reverse("api-course-markdown", args=[course_id])).json()
    assert data["slug"] == "newborn-resus"
    assert data["markdown"].startswith("---\ntitle: Newborn resuscitation")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "markdown"),
        ({"markdown": "---\ntitle: A\n---\nhello\n"}, "markdown"),
        ({"markdown": GOOD, "replace": "perhaps"}, "replace"),
    ],
)
def test_api_import_bad_input_is_400_with_fields(client, world, payload, field):
    client_as(client, UserFactory(is_staff=True))
    response = client.post(
        reverse("api-course-import"), payload, content_type="application/json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not Course.objects.exists()


def test_api_import_lists_errors_by_line(client, world):
    client_as(client, UserFactory(is_staff=True))
    response = client.post(
        reverse("api-course-import"),
        {"markdown": "---\ntitle: A\n---\nhello\n"},
        content_type="application/json",
    )
    assert response.json()["markdown"] == [
        "line 4: text before the first '# Module:' heading",
        "the course needs at least one '# Module:' with lessons",
    ]


def test_round_trip_keeps_awkward_content(db):
    course = CourseFactory(title="Doses {mg/kg} for children")
    module = ModuleFactory(course=course, title="Weights {kg}")
    LessonFactory(
        module=module,
        title="Fluids {ml}",
        body="    indented code first\n\n- [ ] a task list, not a quiz option",
    )
    quiz = QuizFactory(course=course, kind="pre", title="Check {1}")
    question = question_with(quiz, "single", [("Yes {x}", True), ("No", False)])
    question.text = "Line one\nLine two"
    question.explanation = "Because:\n\n- reason one\n- reason two"
    question.save()
    text = selectors.course_markdown(course)
    doc = markdown_io.parse(("\ufeff" + text).replace("\n", "\r\n"))
    assert doc.title == "Doses {mg/kg} for children"
    assert doc.modules[0].title == "Weights {kg}"
    lesson = doc.modules[0].lessons[0]
    assert lesson.title == "Fluids {ml}"
    assert lesson.body.startswith("    indented code first")
    assert "- [ ] a task list" in lesson.body
    (q,) = doc.quizzes[0].questions
    assert doc.quizzes[0].title == "Check {1}"
    assert q.text == "Line one\nLine two"
    assert q.explanation == "Because:\n\n- reason one\n- reason two"
    assert [c.text for c in q.choices] == ["Yes {x}", "No"]


def test_round_trip_keeps_lines_that_look_like_structure(db):
    course = CourseFactory(title="Look-alikes")
    module = ModuleFactory(course=course)
    body = (
        "Intro\n## Lesson: part 2\n# Module: not one\n## Question\n"
        "\\# Module: a literal backslash\n```\n# Module: in code\n```"
    )
    LessonFactory(module=module, body=body)
    quiz = QuizFactory(course=course, kind="pre")
    question = question_with(quiz, "single", [("Yes", True), ("No", False)])
    question.text = "Read this:\n> quoted guideline\n- [ ] inside text\n## Question"
    question.save()
    text = selectors.course_markdown(course)
    doc = markdown_io.parse(text)
    (lesson,) = doc.modules[0].lessons
    assert lesson.body == body
    (q,) = doc.quizzes[0].questions
    assert q.text == question.text
    assert [c.text for c in q.choices] == ["Yes", "No"]
    assert q.explanation == question.explanation


def test_replace_is_refused_while_sessions_use_the_modules(db, world):
    from django.utils import timezone

    from courses.models import CourseAssignment, Session

    course = course_import(text=GOOD)
    CourseAssignment.objects.create(cohort=world.cohort, course=course)
    Session.objects.create(
        cohort=world.cohort,
        module=course.modules.first(),
        title="Drill",
        place="Lab",
        starts_at=timezone.now(),
        ends_at=timezone.now(),
    )
    with pytest.raises(ValidationError, match="new slug"):
        course_import(text=GOOD, replace=True)
    assert Session.objects.get().module is not None


def test_admin_replace_needs_change_and_delete_rights(client, db):
    from django.contrib.auth.models import Permission
    from django.core.files.uploadedfile import SimpleUploadedFile

    course_import(text=GOOD)
    author = UserFactory(is_staff=True)
    author.user_permissions.add(
        Permission.objects.get(codename="add_course"),
        Permission.objects.get(codename="view_course"),
    )
    client.force_login(author, backend="django.contrib.auth.backends.ModelBackend")
    changed = GOOD.replace("Dry the baby; keep warm.", "Changed.")
    upload = SimpleUploadedFile("c.md", changed.encode())
    response = client.post(
        reverse("admin:courses_course_import"), {"file": upload, "replace": "on"}
    )
    assert response.status_code == 403
    assert not Lesson.objects.filter(body="Changed.").exists()


def test_export_of_a_draft_says_why_it_would_not_import(client, db, capsys, tmp_path):
    course = CourseFactory(slug="draft")
    ModuleFactory(course=course, title="Empty for now")
    call_command("export_course", "draft", output=str(tmp_path / "d.md"))
    assert "the module has no '## Lesson:'" in capsys.readouterr().err
    client_as(client, UserFactory(is_staff=True))
    data = client.get(reverse("api-course-markdown", args=[course.pk])).json()
    assert any("the module has no" in p for p in data["problems"])
    full = course_import(text=GOOD)
    data = client.get(reverse("api-course-markdown", args=[full.pk])).json()
    assert data["problems"] == []
