"""What other apps do for a cohort when the administrator's area asks.

``cpd`` cannot import ``courses``, ``forums`` or ``mentoring``, yet creating a
cohort makes its forum and room, assigns its courses, and the overview counts
learners without a mentor. Each app registers its part here in its
``AppConfig.ready()`` (as with ``cpd.panels`` and ``cpd.audit``); an app that is
not installed simply leaves its hook empty and the page leaves its part out.

Every hook takes many cohorts (or one) and costs a constant number of queries.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cpd.models import Cohort, User


@dataclass(frozen=True)
class MentorLoadRow:
    """A mentor's mentees in a cohort against their capacity."""

    mentor: User
    mentees: int
    capacity: int

    @property
    def free(self) -> int:
        return max(self.capacity - self.mentees, 0)

    @property
    def over(self) -> bool:
        return self.mentees > self.capacity


@dataclass(frozen=True)
class CourseChoice:
    id: int
    title: str


# cohort ids -> {cohort id: ids of its learners without an active mentor}
UnpairedHook = Callable[[Sequence[int]], dict[int, list[int]]]
# (cohort, actor) -> None: a new cohort's spaces (forum, standing room)
CreatedHook = Callable[["Cohort", "User"], None]
# () -> every course an administrator may assign
CourseChoicesHook = Callable[[], list[CourseChoice]]
# cohort -> ids of its assigned courses
CoursesOfHook = Callable[["Cohort"], list[int]]
# (cohort, course ids, actor) -> None: the cohort takes exactly these courses
CoursesSetHook = Callable[["Cohort", Sequence[int], "User"], None]
# cohort -> each mentor's load
MentorLoadsHook = Callable[["Cohort"], list[MentorLoadRow]]
# (actor, cohort, mode) -> the URL where the run's proposal is reviewed
PairingRunHook = Callable[["User", "Cohort", str], str]
# cohort -> {learner id: {"pre": best score, "post": best score}} (a test not
# taken is absent), over the cohort's courses
LearnerScoresHook = Callable[["Cohort"], dict[int, dict[str, float]]]

UNPAIRED = "unpaired"
CREATED = "created"
COURSE_CHOICES = "course_choices"
COURSES_OF = "courses_of"
COURSE_IDS_QUERY = "course_ids_query"
COURSES_SET = "courses_set"
MENTOR_LOADS = "mentor_loads"
PAIRING_RUN = "pairing_run"
LEARNER_SCORES = "learner_scores"

_NAMES = frozenset(
    {
        UNPAIRED,
        CREATED,
        COURSE_CHOICES,
        COURSES_OF,
        COURSE_IDS_QUERY,
        COURSES_SET,
        MENTOR_LOADS,
        PAIRING_RUN,
        LEARNER_SCORES,
    }
)
_hooks: dict[str, Callable[..., Any]] = {}
# "created" may have several parts (forums' forum, rooms' standing room).
_created: list[CreatedHook] = []


def hook_register(name: str, fn: Callable[..., Any]) -> None:
    """Register an app's function for a hook; the same one twice is a no-op."""
    if name not in _NAMES:
        raise ValueError(f"unknown cohort hook {name!r}")
    if name == CREATED:
        if fn not in _created:
            _created.append(fn)
        return
    _hooks[name] = fn


def hook(name: str) -> Callable[..., Any] | None:
    """The registered function, or None when no app provides it."""
    return _hooks.get(name)


def cohort_created(cohort: Cohort, actor: User) -> None:
    """Run every app's part for a new cohort (in the creating transaction)."""
    for fn in _created:
        fn(cohort, actor)


def unpaired_learner_ids(cohort_ids: Sequence[int]) -> dict[int, list[int]] | None:
    """Learners without a mentor per cohort, or None if mentoring is absent."""
    fn: UnpairedHook | None = hook(UNPAIRED)
    return None if fn is None else fn(cohort_ids)


def course_choices() -> list[CourseChoice]:
    fn: CourseChoicesHook | None = hook(COURSE_CHOICES)
    return [] if fn is None else fn()


def courses_of(cohort: Cohort) -> list[int]:
    fn: CoursesOfHook | None = hook(COURSES_OF)
    return [] if fn is None else fn(cohort)


def course_ids_query(cohort: Cohort) -> Any:
    """The cohort's course ids as a lazy subquery (no query of its own), or []."""
    fn = hook(COURSE_IDS_QUERY)
    return [] if fn is None else fn(cohort)


def courses_set(cohort: Cohort, course_ids: Sequence[int], actor: User) -> None:
    fn: CoursesSetHook | None = hook(COURSES_SET)
    if fn is not None:
        fn(cohort, course_ids, actor)


def mentor_loads(cohort: Cohort) -> list[MentorLoadRow] | None:
    fn: MentorLoadsHook | None = hook(MENTOR_LOADS)
    return None if fn is None else fn(cohort)


def learner_scores(cohort: Cohort) -> dict[int, dict[str, float]] | None:
    """Each learner's best pre- and post-test (one query); None without courses."""
    fn: LearnerScoresHook | None = hook(LEARNER_SCORES)
    return None if fn is None else fn(cohort)


def pairing_run(actor: User, cohort: Cohort, mode: str) -> str | None:
    fn: PairingRunHook | None = hook(PAIRING_RUN)
    return None if fn is None else fn(actor, cohort, mode)
