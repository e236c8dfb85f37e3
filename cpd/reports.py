"""Programme evidence from the learning record: who is active, how often, how social.

Selectors over ``Activity`` (cpd.models), so any app's statements count and
``cpd`` imports none of them. A cohort report is three queries whatever the
cohort's size: its learners, statements per week, and statements per learner,
each aggregated in the database. Medians and shares are then taken over the
per-learner rows (one row per learner, never per statement).

A cohort's statements are those its learners made in the cohort (forums, rooms,
sessions, mentoring), on the cohort's courses (lessons and quizzes carry the
course, not a cohort) or in neither (sign-ins): a learner in two cohorts taking
one course counts in both, and another cohort's course counts in neither's.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Case, CharField, F, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cpd import cohort_hooks, record
from cpd.models import (
    SOCIAL_VERBS,
    Activity,
    ActivityDaily,
    AgeBand,
    Cadre,
    Cohort,
    Gender,
    Membership,
    Role,
    Verb,
)
from cpd.report_cache import report_cached

# Any group smaller than this is not shown (nobody can be re-identified).
SMALL_CELL = 5
# A learner with no social statement for this long is "isolated".
QUIET_DAYS = 14
WEEKS = 8
# Learners listed on the report page (least active first); the CSV has all.
PAGE_ROWS = 50
# The other apps' report parts take a median over at least this many values.
MIN_FOR_MEDIAN = 2
# Time on platform, per learner, in minutes: the distribution's bins.
TIME_BINS: list[tuple[int, int | None, Any]] = [
    (0, 1, _("none")),
    (1, 30, _("under 30 min")),
    (30, 120, _("30 min – 2 h")),
    (120, 600, _("2–10 h")),
    (600, None, _("10 h or more")),
]


@dataclass
class LearnerRow:
    user_id: int
    name: str
    cadre: str
    district: str
    days_active: int = 0
    sessions: int = 0
    minutes: int = 0
    social: int = 0
    lessons_completed: int = 0
    attended: int = 0
    last_active: dt.datetime | None = None
    last_social: dt.datetime | None = None
    facility: str = ""
    # Only with the learner's consent: otherwise empty and never grouped.
    demographics_consent: bool = False
    gender: str = ""
    age_band: str = ""
    # Post-test minus pre-test, for a learner with both (courses' hook).
    gain: float | None = None


@dataclass
class GroupRow:
    label: str
    learners: int | None  # None: suppressed (fewer than SMALL_CELL, or `protects`)
    active_share: float | None
    social_share: float | None
    # Hidden although large enough: it would give away a smaller hidden group.
    protects: bool = False
    # Mean knowledge gain of the group's learners with both tests, and their
    # n; None when the group is hidden, has fewer than SMALL_CELL such
    # learners, or hides another's (``gain_protects``).
    mean_gain: float | None = None
    gain_n: int | None = None
    gain_protects: bool = False

    @property
    def shown(self) -> str:
        """The label as read on the page: a cadre's name, not its code."""
        return str(CADRE_NAMES.get(self.label, self.label))


# The page names a cadre; the CSV and the API keep its code.
CADRE_NAMES: dict[str, Any] = dict(Cadre.choices)


@dataclass
class CohortReport:
    cohort: Cohort
    learners: int
    weeks: list[tuple[dt.date, int]]
    rows: list[LearnerRow]
    enough_data: bool
    active_learners: int = 0
    median_days_active: float | None = None
    median_sessions: float | None = None
    median_minutes: float | None = None
    time_distribution: list[tuple[Any, int]] = field(default_factory=list)
    posted_share: float | None = None
    quiet_learners: int = 0
    attended_share: float | None = None
    by_cadre: list[GroupRow] = field(default_factory=list)
    by_district: list[GroupRow] = field(default_factory=list)
    by_facility: list[GroupRow] = field(default_factory=list)
    # Over consenting learners only, with one "not shared" row for the rest.
    by_gender: list[GroupRow] = field(default_factory=list)
    by_age_band: list[GroupRow] = field(default_factory=list)
    # When the learning record was counted (earlier than now if kept).
    counted_at: dt.datetime | None = None
    # Learners with a pre- and post-test gain: the groups' gain column shows
    # when any has one (None: the courses app is absent).
    gains: dict[int, float] | None = None
    # Each learner's best pre- and post-test ({"pre": .., "post": ..}), from
    # which the gains come: the gain panel summarises the same, no query again.
    best_scores: dict[int, dict[str, float]] | None = None


def in_cohort(cohort: Cohort) -> Q:
    """A learner's statements that belong to ``cohort``'s record (no query here).

    Those made in the cohort, those on the cohort's courses (lessons and quizzes
    carry the course, not a cohort), and those of neither (sign-ins). A course
    another cohort takes (another organisation's, perhaps) stays out of it.
    """
    courses = cohort_hooks.course_ids_query(cohort)
    return Q(cohort=cohort) | Q(
        Q(course_id__isnull=True) | Q(course_id__in=courses), cohort__isnull=True
    )


def _cohort_statements(cohort: Cohort) -> Any:
    # The learners as a subquery, not a list of ids: the planner joins.
    learners = Membership.objects.filter(cohort=cohort, role=Role.LEARNER)
    return Activity.objects.filter(actor_id__in=learners.values("user_id")).filter(
        in_cohort(cohort)
    )


# A cell a spreadsheet would run as a formula (CSV injection), as in
# cpd.enrolment.report: written as text with a leading apostrophe.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: Any) -> Any:
    """A free-text CSV cell (a learner's words) that a spreadsheet will not run."""
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value


def median_of(values: Sequence[float], *, min_n: int = 1) -> float | None:
    """The median to one decimal; None ("not enough data") under ``min_n`` values."""
    if len(values) < max(min_n, 1):
        return None
    return round(float(statistics.median(values)), 1)


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _groups(rows: list[LearnerRow], key: str) -> list[GroupRow]:
    grouped: dict[str, list[LearnerRow]] = defaultdict(list)
    for row in rows:
        grouped[getattr(row, key) or "—"].append(row)
    return _protected(sorted(grouped.items()))


def _protected(groups: list[tuple[str, list[LearnerRow]]]) -> list[GroupRow]:
    """Each group's row, small ones hidden, and none recoverable by subtraction.

    The report shows its total, so a single hidden group would be the total
    minus the shown ones: then the next smallest is hidden too (secondary
    suppression), and only the sum of the two can be worked out.
    """
    rows = [_group_row(label, members) for label, members in groups]
    hidden = [i for i, row in enumerate(rows) if row.learners is None]
    if len(hidden) == 1 and len(rows) > 1:
        shown = [i for i in range(len(rows)) if i != hidden[0]]
        j = min(shown, key=lambda i: (len(groups[i][1]), groups[i][0]))
        rows[j] = GroupRow(rows[j].label, None, None, None, protects=True)
    _protect_gains(rows, groups)
    return rows


def _protect_gains(
    rows: list[GroupRow], groups: list[tuple[str, list[LearnerRow]]]
) -> None:
    """Each shown group's mean gain, none recoverable from the cohort's.

    The gain panel shows the whole cohort's mean gain and its n, and the
    groups split the cohort. So the gains of the hidden cells, together, are
    the whole minus the shown: while those hidden cells hold 1 to 4 learners
    with a gain, the shown cell with the fewest is hidden too.
    """
    gains = [[r.gain for r in members if r.gain is not None] for _l, members in groups]
    shown = [
        i
        for i, row in enumerate(rows)
        if row.learners is not None and len(gains[i]) >= SMALL_CELL
    ]
    hidden_n = sum(len(g) for i, g in enumerate(gains) if i not in shown)
    while 0 < hidden_n < SMALL_CELL and shown:
        j = min(shown, key=lambda i: (len(gains[i]), groups[i][0]))
        shown.remove(j)
        hidden_n += len(gains[j])
        rows[j].gain_protects = rows[j].learners is not None
    for i in shown:
        rows[i].gain_n = len(gains[i])
        rows[i].mean_gain = round(statistics.fmean(gains[i]), 1)
    for i, row in enumerate(rows):
        # a shown group with no learner with both tests says so (n = 0);
        # 1 to 4 stay unsaid, as "fewer than 5"
        if row.learners is not None and not gains[i]:
            row.gain_n = 0


def _group_row(label: str, members: list[LearnerRow]) -> GroupRow:
    """One group's figures, or its label only under ``SMALL_CELL`` learners."""
    if len(members) < SMALL_CELL:
        return GroupRow(label, None, None, None)
    active = sum(1 for r in members if r.days_active)
    social = sum(1 for r in members if r.social)
    return GroupRow(
        label,
        len(members),
        _share(active, len(members)),
        _share(social, len(members)),
    )


def _consented_groups(
    rows: list[LearnerRow], key: str, labels: dict[str, Any]
) -> list[GroupRow]:
    """Groups over consenting learners only; the others in one "not shared" row.

    A learner who did not consent is never placed in a group, whatever the
    field holds.
    """
    shared = [r for r in rows if r.demographics_consent]
    grouped: dict[str, list[LearnerRow]] = defaultdict(list)
    for row in shared:
        value = getattr(row, key)
        grouped[str(labels.get(value, value)) if value else "—"].append(row)
    groups = sorted(grouped.items())
    not_shared = [r for r in rows if not r.demographics_consent]
    if not_shared:
        groups.append((str(_("not shared")), not_shared))
    return _protected(groups)


@dataclass
class _Counted:
    at: dt.datetime
    per_learner: dict[int, dict[str, Any]]
    weeks: list[tuple[dt.date, int]]


# The record's rows a report aggregates, whichever table they come from:
# (actor, day, verb, sign-in session, statements, seconds, last statement).
_PART_COLUMNS = ("p_actor", "p_day", "p_verb", "p_key", "p_n", "p_seconds", "p_last")


def _record_parts(
    cohort: Cohort,
    since: dt.datetime | None,
    *,
    until: dt.datetime | None = None,
    verb: str | None = None,
) -> tuple[str, list[Any]]:
    """The cohort's record since ``since`` (all of it if None), as the SQL of
    one UNION ALL: whole rolled-up days from ``ActivityDaily``, and from
    ``Activity`` the rest (no query here). ``until``, a midnight of the site's
    zone, ends it; ``verb`` keeps that verb's statements only.

    ``Activity`` gives the statements no roll-up has counted yet (today's, late
    arrivals: ``rollup_batch`` is NULL) and all of the window's first day, which
    ``since`` cuts in the middle; ``ActivityDaily`` every later day. A counted
    statement's daily row was written in the transaction that tagged it, so
    within one statement's snapshot each statement is in exactly one part.
    """
    learners = Membership.objects.filter(cohort=cohort, role=Role.LEARNER).values(
        "user_id"
    )
    scope = in_cohort(cohort)
    raw = Activity.objects.filter(actor_id__in=learners).filter(scope)
    daily = ActivityDaily.objects.filter(actor_id__in=learners).filter(scope)
    zone = timezone.get_default_timezone()
    if since is None:
        raw = raw.filter(rollup_batch__isnull=True)
    else:
        first_day = timezone.localtime(since, zone).date()
        head_end = record.local_midnight(first_day + dt.timedelta(days=1))
        raw = raw.filter(
            Q(timestamp__gte=since, timestamp__lt=head_end)
            | Q(timestamp__gte=head_end, rollup_batch__isnull=True)
        )
        daily = daily.filter(day__gt=first_day)
    if until is not None:
        raw = raw.filter(timestamp__lt=until)
        daily = daily.filter(day__lt=timezone.localtime(until, zone).date())
    if verb is not None:
        raw, daily = raw.filter(verb=verb), daily.filter(verb=verb)
    raw_rows = raw.annotate(
        p_actor=F("actor_id"),
        p_day=record.rollup_day_expression(),
        p_verb=F("verb"),
        p_key=Case(
            When(verb=Verb.SIGNED_IN, then=F("session_key")),
            default=Value(""),
            output_field=CharField(),
        ),
        p_n=Value(1, output_field=IntegerField()),
        p_seconds=Coalesce("duration_seconds", 0),
        p_last=F("timestamp"),
    ).values_list(*_PART_COLUMNS)
    daily_rows = daily.annotate(
        p_actor=F("actor_id"),
        p_day=F("day"),
        p_verb=F("verb"),
        p_key=F("session_key"),
        p_n=F("count"),
        p_seconds=F("duration_seconds"),
        p_last=F("last"),
    ).values_list(*_PART_COLUMNS)
    raw_sql, raw_params = raw_rows.order_by().query.sql_with_params()
    daily_sql, daily_params = daily_rows.order_by().query.sql_with_params()
    return f"{raw_sql} UNION ALL {daily_sql}", [*raw_params, *daily_params]


def _aggregate(
    cohort: Cohort, since: dt.datetime | None, columns: list[tuple[str, str, list[Any]]]
) -> dict[int, dict[str, Any]]:
    """One row per learner: each column is (name, SQL aggregate over the parts,
    its parameters). One query."""
    parts, params = _record_parts(cohort, since)
    select = ", ".join(f"{sql} AS {name}" for name, sql, _p in columns)
    # fixed SQL and Django's compiled parts; every value is a parameter
    sql = f"SELECT p_actor, {select} FROM ({parts}) parts GROUP BY p_actor"  # noqa: S608
    column_params = [p for _n, _s, ps in columns for p in ps]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*column_params, *params])
        names = [name for name, _s, _p in columns]
        return {
            actor: dict(zip(names, values, strict=True))
            for actor, *values in cursor.fetchall()
        }


def _as_datetime(value: Any) -> dt.datetime | None:
    """A MAX() of timestamps as PostgreSQL (aware) or SQLite (text) returns it."""
    if value is None or isinstance(value, dt.datetime):
        return value
    parsed = dt.datetime.fromisoformat(str(value))
    return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=dt.UTC)


def _in_list(verbs: Iterable[str]) -> tuple[str, list[str]]:
    verbs = [str(v) for v in verbs]
    return ", ".join(["%s"] * len(verbs)), verbs


# Days of the window per bit mask: a bigint holds 63 days (nine weeks).
_MASK_DAYS = 63


def _day_offset_sql() -> str:
    """SQL of a part's day minus the date parameter, in days."""
    if connection.vendor == "postgresql":
        return "(p_day - CAST(%s AS DATE))"
    return "CAST(julianday(p_day) - julianday(%s) AS INTEGER)"


def _day_mask_sql(low: int) -> str:
    """SQL of the bit mask of the days active from ``low`` days after the date
    parameter: a plain aggregate (PostgreSQL hashes it; COUNT(DISTINCT) would
    sort the 165,000 rows of a large cohort)."""
    bit = f"(CAST(1 AS BIGINT) << ({_day_offset_sql()} - {low}))"
    if connection.vendor == "postgresql":
        return f"BIT_OR({bit})"
    return f"SUM(DISTINCT {bit})"  # distinct powers of two: their OR


def _learner_counts(
    cohort: Cohort, since: dt.datetime, weeks: int, now: dt.datetime
) -> _Counted:
    """Per learner, their statements' figures over the window (one query).

    Read from the daily roll-up for whole past days and from the statements
    for the rest (``_record_parts``): the same figures as counting every
    statement, as the tests check for raw, rolled-up and mixed records. The
    days active come as a bit mask per learner (bit i: the i-th day from the
    first week's Monday), from which the active learners per week are taken
    too, so the record is read once; the distinct sessions from the sign-ins
    alone. The window ends with the chart's last week (a statement dated after
    it, from a phone's wrong clock, is not counted).
    """
    starts = week_starts(since, weeks)
    first, end = starts[0], starts[-1] + dt.timedelta(weeks=1)
    chunks = range(0, (end - first).days, _MASK_DAYS)
    until = record.local_midnight(end)
    parts, params = _record_parts(cohort, since, until=until)
    signins, signin_params = _record_parts(
        cohort, since, until=until, verb=Verb.SIGNED_IN
    )
    social_in, social = _in_list(SOCIAL_VERBS)
    offset = _day_offset_sql()
    columns: list[tuple[str, list[Any]]] = [
        (
            _day_mask_sql(low)
            + (
                f" FILTER (WHERE {offset} >= {low} AND {offset} < {low + _MASK_DAYS})"
                if len(chunks) > 1
                else ""
            ),
            [first.isoformat()] * (1 if len(chunks) == 1 else 3),
        )
        for low in chunks
    ]
    columns += [
        ("COALESCE(SUM(p_seconds), 0)", []),
        (f"COALESCE(SUM(p_n) FILTER (WHERE p_verb IN ({social_in})), 0)", social),
        ("COALESCE(SUM(p_n) FILTER (WHERE p_verb = %s), 0)", [str(Verb.COMPLETED)]),
        ("COALESCE(SUM(p_n) FILTER (WHERE p_verb = %s), 0)", [str(Verb.ATTENDED)]),
        ("MAX(p_last)", []),
        (f"MAX(p_last) FILTER (WHERE p_verb IN ({social_in}))", social),
    ]
    select = ", ".join(f"{sql} AS c{i}" for i, (sql, _p) in enumerate(columns))
    # fixed SQL and Django's compiled parts; every value is a parameter
    sql = (
        f"SELECT m.*, COALESCE(s.sessions, 0) FROM ("  # noqa: S608
        f"SELECT p_actor, {select} FROM ({parts}) parts GROUP BY p_actor) m "
        "LEFT JOIN (SELECT p_actor AS s_actor, COUNT(DISTINCT p_key) AS sessions "
        f"FROM ({signins}) signins GROUP BY p_actor) s ON s.s_actor = m.p_actor"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [*(p for _s, ps in columns for p in ps), *params, *signin_params],
        )
        fetched = cursor.fetchall()
    per_learner: dict[int, dict[str, Any]] = {}
    active_weeks = [0] * len(starts)
    for actor, *values in fetched:
        masks = values[: len(chunks)]
        seconds, social_n, completed, attended, last, last_social, sessions = values[
            len(chunks) :
        ]
        days = sum((int(m or 0) << low) for m, low in zip(masks, chunks, strict=True))
        for i in range(len(starts)):
            if (days >> (7 * i)) & 0x7F:
                active_weeks[i] += 1
        per_learner[actor] = {
            "days": days.bit_count(),
            "sessions": sessions,
            "seconds": seconds,
            "social": social_n,
            "completed": completed,
            "attended": attended,
            "last": _as_datetime(last),
            "last_social": _as_datetime(last_social),
        }
    return _Counted(now, per_learner, list(zip(starts, active_weeks, strict=True)))


def cohort_report(
    cohort: Cohort, *, weeks: int = WEEKS, now: dt.datetime | None = None
) -> CohortReport:
    """The cohort's engagement over the last ``weeks`` weeks (three queries).

    The learning record's part is counted in one query, or kept from an
    earlier request (``cpd.report_cache``); the learners and their knowledge
    gains (courses' hook, for the groups' mean gain) are read each time.
    """
    explicit_now = now is not None
    at: dt.datetime = now or timezone.now()
    since = at - dt.timedelta(weeks=weeks)
    learners = list(
        Membership.objects.filter(cohort=cohort, role=Role.LEARNER)
        .order_by("user__display_name", "user_id")
        .values_list(
            "user_id",
            "user__display_name",
            "user__cadre",
            "user__district",
            "user__facility",
            "user__demographics_consent",
            "user__gender",
            "user__age_band",
        )
    )
    # Counted now, or kept from a request up to REPORT_CACHE_SECONDS ago; a
    # report for a given moment (``now``) is always counted.
    if explicit_now:
        counted = _learner_counts(cohort, since, weeks, at)
    else:
        counted = report_cached(
            cohort.pk,
            f"learners:{weeks}",
            lambda: _learner_counts(cohort, since, weeks, at),
        )
    per_learner = counted.per_learner
    weeks_counted = counted.weeks
    # the learners' best scores: numbers only, kept with the counts
    scores = (
        cohort_hooks.learner_scores(cohort)
        if explicit_now
        else report_cached(
            cohort.pk, "scores", lambda: cohort_hooks.learner_scores(cohort)
        )
    )
    gains = (
        None
        if scores is None
        else {
            uid: b["post"] - b["pre"]
            for uid, b in scores.items()
            if "pre" in b and "post" in b
        }
    )
    rows = []
    for user_id, name, cadre, district, *people in learners:
        agg = per_learner.get(user_id)
        row = LearnerRow(user_id, name, cadre, district)
        if gains is not None:
            row.gain = gains.get(user_id)
        facility, consent, gender, age_band = people
        row.facility = str(facility)
        if consent:
            row.demographics_consent = True
            row.gender, row.age_band = str(gender), str(age_band)
        if agg:
            row.days_active = agg["days"]
            row.sessions = agg["sessions"]
            row.minutes = (agg["seconds"] or 0) // 60
            row.social = agg["social"]
            row.lessons_completed = agg["completed"]
            row.attended = agg["attended"]
            row.last_active = agg["last"]
            row.last_social = agg["last_social"]
        rows.append(row)
    report = CohortReport(
        cohort=cohort,
        learners=len(rows),
        weeks=weeks_since_start(weeks_counted, cohort.starts_on),
        rows=rows,
        enough_data=bool(rows) and any(r.days_active for r in rows),
        counted_at=counted.at,
        gains=gains,
        best_scores=scores,
    )
    if not report.enough_data:
        return report
    active = [r for r in rows if r.days_active]
    report.active_learners = len(active)
    report.median_days_active = median_of([r.days_active for r in rows])
    report.median_sessions = median_of([r.sessions for r in rows])
    report.median_minutes = median_of([r.minutes for r in rows])
    report.time_distribution = [
        (
            label,
            sum(
                1
                for r in rows
                if r.minutes >= low and (high is None or r.minutes < high)
            ),
        )
        for low, high, label in TIME_BINS
    ]
    report.posted_share = _share(sum(1 for r in rows if r.social), len(rows))
    quiet_since = at - dt.timedelta(days=QUIET_DAYS)
    report.quiet_learners = sum(
        1 for r in rows if r.last_social is None or r.last_social < quiet_since
    )
    report.attended_share = _share(sum(1 for r in rows if r.attended), len(rows))
    report.by_cadre = _groups(rows, "cadre")
    report.by_district = _groups(rows, "district")
    report.by_facility = _groups(rows, "facility")
    report.by_gender = _consented_groups(rows, "gender", dict(Gender.choices))
    report.by_age_band = _consented_groups(rows, "age_band", dict(AgeBand.choices))
    return report


def report_groups(report: CohortReport) -> list[tuple[Any, list[GroupRow]]]:
    """The report's group tables with their dimension's name, in display order."""
    return [
        (_("cadre"), report.by_cadre),
        (_("district"), report.by_district),
        (_("facility"), report.by_facility),
        (_("gender"), report.by_gender),
        (_("age band"), report.by_age_band),
    ]


def _as_date(value: dt.datetime | dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def week_list(
    counts: Iterable[tuple[dt.datetime | dt.date, int]],
    since: dt.datetime,
    weeks: int,
) -> list[tuple[dt.date, int]]:
    """Each week from the one holding ``since`` to this one, with its count or 0.

    ``counts`` are (TruncWeek value, count) rows of the weeks that had any.
    """
    per_week = {_as_date(week): n for week, n in counts}
    return [(start, per_week.get(start, 0)) for start in week_starts(since, weeks)]


def weeks_since_start(
    weeks: list[tuple[dt.date, int]], starts_on: dt.date | None
) -> list[tuple[dt.date, int]]:
    """The weeks from the one the cohort starts in: before it, 0 is no result."""
    if starts_on is None:
        return weeks
    return [(w, n) for w, n in weeks if w + dt.timedelta(days=6) >= starts_on]


def week_starts(since: dt.datetime, weeks: int) -> list[dt.date]:
    """The Monday of each week from the one holding ``since`` to this one."""
    local = timezone.localtime(since) if timezone.is_aware(since) else since
    first_week = local.date() - dt.timedelta(days=local.weekday())
    return [first_week + dt.timedelta(weeks=i) for i in range(weeks + 1)]


def _midnight(day: dt.date) -> dt.datetime:
    """The start of ``day`` in the current time zone (as TruncWeek counts)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def week_bars(weeks: list[tuple[dt.date, int]], top: int) -> list[dict[str, int]]:
    """The bars of a weekly chart (``cpd/partials/week_chart.html``).

    Ten units a week in a box 80 high; ``top`` is drawn at the full 65.
    """
    top = top or 1
    return [
        {"x": 10 * i + 2, "h": round(65 * n / top), "y": 70 - round(65 * n / top)}
        for i, (_week, n) in enumerate(weeks)
    ]


def cohort_statements_for_export(cohort: Cohort) -> Any:
    """Every statement of the cohort's learners in the cohort or on courses."""
    return _cohort_statements(cohort)


@dataclass(frozen=True)
class LearnerEngagement:
    days_active: int
    minutes: int


def learner_engagement(
    cohort: Cohort, *, since: dt.datetime | None = None
) -> dict[int, LearnerEngagement]:
    """Days active and minutes on lessons per learner of the cohort (one query).

    Over the whole record unless ``since`` is given; learners with no
    statement are absent. For other apps' reports (the scatter of engagement
    against gain in ``courses``), which cannot reach the report's rows.
    """
    rows = _aggregate(
        cohort,
        since,
        [
            ("days", "COUNT(DISTINCT p_day)", []),
            ("seconds", "COALESCE(SUM(p_seconds), 0)", []),
        ],
    )
    return {
        uid: LearnerEngagement(row["days"], row["seconds"] // 60)
        for uid, row in rows.items()
    }
