"""A whole course as one Markdown file, to write offline and share.

The format (documented with an example in docs/courses.md)::

    ---
    title: Postpartum haemorrhage
    slug: pph
    cpd_hours: 2
    language: en
    ---

    # Module: Recognise PPH {opens_after_days: 7}

    ## Lesson: What counts as PPH {minutes: 5}

    Lesson body in Markdown (### and deeper headings are fine).

    # Quiz: Before you start {kind: pre, pass_percent: 60}

    ## Question {kind: single}

    Question text.

    - [x] The right option
    - [ ] A wrong one

    > The explanation shown after submitting.

    # Survey {open: true}

    ## Item {kind: likert}

    The course was relevant to my work.

    ## Item {kind: text}

    What would you change about this course? (optional)

Front matter is YAML; the ``{...}`` after a heading is a YAML flow mapping.
Only ``# Module:``, ``# Quiz:``, ``## Lesson:`` and ``## Question`` lines,
and the exact lines ``# Survey`` and ``## Item`` (each alone, or with its
``{...}``), outside fenced code blocks give structure; everything else is
content. The survey (one per course) holds its items' text on one line each.
This module parses and writes the text only: it never touches the database.
Reader and writer stay in one module (past ~400 lines) because a round trip must
hold: both sides share the structural-line, escaping and heading rules, and a
change to one side is only safe when read next to the other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.text import slugify

QUIZ_KINDS = ("practice", "pre", "post")
QUESTION_KINDS = ("single", "multiple", "true_false", "numeric")
SURVEY_ITEM_KINDS = ("likert", "text")
# As courses.models.survey (MAX_SURVEY_ITEMS, SURVEY_TEXT_MAX): this module
# reads text only and imports no model; tests/courses/test_survey_editor.py
# checks that the two agree.
SURVEY_MAX_ITEMS = 20
SURVEY_TEXT_MAX = 200
MAX_BYTES = 2_000_000


class _Loader(yaml.SafeLoader):
    """Safe YAML without anchors and aliases (no 'billion laughs' expansion)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.get_event()
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed", event.start_mark
            )
        return super().compose_node(parent, index)


def _yaml(text: str) -> Any:
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass


def _media_ok(url: str) -> bool:
    if len(url) > 200 or any(c in url for c in "{}"):
        return False
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        return False
    return True


class FormatError(Exception):
    """The text is not a valid course; ``errors`` lists each problem by line."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class ChoiceDoc:
    text: str
    correct: bool


@dataclass
class QuestionDoc:
    kind: str
    text: str
    explanation: str = ""
    choices: list[ChoiceDoc] = field(default_factory=list)
    answer: Decimal | None = None
    tolerance: Decimal = Decimal("0")
    line: int = 0


@dataclass
class QuizDoc:
    title: str
    kind: str
    pass_percent: int = 70
    max_attempts: int = 0
    time_limit_minutes: int | None = None
    draw: int | None = None
    questions: list[QuestionDoc] = field(default_factory=list)
    line: int = 0


@dataclass
class LessonDoc:
    title: str
    body: str = ""
    minutes: int = 5
    media: str = ""
    line: int = 0


@dataclass
class ModuleDoc:
    title: str
    opens_after_days: int = 0
    lessons: list[LessonDoc] = field(default_factory=list)
    line: int = 0


@dataclass
class SurveyItemDoc:
    kind: str
    text: str
    line: int = field(default=0, compare=False)


@dataclass
class SurveyDoc:
    is_open: bool = True
    items: list[SurveyItemDoc] = field(default_factory=list)
    line: int = field(default=0, compare=False)


@dataclass
class CourseDoc:
    title: str
    slug: str
    summary: str = ""
    cpd_hours: Decimal = Decimal("0")
    requires_post_test: bool = True
    sessions_required: int = 0
    language: str = "en"
    modules: list[ModuleDoc] = field(default_factory=list)
    quizzes: list[QuizDoc] = field(default_factory=list)
    survey: SurveyDoc | None = None


_HEADING = re.compile(
    r"^(?P<level>#{1,2}) "
    r"(?:(?P<what>Module|Lesson|Quiz):|(?P<question>Question)(?=\s|\{|$))"
    r"\s*(?P<rest>.*)$"
)
# The attributes are the last {...} on the heading line; a title may contain
# braces of its own when the line ends with a {...} (the writer adds "{}").
_ATTRS = re.compile(r"^(?P<title>.*?)\s*(?P<attrs>\{[^{}]*\})?\s*$")
# The survey's headings are whole lines (a lesson's "# Survey of the ward" is
# content): "# Survey" or "## Item", an optional ":", an optional {...}.
_SURVEY_HEADING = re.compile(
    r"^(?P<level>#{1,2}) (?P<what>Survey|Item):?[ \t]*(?P<attrs>\{[^{}]*\})?[ \t]*$"
)
_CHOICE = re.compile(r"^[-*] \[(?P<mark>[ xX])\] (?P<text>.+)$")
_LEVEL = {
    "Module": "#",
    "Quiz": "#",
    "Lesson": "##",
    "Question": "##",
    "Survey": "#",
    "Item": "##",
}
_KEYS = {
    "course": {
        "title",
        "slug",
        "summary",
        "cpd_hours",
        "requires_post_test",
        "sessions_required",
        "language",
    },
    "Module": {"opens_after_days"},
    "Lesson": {"minutes", "media"},
    "Quiz": {"kind", "pass_percent", "max_attempts", "time_limit_minutes", "draw"},
    "Question": {"kind", "answer", "tolerance"},
    "Survey": {"open"},
    "Item": {"kind"},
}


class _Reader:
    """Collects errors with line numbers instead of stopping at the first."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def error(self, line: int, message: str) -> None:
        self.errors.append(f"line {line}: {message}" if line else message)

    def heading(self, line: int, what: str, rest: str) -> tuple[str, dict[str, Any]]:
        """A heading's title and its ``{...}`` attributes."""
        parts = _ATTRS.match(rest)  # always matches: both groups are optional
        title = (parts["title"] if parts else rest).strip()
        raw = parts["attrs"] if parts else None
        if raw is None:
            if title.endswith("}") or title.count("{") != title.count("}"):
                self.error(line, "the {...} after the heading is not valid")
            return title, {}
        try:
            value = _yaml(raw)
        except yaml.YAMLError:
            value = None
        if not isinstance(value, dict):
            self.error(line, f"the {{...}} after the heading is not valid: {raw}")
            return title, {}
        return title, self.known(line, what, value)

    def attributes(self, line: int, what: str, raw: str | None) -> dict[str, Any]:
        """A ``{...}`` on its own (the survey's headings have no title)."""
        if raw is None:
            return {}
        try:
            value = _yaml(raw)
        except yaml.YAMLError:
            value = None
        if not isinstance(value, dict):
            self.error(line, f"the {{...}} after the heading is not valid: {raw}")
            return {}
        return self.known(line, what, value)

    def known(self, line: int, what: str, value: dict[Any, Any]) -> dict[str, Any]:
        unknown = sorted(str(k) for k in value if k not in _KEYS[what])
        if unknown:
            allowed = ", ".join(sorted(_KEYS[what]))
            self.error(line, f"unknown {', '.join(unknown)} (allowed: {allowed})")
        return {str(k): v for k, v in value.items() if k in _KEYS[what]}

    def string(self, line: int, name: str, value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.error(line, f"{name} must be text")
            return ""
        return str(value).strip()

    def integer(
        self, line: int, name: str, value: Any, *, low: int = 0, high: int = 32767
    ) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(line, f"{name} must be a whole number, not {value!r}")
            return low
        if not low <= value <= high:
            self.error(line, f"{name} must be between {low} and {high}")
            return low
        return value

    def decimal(self, line: int, name: str, value: Any, *, low: Decimal) -> Decimal:
        try:
            if isinstance(value, bool):
                raise InvalidOperation
            number = Decimal(str(value))
        except InvalidOperation:
            self.error(line, f"{name} must be a number, not {value!r}")
            return low
        if not number.is_finite() or number < low or abs(number) >= 10**9:
            self.error(line, f"{name} must be a number of at least {low}")
            return low
        if number != number.quantize(Decimal("0.001")):
            self.error(line, f"{name} may have at most 3 decimal places")
            return low
        return number


def _front_matter(reader: _Reader, lines: list[str]) -> tuple[dict[str, Any], int]:
    if not lines or lines[0].strip() != "---":
        reader.error(1, "the file must start with '---' and the course's front matter")
        return {}, 0
    for end in range(1, len(lines)):
        if lines[end].strip() == "---":
            break
    else:
        reader.error(1, "the front matter is not closed by a '---' line")
        return {}, len(lines)
    try:
        data = _yaml("\n".join(lines[1:end])) or {}
    except yaml.YAMLError as exc:
        reader.error(
            1, f"the front matter is not valid YAML ({exc.__class__.__name__})"
        )
        return {}, end + 1
    if not isinstance(data, dict):
        reader.error(1, "the front matter must be 'key: value' lines")
        return {}, end + 1
    return reader.known(1, "course", data), end + 1


def _course(reader: _Reader, meta: dict[str, Any]) -> CourseDoc:
    title = reader.string(1, "title", meta.get("title"))
    if not title:
        reader.error(1, "the front matter needs a title")
    if len(title) > 160:
        reader.error(1, "the title is longer than 160 characters")
    slug = slugify(reader.string(1, "slug", meta.get("slug")) or title)[:80]
    if not slug and title:
        reader.error(1, "give the course a slug made of letters and numbers")
    hours = reader.decimal(1, "cpd_hours", meta.get("cpd_hours", 0), low=Decimal("0"))
    if hours > 999 or hours != hours.quantize(Decimal("0.1")):
        reader.error(1, "cpd_hours must be at most 999, with one decimal place")
        hours = Decimal("0")
    requires = meta.get("requires_post_test", True)
    if not isinstance(requires, bool):
        reader.error(1, "requires_post_test must be true or false")
        requires = True
    language = reader.string(1, "language", meta.get("language")) or "en"
    codes = [code for code, _name in settings.LANGUAGES]
    if language not in codes:
        reader.error(1, f"language must be one of {', '.join(codes)}")
        language = "en"
    return CourseDoc(
        title=title,
        slug=slug,
        language=language,
        summary=reader.string(1, "summary", meta.get("summary")),
        cpd_hours=hours.quantize(Decimal("0.1")),
        requires_post_test=requires,
        sessions_required=reader.integer(
            1, "sessions_required", meta.get("sessions_required", 0), high=100
        ),
    )


def _fence(fence: str | None, line: str) -> str | None:
    """The open code fence after ``line`` (None outside code blocks)."""
    stripped = line.lstrip()
    if stripped.startswith(("```", "~~~")):
        mark = stripped[:3]
        return None if fence == mark else (fence or mark)
    return fence


def _structural(line: str, question: bool) -> bool:
    """Would the parser read this content line as structure?"""
    if _HEADING.match(line) or _SURVEY_HEADING.match(line):
        return True
    return question and (line.startswith(">") or bool(_CHOICE.match(line)))


def _escape(text: str, *, question: bool = False) -> str:
    """Content for the file: lines that look like structure get a backslash."""
    out, fence = [], None
    for line in text.replace("\r\n", "\n").split("\n"):
        looks = _structural(line, question) or (
            line.startswith("\\") and _structural(line.lstrip("\\"), question)
        )
        out.append("\\" + line if fence is None and looks else line)
        fence = _fence(fence, line)
    return _trim(out)


def _item_looks(line: str) -> bool:
    """Would a survey item's one line be read as structure or open a fence?"""
    return _structural(line, False) or line.lstrip().startswith(("```", "~~~"))


def _escape_item(text: str) -> str:
    """A survey item's text (one line) for the file; see ``_unescape_item``."""
    looks = _item_looks(text) or (
        text.startswith("\\") and _item_looks(text.lstrip("\\"))
    )
    return "\\" + text if looks else text


def _unescape_item(line: str) -> str:
    rest = line[1:]
    if line.startswith("\\") and (
        _item_looks(rest) or (rest.startswith("\\") and _item_looks(rest.lstrip("\\")))
    ):
        return rest
    return line


def _unescape(lines: list[str], *, question: bool = False) -> list[str]:
    """The reverse of ``_escape``."""
    out, fence = [], None
    for line in lines:
        rest = line[1:]
        if (
            fence is None
            and line.startswith("\\")
            and (
                _structural(rest, question)
                or (rest.startswith("\\") and _structural(rest.lstrip("\\"), question))
            )
        ):
            line = rest
        out.append(line)
        fence = _fence(fence, line)
    return out


def _trim(lines: list[str]) -> str:
    """Lines joined, without blank lines around them; indentation is kept."""
    while lines and not lines[0].strip():
        lines = lines[1:]
    return "\n".join(lines).rstrip()


def _question(reader: _Reader, q: QuestionDoc, body: list[tuple[int, str]]) -> None:
    text: list[str] = []
    explanation: list[str] = []
    for number, line in body:
        choice = _CHOICE.match(line)
        if line.startswith("\\") and _unescape([line], question=True)[0] != line:
            text.append(line[1:])
        elif line.startswith(">"):
            explanation.append(line[2:] if line.startswith("> ") else line[1:])
        elif choice:
            q.choices.append(ChoiceDoc(choice["text"].strip(), choice["mark"] != " "))
        elif q.choices and line.strip():
            reader.error(number, "question text must come before its options")
        else:
            text.append(line)
    q.text = _trim(text)
    q.explanation = _trim(explanation)
    if not q.text:
        reader.error(q.line, "the question has no text")
    right = sum(c.correct for c in q.choices)
    if q.kind == "numeric":
        if q.choices:
            reader.error(q.line, "a numeric question has no options")
        if q.answer is None:
            reader.error(q.line, "a numeric question needs {answer: ...}")
    elif len(q.choices) < 2:
        reader.error(q.line, "give at least two options as '- [x]' or '- [ ]' lines")
    elif q.kind == "multiple" and right < 1:
        reader.error(q.line, "mark at least one right option with '- [x]'")
    elif q.kind != "multiple" and right != 1:
        reader.error(q.line, "mark exactly one right option with '- [x]'")
    if any(len(c.text) > 300 for c in q.choices):
        reader.error(q.line, "an option is longer than 300 characters")


def parse(text: str) -> CourseDoc:
    """Read a course; raises FormatError listing every problem found."""
    reader = _Reader()
    if len(text.encode("utf-8", "replace")) > MAX_BYTES:
        raise FormatError([f"the file is larger than {MAX_BYTES // 1_000_000} MB"])
    if "\x00" in text:
        raise FormatError(["the file contains a NUL character: is it really text?"])
    text = text.removeprefix("\ufeff")  # a byte-order mark from Windows editors
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    meta, start = _front_matter(reader, lines)
    course = _course(reader, meta)
    module: ModuleDoc | None = None
    quiz: QuizDoc | None = None
    survey: SurveyDoc | None = None  # while reading the survey's items
    body: list[tuple[int, str]] = []
    current: LessonDoc | QuestionDoc | SurveyItemDoc | None = None

    def close() -> None:
        if isinstance(current, LessonDoc):
            current.body = _trim(_unescape([line for _n, line in body]))
            if not current.body:
                reader.error(current.line, "the lesson has no text")
        elif isinstance(current, QuestionDoc):
            _question(reader, current, body)
        elif isinstance(current, SurveyItemDoc):
            # One line: the lines of the paragraph joined by single spaces.
            words = " ".join(_unescape_item(line) for _n, line in body).split()
            current.text = " ".join(words)
            if not current.text:
                reader.error(current.line, "the item has no text")
            elif len(current.text) > SURVEY_TEXT_MAX:
                reader.error(
                    current.line,
                    f"the item is longer than {SURVEY_TEXT_MAX} characters",
                )
        body.clear()

    fence: str | None = None
    for number, line in enumerate(lines[start:], start=start + 1):
        inside = fence is not None
        fence = _fence(fence, line)
        heading = None if inside or fence else _HEADING.match(line)
        part = None if inside or fence or heading else _SURVEY_HEADING.match(line)
        if part is not None:
            close()
            current = None
            if part["level"] != _LEVEL[part["what"]]:
                reader.error(
                    number,
                    f"'{part['what']}' headings start with '{_LEVEL[part['what']]} '",
                )
                continue
            attrs = reader.attributes(number, part["what"], part["attrs"])
            if part["what"] == "Survey":
                module = quiz = None
                if course.survey is not None:
                    reader.error(number, "the course already has a '# Survey'")
                survey = _survey_head(reader, number, attrs)
                course.survey = course.survey or survey
            elif survey is None:
                reader.error(number, "a '## Item' must come under '# Survey'")
            else:
                current = _survey_item_head(reader, number, attrs)
                survey.items.append(current)
            continue
        if heading is None:
            if current is not None:
                body.append((number, line))
            elif line.strip():
                where = "quiz" if quiz else "module"
                reader.error(
                    number,
                    "text outside an item: start a '## Item' under this survey"
                    if survey
                    else f"text outside a lesson or question: start a "
                    f"'## {'Question' if quiz else 'Lesson'}:' under this {where}"
                    if (module or quiz)
                    else "text before the first '# Module:' heading",
                )
            continue
        what = heading["what"] or heading["question"]
        if heading["level"] != _LEVEL[what]:
            reader.error(number, f"'{what}' headings start with '{_LEVEL[what]} '")
            continue
        close()
        current = None
        title, attrs = reader.heading(number, what, heading["rest"])
        if what in ("Module", "Quiz", "Lesson") and not title:
            reader.error(number, f"the {what.lower()} needs a title")
        if len(title) > 160:
            reader.error(number, "the title is longer than 160 characters")
        if what in ("Module", "Quiz"):
            survey = None
        if what == "Module":
            quiz = None
            module = ModuleDoc(
                title=title,
                line=number,
                opens_after_days=reader.integer(
                    number, "opens_after_days", attrs.get("opens_after_days", 0)
                ),
            )
            course.modules.append(module)
        elif what == "Quiz":
            module = None
            quiz = _quiz(reader, number, title, attrs)
            course.quizzes.append(quiz)
        elif what == "Lesson":
            if module is None:
                reader.error(number, "a '## Lesson:' must come under a '# Module:'")
                continue
            media = reader.string(number, "media", attrs.get("media"))
            if media and not _media_ok(media):
                reader.error(
                    number, "media must be an http(s) link of at most 200 characters"
                )
            current = LessonDoc(
                title=title,
                line=number,
                media=media,
                minutes=reader.integer(
                    number, "minutes", attrs.get("minutes", 5), high=600
                ),
            )
            module.lessons.append(current)
        else:
            if quiz is None:
                reader.error(number, "a '## Question' must come under a '# Quiz:'")
                continue
            current = _question_head(reader, number, attrs)
            quiz.questions.append(current)
    close()
    if fence:
        reader.error(len(lines), "a ``` code block is not closed")
    _whole(reader, course)
    if reader.errors:
        raise FormatError(reader.errors)
    return course


def problems(text: str) -> list[str]:
    """What stops ``text`` from importing; empty when it would import."""
    try:
        parse(text)
    except FormatError as exc:
        return exc.errors
    return []


def _quiz(reader: _Reader, number: int, title: str, attrs: dict[str, Any]) -> QuizDoc:
    kind = attrs.get("kind", "practice")
    if kind not in QUIZ_KINDS:
        reader.error(number, f"quiz kind must be one of {', '.join(QUIZ_KINDS)}")
    limit = attrs.get("time_limit_minutes")
    draw = attrs.get("draw")
    return QuizDoc(
        title=title,
        kind=str(kind),
        line=number,
        pass_percent=reader.integer(
            number, "pass_percent", attrs.get("pass_percent", 70), high=100
        ),
        max_attempts=reader.integer(
            number, "max_attempts", attrs.get("max_attempts", 0), high=100
        ),
        time_limit_minutes=None
        if limit is None
        else reader.integer(number, "time_limit_minutes", limit, low=1),
        draw=None if draw is None else reader.integer(number, "draw", draw, low=1),
    )


def _question_head(reader: _Reader, number: int, attrs: dict[str, Any]) -> QuestionDoc:
    kind = attrs.get("kind", "single")
    if kind not in QUESTION_KINDS:
        reader.error(
            number, f"question kind must be one of {', '.join(QUESTION_KINDS)}"
        )
    answer = attrs.get("answer")
    return QuestionDoc(
        kind=str(kind),
        text="",
        line=number,
        answer=None
        if answer is None
        else reader.decimal(number, "answer", answer, low=Decimal(-(10**8))),
        tolerance=reader.decimal(
            number, "tolerance", attrs.get("tolerance", 0), low=Decimal("0")
        ),
    )


def _survey_head(reader: _Reader, number: int, attrs: dict[str, Any]) -> SurveyDoc:
    is_open = attrs.get("open", True)
    if not isinstance(is_open, bool):
        reader.error(number, "open must be true or false")
        is_open = True
    return SurveyDoc(is_open=is_open, line=number)


def _survey_item_head(
    reader: _Reader, number: int, attrs: dict[str, Any]
) -> SurveyItemDoc:
    kind = attrs.get("kind", "likert")
    if kind not in SURVEY_ITEM_KINDS:
        reader.error(number, f"item kind must be one of {', '.join(SURVEY_ITEM_KINDS)}")
    return SurveyItemDoc(kind=str(kind), text="", line=number)


def _whole_survey(reader: _Reader, survey: SurveyDoc) -> None:
    kinds = [item.kind for item in survey.items]
    if "likert" not in kinds:
        reader.error(
            survey.line, "the survey needs at least one '## Item {kind: likert}'"
        )
    if kinds.count("text") > 1:
        reader.error(survey.line, "the survey has at most one '## Item {kind: text}'")
    if len(kinds) > SURVEY_MAX_ITEMS:
        reader.error(survey.line, f"the survey has at most {SURVEY_MAX_ITEMS} items")


def _whole(reader: _Reader, course: CourseDoc) -> None:
    if course.survey is not None:
        _whole_survey(reader, course.survey)
    if not course.modules:
        reader.error(0, "the course needs at least one '# Module:' with lessons")
    for module in course.modules:
        if not module.lessons:
            reader.error(module.line, "the module has no '## Lesson:'")
    for kind in ("pre", "post"):
        tests = [q for q in course.quizzes if q.kind == kind]
        if len(tests) > 1:
            reader.error(tests[1].line, f"the course already has a {kind}-test")
    for quiz in course.quizzes:
        if not quiz.questions:
            reader.error(quiz.line, "the quiz has no '## Question'")
        elif quiz.draw is not None and quiz.draw > len(quiz.questions):
            reader.error(quiz.line, "draw is more than the quiz's questions")


# --- Writing ---------------------------------------------------------------------


def _flow(values: dict[str, Any], title: str = "") -> str:
    kept = {k: v for k, v in values.items() if v not in (None, "")}
    if not kept:
        # A title with braces needs an explicit (empty) attribute block after it.
        return " {}" if "{" in title or "}" in title else ""
    text = yaml.safe_dump(kept, default_flow_style=True, sort_keys=False, width=10**6)
    return " " + text.strip()


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def render(course: CourseDoc) -> str:
    """Write a course in the format ``parse`` reads (parse(render(c)) == c)."""
    meta: dict[str, Any] = {
        "title": course.title,
        "slug": course.slug,
        "cpd_hours": _number(course.cpd_hours),
        "requires_post_test": course.requires_post_test,
        "sessions_required": course.sessions_required,
        "language": course.language,
    }
    if course.summary:
        meta["summary"] = course.summary
    out = ["---", yaml.safe_dump(meta, sort_keys=False, allow_unicode=True).strip()]
    out += ["---", ""]
    for module in course.modules:
        attrs = _flow(
            {"opens_after_days": module.opens_after_days or None}, title=module.title
        )
        out += [f"# Module: {module.title}{attrs}", ""]
        for lesson in module.lessons:
            attrs = _flow({"minutes": lesson.minutes, "media": lesson.media})
            body = _escape(lesson.body)
            out += [f"## Lesson: {lesson.title}{attrs}", "", body, ""]
    for quiz in course.quizzes:
        attrs = _flow(
            {
                "kind": quiz.kind,
                "pass_percent": quiz.pass_percent,
                "max_attempts": quiz.max_attempts,
                "time_limit_minutes": quiz.time_limit_minutes,
                "draw": quiz.draw,
            }
        )
        out += [f"# Quiz: {quiz.title}{attrs}", ""]
        for q in quiz.questions:
            values: dict[str, Any] = {"kind": q.kind}
            if q.kind == "numeric":
                values["answer"] = None if q.answer is None else _number(q.answer)
                values["tolerance"] = _number(q.tolerance) or None
            text = _escape(q.text, question=True)
            out += [f"## Question{_flow(values)}", "", text, ""]
            if q.choices:
                out += [f"- [{'x' if c.correct else ' '}] {c.text}" for c in q.choices]
                out.append("")
            if q.explanation:
                why = q.explanation.replace("\r\n", "\n").split("\n")
                out += [f"> {line}".rstrip() for line in why] + [""]
    if course.survey is not None:
        closed = "" if course.survey.is_open else " {open: false}"
        out += [f"# Survey{closed}", ""]
        for item in course.survey.items:
            out += [f"## Item {{kind: {item.kind}}}", "", _escape_item(item.text), ""]
    return "\n".join(out).rstrip() + "\n"
