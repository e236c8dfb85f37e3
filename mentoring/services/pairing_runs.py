"""Pairing runs: a proposal computed in the background, stored, then confirmed.

An administrator starts a run (``pairing_run_start``); a Celery task computes its
proposal (``pairing_run_compute``) with progress, and stores it with a fingerprint
of its inputs. Confirming (``pairing_run_confirm``) checks the fingerprint: if the
cohort's members, active pairs or mentor profiles changed since, it is refused
(start a new preview). A confirmed run is saved by a second task
(``pairing_run_apply``), in chunks so the progress bar moves. Each step is
idempotent: a second compute, confirm or apply of the same run creates nothing.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import Counter
from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cpd import outbox
from cpd.models import Cohort, Membership, User
from mentoring.models import (
    MentorProfile,
    Pairing,
    PairingRun,
    PairingRunStatus,
)
from mentoring.services import pairing

logger = logging.getLogger(__name__)

# Pairs saved per transaction while applying (each chunk moves the progress bar).
APPLY_CHUNK = 200


def pairing_inputs_key(cohort: Cohort) -> str:
    """A fingerprint of what a proposal depends on: members, active pairs, profiles."""
    digest = hashlib.sha256()
    for row in (
        Membership.objects.filter(cohort=cohort)
        .order_by("user_id", "role")
        .values_list("user_id", "role")
    ):
        digest.update(f"m{row[0]}:{row[1]};".encode())
    for learner_id, mentor_id in (
        Pairing.objects.filter(cohort=cohort, active=True)
        .order_by("learner_id")
        .values_list("learner_id", "mentor_id")
    ):
        digest.update(f"p{learner_id}:{mentor_id};".encode())
    mentors = Membership.objects.filter(cohort=cohort).values("user_id")
    for user_id, updated in (
        MentorProfile.objects.filter(user__in=mentors)
        .order_by("user_id")
        .values_list("user_id", "updated_at")
    ):
        digest.update(f"r{user_id}:{updated.isoformat()};".encode())
    return digest.hexdigest()


def pairing_run_start(*, actor: User, cohort: Cohort, mode: str) -> PairingRun:
    """Queue a pairing proposal for the cohort (computed inline in eager mode)."""
    pairing.require_manager(actor, cohort)
    pairing.require_mode(mode)
    run = PairingRun.objects.create(cohort=cohort, actor=actor, mode=mode)
    _compute_enqueue(run.pk)  # owed from this transaction's commit
    return run


def _compute_enqueue(run_id: int) -> None:
    # Lazy, as in checkins: mentoring.tasks imports this module at its top.
    from mentoring.tasks import pairing_run_compute as pairing_run_compute_task

    outbox.enqueue(pairing_run_compute_task, run_id)


def _apply_enqueue(run_id: int) -> None:
    from mentoring.tasks import pairing_run_apply as pairing_run_apply_task

    outbox.enqueue(pairing_run_apply_task, run_id)


def _progress(run_id: int, pct: int) -> None:
    # Outside any transaction: the run page sees it while the task works.
    PairingRun.objects.filter(pk=run_id).update(progress=pct)


def pairing_run_compute(*, run_id: int) -> PairingRun | None:
    """Compute and store a queued run's proposal; a finished run is left alone."""
    with transaction.atomic():
        run = (
            PairingRun.objects.select_for_update(of=("self",))
            .select_related("cohort", "actor")
            .filter(pk=run_id)
            .first()
        )
        # RUNNING too: a worker lost mid-run is redelivered (acks_late) and redoes it.
        if run is None or run.status not in {
            PairingRunStatus.QUEUED,
            PairingRunStatus.RUNNING,
        }:
            return run
        run.status = PairingRunStatus.RUNNING
        run.progress = 5
        run.save(update_fields=["status", "progress"])
    started = time.perf_counter()
    try:
        if run.actor is None:
            raise ValidationError(_("The administrator who started it is gone."))
        pairing.require_manager(run.actor, run.cohort)
        # The key is taken before the inputs are read: a change while the solver
        # works makes the run stale rather than silently wrong.
        key = pairing_inputs_key(run.cohort)
        inputs = pairing.pairing_inputs(run.cohort)
        _progress(run.pk, 10)
        plan = pairing.plan_pairs(
            inputs.todo,
            inputs.specs.values(),
            progress=lambda pct: _progress(run.pk, 10 + pct * 8 // 10),
        )
        by_id = {x.id: x for x in inputs.todo}
        result = {
            "pairs": [
                [lid, mid, pairing.fit_codes(by_id[lid], inputs.specs[mid])]
                for lid, mid in plan.pairs.items()
            ],
            "unpaired": list(plan.unpaired),
            "kept": len(inputs.paired),
            "waiting": len(inputs.todo),
            "mentors": len(inputs.mentors),
            "method": plan.method,
            "seconds": round(time.perf_counter() - started, 2),
        }
    except Exception as exc:
        # Stored for the run page rather than raised: a retry would find the same
        # inputs, and the admin can start again from the page.
        if not isinstance(exc, ValidationError | PermissionDenied):
            logger.exception("pairing run %s failed", run.pk)
        message = "; ".join(getattr(exc, "messages", [])) or str(exc)
        PairingRun.objects.filter(pk=run.pk).update(
            status=PairingRunStatus.FAILED,
            error=message[:2000] or exc.__class__.__name__,
            finished_at=timezone.now(),
        )
        return PairingRun.objects.get(pk=run.pk)
    PairingRun.objects.filter(pk=run.pk).update(
        status=PairingRunStatus.DONE,
        progress=100,
        inputs_key=key,
        result=result,
        finished_at=timezone.now(),
    )
    return PairingRun.objects.get(pk=run.pk)


def proposal_of(run: PairingRun) -> dict[int, int]:
    """The run's proposed pairs, learner id → mentor id."""
    return {int(lid): int(mid) for lid, mid, _fit in run.result.get("pairs", [])}


def pairing_run_confirm(
    *,
    actor: User,
    run: PairingRun,
    assignments: Mapping[int, int | None] | None = None,
    reason: str = "",
) -> PairingRun:
    """Confirm a done run's proposal, with the admin's changes (learner → mentor or
    None); the pairs are saved by a task. Confirming a run again changes nothing;
    a run whose inputs changed since it was computed is refused."""
    pairing.require_manager(actor, run.cohort)
    with transaction.atomic():
        locked = PairingRun.objects.select_for_update().get(pk=run.pk)
        if locked.status in {
            PairingRunStatus.CONFIRMING,
            PairingRunStatus.CONFIRMED,
        }:
            return locked
        if locked.status != PairingRunStatus.DONE:
            raise ValidationError(
                _("This pairing run has no proposal to confirm (%(status)s).")
                % {"status": locked.get_status_display()}
            )
        Cohort.objects.select_for_update().filter(pk=locked.cohort_id).first()
        if pairing_inputs_key(locked.cohort) != locked.inputs_key:
            raise ValidationError(
                _(
                    "The cohort changed since this proposal was made (members, "
                    "pairs or mentor profiles). Preview again, then confirm."
                )
            )
        final = _final_choice(locked, assignments or {})
        proposed = proposal_of(locked)
        locked.result = {
            **locked.result,
            "final": [[lid, mid] for lid, mid in sorted(final.items())],
            "changed": sorted(
                lid for lid, mid in final.items() if proposed.get(lid) != mid
            ),
            "reason": reason.strip()[:150],
        }
        locked.status = PairingRunStatus.CONFIRMING
        locked.progress = 0
        locked.confirmed_by = actor
        locked.save(update_fields=["result", "status", "progress", "confirmed_by"])
        _apply_enqueue(locked.pk)  # owed from this transaction's commit
    return locked


def _final_choice(
    run: PairingRun, assignments: Mapping[int, int | None]
) -> dict[int, int]:
    """The proposal with the admin's changes, checked (ValidationError if wrong)."""
    inputs = pairing.pairing_inputs(run.cohort)
    waiting = {x.id for x in inputs.todo}
    final = proposal_of(run)
    errors: list[str] = []
    for learner_id, mentor_id in sorted(assignments.items()):
        if learner_id not in waiting:
            errors.append(
                _("Learner %(id)s is not an unpaired learner of this cohort.")
                % {"id": learner_id}
            )
        elif mentor_id is None:
            final.pop(learner_id, None)
        elif mentor_id not in inputs.specs:
            errors.append(
                _("Mentor %(id)s is not a mentor of this cohort.") % {"id": mentor_id}
            )
        else:
            final[learner_id] = mentor_id
    load = Counter(final.values())
    names = {m.pk: m for m in inputs.mentors}
    for mentor_id, n in sorted(load.items()):
        spec = inputs.specs[mentor_id]
        if spec.load + n > spec.capacity:
            errors.append(
                _("%(mentor)s would have more mentees than their capacity (%(n)s).")
                % {"mentor": names[mentor_id], "n": spec.capacity}
            )
    if errors:
        raise ValidationError({"assignments": errors})
    return final


def pairing_run_apply(*, run_id: int) -> int:
    """Save a confirming run's pairs in chunks; returns how many this call created.

    Idempotent: learners who already have an active pairing are skipped, so a
    retried task finishes the job and a second run creates nothing.
    """
    run = PairingRun.objects.select_related("cohort", "confirmed_by").get(pk=run_id)
    if run.status != PairingRunStatus.CONFIRMING or run.confirmed_by is None:
        return 0
    actor, cohort = run.confirmed_by, run.cohort
    final = [(int(lid), int(mid)) for lid, mid in run.result.get("final", [])]
    changed = set(run.result.get("changed", []))
    reason = run.result.get("reason", "")
    created = 0
    for start in range(0, len(final), APPLY_CHUNK):
        chunk = final[start : start + APPLY_CHUNK]
        with transaction.atomic():
            Cohort.objects.select_for_update().filter(pk=cohort.pk).first()
            created += _apply_chunk(run, actor, cohort, chunk, changed, reason)
        _progress(run.pk, min(99, (start + len(chunk)) * 100 // max(len(final), 1)))
    with transaction.atomic():
        locked = PairingRun.objects.select_for_update().get(pk=run.pk)
        if locked.status == PairingRunStatus.CONFIRMING:
            locked.status = PairingRunStatus.CONFIRMED
            locked.progress = 100
            locked.confirmed_at = timezone.now()
            locked.result = {
                **locked.result,
                "created": locked.result.get("created", 0) + created,
            }
            locked.save(update_fields=["status", "progress", "confirmed_at", "result"])
    return created


def _apply_chunk(
    run: PairingRun,
    actor: User,
    cohort: Cohort,
    chunk: list[tuple[int, int]],
    changed: set[int],
    reason: str,
) -> int:
    """Create one chunk's pairs (caller holds the cohort lock)."""
    ids = {lid for lid, _m in chunk} | {mid for _l, mid in chunk}
    people = User.objects.in_bulk(ids)
    already = set(
        Pairing.objects.filter(
            cohort=cohort, active=True, learner_id__in=[lid for lid, _m in chunk]
        ).values_list("learner_id", flat=True)
    )
    mentor_ids = sorted({mid for _l, mid in chunk})
    specs = pairing.mentor_specs(cohort, [people[m] for m in mentor_ids])
    load = Counter({m: s.load for m, s in specs.items()})
    pairs = []
    for lid, mid in chunk:
        if lid in already or load[mid] >= specs[mid].capacity:
            # Paired by an earlier attempt, or the mentor filled up since confirm.
            continue
        load[mid] += 1
        note = _("automatic pairing")
        if lid in changed:
            note = _("automatic pairing, changed by an administrator")
        pairs.append(
            (people[lid], people[mid], f"{note}: {reason}" if reason else note)
        )
    return len(
        pairing.pairs_create(actor=actor, cohort=cohort, mode=run.mode, pairs=pairs)
    )
