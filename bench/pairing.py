"""Time the automatic pairing for 5,000 learners and 300 mentors.

Usage: .venv/bin/python bench/pairing.py [--learners N] [--mentors M] [--capacity 5-24]
Pure algorithm (no database): builds a seeded random cohort with 4 languages,
6 cadres and 20 districts, and reports the median wall time of ``plan_pairs``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import os  # noqa: E402

import django  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpd.settings.test")
django.setup()

from mentoring.services.pairing import LearnerSpec, MentorSpec, plan_pairs  # noqa: E402

LANGS = ["en", "sw", "fr", "pt"]
CADRES = ["nurse", "midwife", "clinical_officer", "doctor", "chw", "other"]
DISTRICTS = [f"district-{i}" for i in range(20)]


def cohort(
    n_learners: int, n_mentors: int, cap_low: int, cap_high: int, seed: int = 2026
):
    rnd = random.Random(seed)
    learners = [
        LearnerSpec(
            id=i,
            language=rnd.choice(LANGS),
            cadre=rnd.choice(CADRES),
            district=rnd.choice(DISTRICTS),
        )
        for i in range(1, n_learners + 1)
    ]
    mentors = [
        MentorSpec(
            id=100_000 + j,
            languages=frozenset(rnd.sample(LANGS, rnd.randint(1, 2))),
            cadres=frozenset(rnd.sample(CADRES, rnd.randint(1, 3))),
            districts=frozenset(rnd.sample(DISTRICTS, rnd.randint(1, 3))),
            capacity=rnd.randint(cap_low, cap_high),
        )
        for j in range(n_mentors)
    ]
    return learners, mentors


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=5000)
    parser.add_argument("--mentors", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--capacity", default="5-24", help="range, e.g. 5-24")
    args = parser.parse_args()
    low, high = (int(x) for x in args.capacity.split("-"))
    learners, mentors = cohort(args.learners, args.mentors, low, high)
    times = []
    plan = None
    for _ in range(args.runs):
        start = time.perf_counter()
        plan = plan_pairs(learners, mentors)
        times.append(time.perf_counter() - start)
    if plan is None:
        raise SystemExit("no run")
    load = Counter(plan.pairs.values())
    by_id = {m.id: m for m in mentors}
    cross = sum(
        1
        for lid, mid in plan.pairs.items()
        if learners[lid - 1].language not in by_id[mid].languages
    )
    places = sum(m.capacity for m in mentors)
    ratios = [load[m.id] / m.capacity for m in mentors]
    lines = [
        f"learners={len(learners)} mentors={len(mentors)} places={places}",
        f"paired={len(plan.pairs)} unpaired={len(plan.unpaired)}",
        f"cross-language pairs={cross}",
        f"load ratio min={min(ratios):.2f} max={max(ratios):.2f}",
        f"time: median {statistics.median(times):.2f} s, min {min(times):.2f} s, "
        f"max {max(times):.2f} s over {len(times)} runs",
    ]
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
