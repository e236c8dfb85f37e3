"""The pairing solver: a min-cost flow over groups, pure (no database).

Cost of pairing a learner with slot k (0-based, counting existing mentees) of mentor m
(lower is better; see docs/mentoring.md):

    8 * no shared language + 4 * no specialty fitting the learner's cadre
    + 2 * no shared district + (k + 1) / capacity            (load, in (0, 1])

The problem size is bounded by groups, not by learners × mentors:

- learners with the same (language, cadre, district) form one *class* with a supply;
- mentors with the same (languages, cadres, districts, capacity, load) form one
  *mentor group*; its k-th slot level is one arc with room for every member;
- a class reaches a group through a *hub* that names the attributes they share
  (say "sw + midwife, any district", cost 2). Each class has 8 hub arcs (one per
  subset of shared attributes, costed by what is not shared); each group has an
  arc from every hub its profile satisfies. A path through a coarser hub than the
  pair deserves costs more, never less, so the cheapest flow uses the exact one:
  the optimum equals the per-learner optimum (a property test checks it).

Arcs: 8 per class + about (|languages|+1)(|cadres|+1)(|districts|+1) per group + one
per free slot level, instead of one per class × mentor. It is a network matrix
(totally unimodular), so the vertex HiGHS returns (interior point, then crossover)
is integral. Within a group,
learners are dealt to its mentors in id order, round robin, which is the cheapest
way to fill equal slot levels, so loads stay even. If HiGHS stops at its time limit,
a greedy pass (each learner, in class and id order, to the cheapest free slot) is
returned instead and the plan says ``method="greedy"``.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

LANGUAGE_WEIGHT = 8.0
SPECIALTY_WEIGHT = 4.0
DISTRICT_WEIGHT = 2.0
# The load term lies in (0, 1]; every weight above it exceeds the sum of those below.
# Leaving a learner unpaired costs more than any pairing: pair as many as fit.
UNPAIRED_COST = 100.0
# Seconds HiGHS may spend before the greedy answer is used instead.
SOLVER_TIME_LIMIT = 20.0

OPTIMAL = "optimal"
GREEDY = "greedy"


@dataclass(frozen=True)
class LearnerSpec:
    """What pairing needs to know about a learner."""

    id: int
    language: str
    cadre: str
    district: str


@dataclass(frozen=True)
class MentorSpec:
    """What pairing needs to know about a mentor, and their current load."""

    id: int
    languages: frozenset[str]
    cadres: frozenset[str]
    districts: frozenset[str]
    capacity: int
    load: int = 0

    @property
    def free(self) -> int:
        return max(self.capacity - self.load, 0)


@dataclass(frozen=True)
class Plan:
    """The proposed pairs (learner id → mentor id), the unpaired, and how solved."""

    pairs: dict[int, int] = field(default_factory=dict)
    unpaired: tuple[int, ...] = ()
    method: str = OPTIMAL


def match_cost(learner: LearnerSpec, mentor: MentorSpec) -> float:
    """Preference part of the cost: language, then specialty fit, then district."""
    cost = 0.0
    if learner.language not in mentor.languages:
        cost += LANGUAGE_WEIGHT
    if learner.cadre not in mentor.cadres:
        cost += SPECIALTY_WEIGHT
    if learner.district not in mentor.districts:
        cost += DISTRICT_WEIGHT
    return cost


def plan_cost(
    plan: Plan, learners: Iterable[LearnerSpec], mentors: Iterable[MentorSpec]
) -> float:
    """Total cost of a plan: match costs plus each mentor's new slot costs."""
    by_l = {x.id: x for x in learners}
    by_m = {m.id: m for m in mentors}
    new: dict[int, int] = {}
    total = 0.0
    for lid, mid in plan.pairs.items():
        m = by_m[mid]
        new[mid] = new.get(mid, 0) + 1
        total += match_cost(by_l[lid], m) + (m.load + new[mid]) / m.capacity
    return total + UNPAIRED_COST * len(plan.unpaired)


Key = tuple[str, str, str]
# A hub: the shared attributes (None where the class and group need not agree).
Hub = tuple[str | None, str | None, str | None]
Mask = tuple[bool, bool, bool]
_MASKS: list[Mask] = [
    (a, b, c) for a in (True, False) for b in (True, False) for c in (True, False)
]


@dataclass
class _Group:
    mentors: list[MentorSpec]
    languages: frozenset[str]
    cadres: frozenset[str]
    districts: frozenset[str]
    capacity: int
    load: int

    @property
    def free(self) -> int:
        return self.capacity - self.load


def _hub_of(key: Key, mask: Mask) -> Hub:
    return (
        key[0] if mask[0] else None,
        key[1] if mask[1] else None,
        key[2] if mask[2] else None,
    )


def _mask_cost(mask: Mask) -> float:
    return (
        (0.0 if mask[0] else LANGUAGE_WEIGHT)
        + (0.0 if mask[1] else SPECIALTY_WEIGHT)
        + (0.0 if mask[2] else DISTRICT_WEIGHT)
    )


def _groups(mentors: Iterable[MentorSpec]) -> list[_Group]:
    grouped: dict[tuple, list[MentorSpec]] = {}
    for m in sorted((m for m in mentors if m.free > 0), key=lambda x: x.id):
        key = (
            tuple(sorted(m.languages)),
            tuple(sorted(m.cadres)),
            tuple(sorted(m.districts)),
            m.capacity,
            m.load,
        )
        grouped.setdefault(key, []).append(m)
    return [
        _Group(
            mentors=ms,
            languages=ms[0].languages,
            cadres=ms[0].cadres,
            districts=ms[0].districts,
            capacity=ms[0].capacity,
            load=ms[0].load,
        )
        for _key, ms in sorted(grouped.items())
    ]


def plan_pairs(
    learners: Iterable[LearnerSpec],
    mentors: Iterable[MentorSpec],
    *,
    time_limit: float | None = SOLVER_TIME_LIMIT,
    progress: Callable[[int], object] | None = None,
) -> Plan:
    """Optimal capacity-respecting assignment of learners to free mentor slots.

    Same input (in any order) gives the same plan. ``progress`` is called with a
    percentage after each stage. If HiGHS reaches ``time_limit`` seconds, the plan
    is the greedy one (``method="greedy"``).
    """
    report = progress or (lambda _pct: None)
    ls = sorted(learners, key=lambda x: x.id)
    groups = _groups(mentors)
    if not ls or not groups:
        return Plan(pairs={}, unpaired=tuple(x.id for x in ls))
    classes: dict[Key, list[LearnerSpec]] = {}
    for x in ls:
        classes.setdefault((x.language, x.cadre, x.district), []).append(x)
    keys = sorted(classes)
    flows = _solve_flow(keys, classes, groups, len(ls), time_limit, report)
    if flows is None:
        counts = _greedy_counts(keys, classes, groups)
        method = GREEDY
    else:
        counts = flows
        method = OPTIMAL
    report(90)
    return _distribute(keys, classes, groups, counts, method)


def _solve_flow(
    keys: Sequence[Key],
    classes: dict[Key, list[LearnerSpec]],
    groups: Sequence[_Group],
    n_learners: int,
    time_limit: float | None,
    report: Callable[[int], object],
) -> dict[tuple[int, int], int] | None:
    """Class → group flows of the optimal min-cost flow, or None on time-out."""
    hubs: dict[Hub, int] = {}
    for key in keys:
        for mask in _MASKS:
            hubs.setdefault(_hub_of(key, mask), len(hubs))
    n_c, n_h, n_g = len(keys), len(hubs), len(groups)
    hub_row, group_row = n_c, n_c + n_h
    costs: list[float] = []
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    upper: list[float | None] = []

    def arc(cost: float, out_row: int | None, in_row: int | None, ub=None) -> int:
        col = len(costs)
        costs.append(cost)
        upper.append(ub)
        if out_row is not None:  # flow leaves this node: +1
            rows.append(out_row)
            cols.append(col)
            vals.append(1.0)
        if in_row is not None:  # flow enters this node: -1
            rows.append(in_row)
            cols.append(col)
            vals.append(-1.0)
        return col

    # class → hub (cost of what the hub does not share) and class → unpaired
    class_hub: list[tuple[int, int, int]] = []
    for ci, key in enumerate(keys):
        for mask in _MASKS:
            hi = hubs[_hub_of(key, mask)]
            class_hub.append((arc(_mask_cost(mask), ci, hub_row + hi), ci, hi))
        arc(UNPAIRED_COST, ci, None)
    # hub → group, for every hub the group's profile satisfies (cost 0)
    hub_group: list[tuple[int, int, int]] = []
    for gi, g in enumerate(groups):
        for hub in itertools.product(
            [*sorted(g.languages), None],
            [*sorted(g.cadres), None],
            [*sorted(g.districts), None],
        ):
            found = hubs.get(hub)
            if found is not None:
                col = arc(0.0, hub_row + found, group_row + gi)
                hub_group.append((col, found, gi))
    # group → sink: slot level k holds one learner per mentor of the group
    for gi, g in enumerate(groups):
        for k in range(g.load, g.load + min(g.free, n_learners)):
            arc((k + 1) / g.capacity, group_row + gi, None, ub=float(len(g.mentors)))
    matrix = coo_matrix(
        (vals, (rows, cols)), shape=(n_c + n_h + n_g, len(costs))
    ).tocsr()
    supply = np.zeros(n_c + n_h + n_g)
    supply[:n_c] = [len(classes[k]) for k in keys]
    report(30)
    # Interior point with crossover: about 6x faster than dual simplex here (4.6 s
    # against 56 s at 50,000 x 2,000), and crossover ends on a vertex, which is
    # integral. Should a vertex ever come back fractional, dual simplex redoes it.
    started = time.monotonic()
    x = None
    for method in ("highs-ipm", "highs-ds"):
        options: dict[str, float] = {}
        if time_limit is not None:
            options["time_limit"] = max(time_limit - (time.monotonic() - started), 0.0)
        result = linprog(
            np.asarray(costs),
            A_eq=matrix,
            b_eq=supply,
            bounds=[(0, ub) for ub in upper],
            method=method,
            options=options,
        )
        if result.status != 0 or result.x is None:
            break
        if np.abs(result.x - np.rint(result.x)).max(initial=0.0) < 1e-6:
            x = np.rint(result.x).astype(int)
            break
    report(80)
    if x is None:
        return None
    # Decompose at each hub: its incoming class units meet its outgoing group units
    # in key order (every path through one hub costs the same).
    inflow: dict[int, list[tuple[int, int]]] = {}
    for col, ci, hi in class_hub:
        if x[col] > 0:
            inflow.setdefault(hi, []).append((ci, int(x[col])))
    outflow: dict[int, list[tuple[int, int]]] = {}
    for col, hi, gi in hub_group:
        if x[col] > 0:
            outflow.setdefault(hi, []).append((gi, int(x[col])))
    counts: dict[tuple[int, int], int] = {}
    for hi, ins in inflow.items():
        outs = [list(o) for o in outflow.get(hi, [])]
        oi = 0
        for ci, n in ins:
            while n > 0:
                if oi >= len(outs):  # pragma: no cover - a vertex conserves flow
                    return None
                take = min(n, outs[oi][1])
                counts[ci, outs[oi][0]] = counts.get((ci, outs[oi][0]), 0) + take
                n -= take
                outs[oi][1] -= take
                if outs[oi][1] == 0:
                    oi += 1
    return counts


def _greedy_counts(
    keys: Sequence[Key],
    classes: dict[Key, list[LearnerSpec]],
    groups: Sequence[_Group],
) -> dict[tuple[int, int], int]:
    """Fallback: each learner (class order, id order) takes the cheapest free slot."""
    if not groups:
        return {}
    size = np.array([len(g.mentors) for g in groups])
    cap = np.array([g.capacity for g in groups], dtype=float)
    level = np.array([g.load for g in groups])  # slot level being filled
    used = np.zeros(len(groups), dtype=int)  # mentors of the group at that level
    top = np.array([g.capacity for g in groups])
    lang: dict[str, np.ndarray] = {}
    cadre: dict[str, np.ndarray] = {}
    district: dict[str, np.ndarray] = {}
    counts: dict[tuple[int, int], int] = {}
    for ci, key in enumerate(keys):
        for table, value, attr in (
            (lang, key[0], "languages"),
            (cadre, key[1], "cadres"),
            (district, key[2], "districts"),
        ):
            if value not in table:
                table[value] = np.array(
                    [value in getattr(g, attr) for g in groups], dtype=bool
                )
        match = (
            LANGUAGE_WEIGHT * ~lang[key[0]]
            + SPECIALTY_WEIGHT * ~cadre[key[1]]
            + DISTRICT_WEIGHT * ~district[key[2]]
        )
        for _learner in classes[key]:
            total = np.where(level < top, match + (level + 1) / cap, np.inf)
            gi = int(np.argmin(total))
            if not np.isfinite(total[gi]):
                break  # every slot is taken
            counts[ci, gi] = counts.get((ci, gi), 0) + 1
            used[gi] += 1
            if used[gi] == size[gi]:
                used[gi] = 0
                level[gi] += 1
    return counts


def _distribute(
    keys: Sequence[Key],
    classes: dict[Key, list[LearnerSpec]],
    groups: Sequence[_Group],
    counts: dict[tuple[int, int], int],
    method: str,
) -> Plan:
    """Learners of a class go to groups in group order, earlier ids first; each
    group deals its learners to its mentors round robin (in id order)."""
    per_group: dict[int, list[int]] = {}
    unpaired: list[int] = []
    for ci, key in enumerate(keys):
        members = iter(classes[key])
        for gi in range(len(groups)):
            for _unit in range(counts.get((ci, gi), 0)):
                per_group.setdefault(gi, []).append(next(members).id)
        unpaired.extend(x.id for x in members)
    pairs: dict[int, int] = {}
    for gi, learner_ids in per_group.items():
        mentors = groups[gi].mentors
        for j, lid in enumerate(sorted(learner_ids)):
            pairs[lid] = mentors[j % len(mentors)].id
    return Plan(
        pairs=dict(sorted(pairs.items())),
        unpaired=tuple(sorted(unpaired)),
        method=method,
    )
