"""Time the pairing solver at national scale, with its peak memory.

Usage:
    .venv/bin/python bench/pairing.py                       # the three sizes below
    .venv/bin/python bench/pairing.py --size 50000x2000     # one size
    .venv/bin/python bench/pairing.py --capacity 20-40      # more places than learners
    DATABASE_URL=postgres://.../scratch .venv/bin/python bench/pairing.py --db 10000x400
        # a whole PairingRun in a migrated scratch database: seed a cohort, then
        # time the compute task and the apply task (pairs, conversations, log)

Sizes by default: 10,000 × 400, 20,000 × 800 and 50,000 × 2,000 (learners ×
mentors). Pure algorithm (no database): a seeded synthetic cohort with 6 languages,
8 cadres and 40 districts, skewed the way a national programme is (two common
languages, nurses and CHWs the largest cadres); each mentor speaks 1–2 languages,
has specialties covering 1–3 cadres, serves 1–3 districts, capacity 5–24. Each size
runs in a fresh subprocess so its peak RSS (``ru_maxrss``, which includes Python,
Django, NumPy and SciPy, about 100 MB) is its own. Reports wall time per stage
(build the network, HiGHS, distribute), the method (optimal or greedy fallback),
cross-language pairs and the load spread.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LANGS = ["en", "sw", "fr", "pt", "luo", "kik"]
LANG_WEIGHTS = [35, 35, 10, 8, 7, 5]
CADRES = [
    "nurse",
    "midwife",
    "clinical_officer",
    "doctor",
    "chw",
    "pharmacist",
    "lab",
    "other",
]
CADRE_WEIGHTS = [30, 15, 12, 5, 25, 5, 4, 4]
DISTRICTS = [f"district-{i:02d}" for i in range(40)]
DEFAULT_SIZES = ["10000x400", "20000x800", "50000x2000"]


def cohort(n_learners: int, n_mentors: int, cap: tuple[int, int], seed: int = 2026):
    from mentoring.services.pairing_solver import LearnerSpec, MentorSpec

    rnd = random.Random(seed)
    learners = [
        LearnerSpec(
            id=i,
            language=rnd.choices(LANGS, LANG_WEIGHTS)[0],
            cadre=rnd.choices(CADRES, CADRE_WEIGHTS)[0],
            district=rnd.choice(DISTRICTS),
        )
        for i in range(1, n_learners + 1)
    ]
    mentors = []
    for j in range(n_mentors):
        languages = {rnd.choices(LANGS, LANG_WEIGHTS)[0]}
        if rnd.random() < 0.6:
            languages.add(rnd.choices(LANGS, LANG_WEIGHTS)[0])
        mentors.append(
            MentorSpec(
                id=1_000_000 + j,
                languages=frozenset(languages),
                cadres=frozenset(rnd.sample(CADRES, rnd.randint(1, 3))),
                districts=frozenset(rnd.sample(DISTRICTS, rnd.randint(1, 3))),
                capacity=rnd.randint(*cap),
            )
        )
    return learners, mentors


def one(size: str, cap: tuple[int, int], time_limit: float) -> dict:
    """Run one size in this process and return its figures."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpd.settings.test")
    import django

    django.setup()
    from mentoring.services.pairing_solver import plan_pairs

    n_learners, n_mentors = (int(x) for x in size.split("x"))
    learners, mentors = cohort(n_learners, n_mentors, cap)
    marks: dict[int, float] = {}
    start = time.perf_counter()
    plan = plan_pairs(
        learners,
        mentors,
        time_limit=time_limit,
        progress=lambda pct: marks.setdefault(pct, time.perf_counter()),
    )
    end = time.perf_counter()
    load = Counter(plan.pairs.values())
    by_l = {x.id: x for x in learners}
    by_m = {m.id: m for m in mentors}
    cross = sum(
        1
        for lid, mid in plan.pairs.items()
        if by_l[lid].language not in by_m[mid].languages
    )
    ratios = [load[m.id] / m.capacity for m in mentors]
    built, solved = marks.get(30, start), marks.get(80, end)
    return {
        "size": size,
        "places": sum(m.capacity for m in mentors),
        "classes": len({(x.language, x.cadre, x.district) for x in learners}),
        "paired": len(plan.pairs),
        "unpaired": len(plan.unpaired),
        "method": plan.method,
        "cross_language": cross,
        "load_min": round(min(ratios), 2),
        "load_max": round(max(ratios), 2),
        "build_s": round(built - start, 2),
        "solve_s": round(solved - built, 2),
        "distribute_s": round(end - solved, 2),
        "total_s": round(end - start, 2),
        "cpu_s": round(time.process_time(), 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def db_run(size: str, cap: tuple[int, int], apply: bool) -> None:
    """Seed one cohort in the (scratch) database and time a PairingRun on it."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpd.settings.test")
    import django

    django.setup()
    from django.utils import timezone

    from cpd.models import Cohort, Membership, Organisation, Role, User
    from mentoring.models import MentorProfile, Pairing, PairingMode, PairingRun
    from mentoring.services import pairing_runs

    n_learners, n_mentors = (int(x) for x in size.split("x"))
    learners, mentors = cohort(n_learners, n_mentors, cap)
    tag = f"bench-{int(time.time())}"
    org = Organisation.objects.create(name=tag, slug=tag)
    co = Cohort.objects.create(
        organisation=org, name=tag, starts_on=timezone.localdate()
    )
    admin = User.objects.create(email=f"{tag}-admin@example.org", display_name="Admin")
    Membership.objects.create(cohort=co, user=admin, role=Role.ADMIN)
    start = time.perf_counter()
    users = User.objects.bulk_create(
        [
            User(
                email=f"{tag}-l{x.id}@example.org",
                display_name=f"Learner {x.id}",
                preferred_language=x.language,
                cadre=x.cadre,
                district=x.district,
            )
            for x in learners
        ]
        + [
            User(email=f"{tag}-m{m.id}@example.org", display_name=f"Mentor {m.id}")
            for m in mentors
        ],
        batch_size=2000,
    )
    Membership.objects.bulk_create(
        [
            Membership(
                cohort=co, user=u, role=Role.LEARNER if i < n_learners else Role.MENTOR
            )
            for i, u in enumerate(users)
        ],
        batch_size=2000,
    )
    MentorProfile.objects.bulk_create(
        [
            MentorProfile(
                user=u,
                languages=sorted(m.languages),
                districts=sorted(m.districts),
                capacity=m.capacity,
            )
            for u, m in zip(users[n_learners:], mentors, strict=True)
        ]
    )
    seeded = time.perf_counter() - start
    run = PairingRun.objects.create(cohort=co, actor=admin, mode=PairingMode.ONE_TO_ONE)
    start = time.perf_counter()
    pairing_runs.pairing_run_compute(run_id=run.pk)
    computed = time.perf_counter() - start
    run.refresh_from_db()
    lines = [
        f"{size}: seeded in {seeded:.1f} s; compute {computed:.2f} s "
        f"(solver {run.result['seconds']} s, {run.result['method']}), "
        f"{len(run.result['pairs'])} pairs proposed, status {run.status}, "
        f"result {len(json.dumps(run.result)) / 1e6:.1f} MB of JSON",
    ]
    if apply:
        start = time.perf_counter()
        pairing_runs.pairing_run_confirm(actor=admin, run=run)
        # Eager mode: the apply task ran on commit, inside the call above.
        applied = time.perf_counter() - start
        lines.append(
            f"confirm + apply {applied:.1f} s, "
            f"{Pairing.objects.filter(cohort=co, active=True).count()} pairs saved"
        )
    lines.append(
        f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB"
    )
    sys.stdout.write("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", action="append", help="LEARNERSxMENTORS")
    parser.add_argument("--capacity", default="5-24", help="range, e.g. 5-24")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--inline", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--db", help="LEARNERSxMENTORS: a PairingRun in DATABASE_URL")
    parser.add_argument("--apply", action="store_true", help="with --db: confirm too")
    args = parser.parse_args()
    low, high = (int(x) for x in args.capacity.split("-"))
    if args.db:
        db_run(args.db, (low, high), args.apply)
        return
    sizes = args.size or DEFAULT_SIZES
    if args.inline:
        sys.stdout.write(json.dumps(one(sizes[0], (low, high), args.time_limit)) + "\n")
        return
    header = (
        "size", "places", "classes", "paired", "unpaired", "method", "cross_language",
        "load_min", "load_max", "build_s", "solve_s", "distribute_s", "total_s",
        "cpu_s", "peak_rss_mb",
    )  # fmt: skip
    sys.stdout.write(" | ".join(header) + "\n")
    for size in sizes:
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--inline",
                "--size",
                size,
                "--capacity",
                args.capacity,
                "--time-limit",
                str(args.time_limit),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        row = json.loads(out.stdout.strip().splitlines()[-1])
        sys.stdout.write(" | ".join(str(row[h]) for h in header) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
