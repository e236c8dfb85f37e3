"""The dashboard shows course figures from the courses contract and flags failing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from mentoring import selectors
from tests.conftest import client_as


@dataclass(frozen=True)
class FakeProgress:
    """Same fields as courses.selectors.LearnerProgress (the agreed contract)."""

    user_id: int
    lessons_completed: int
    lessons_total: int
    last_activity: dt.datetime | None
    latest_quiz_percent: float | None
    pre_percent: float | None
    post_percent: float | None
    knowledge_gain: float | None
    credits_earned: Decimal


def test_progress_figures_show_and_a_low_quiz_score_needs_attention(
    client, world, paired, monkeypatch
):
    progress = FakeProgress(
        user_id=world.learner.pk,
        lessons_completed=3,
        lessons_total=12,
        last_activity=timezone.now(),
        latest_quiz_percent=40.0,
        pre_percent=35.0,
        post_percent=55.0,
        knowledge_gain=20.0,
        credits_earned=Decimal("1.5"),
    )
    calls = []

    def fake(*, cohort, user_ids):
        calls.append((cohort, list(user_ids)))
        return {world.learner.pk: progress}

    monkeypatch.setattr(selectors, "learner_progress", fake)
    (row,) = selectors.mentor_dashboard(world.mentor_of_cohort, world.cohort)
    assert calls == [(world.cohort, [world.learner.pk])]
    assert row.percent_done == 25
    assert "failing quizzes" in row.reasons
    assert "inactive" not in row.reasons
    html = client_as(client, world.mentor_of_cohort).get(
        reverse("mentoring-dashboard", args=[world.cohort.pk])
    )
    text = html.content.decode()
    assert "3/12 (25%)" in text
    assert "35% → 55% (+20)" in text
    assert "40%" in text
