"""Progress, resume and the next pane to score, without a screen (`core.suite_progress`)."""

from __future__ import annotations

from dataclasses import dataclass

from modelduel.core.scoring import Score
from modelduel.core.scoring_pace import ScoringPace
from modelduel.core.suite_progress import (
    duel_scored,
    next_unscored,
    recorded_progress,
    resume_index,
    suite_progress,
)
from tests.support.fake_duel import FakeDuel


@dataclass
class FakeTask:
    id: str
    type: str = "coding"


def scored(duel: FakeDuel, *indices: int) -> FakeDuel:
    for i in indices:
        duel.panes[i].score = Score(direct=4)
    return duel


def test_the_next_pane_to_score_wraps_and_skips_what_cannot_be_scored() -> None:
    duel = scored(FakeDuel.of("A", "B", "C", "D"), 0)
    duel.empty_failures.add(1)
    duel.cancelled_panes.add(2)
    assert next_unscored(duel, 0) == 3
    assert next_unscored(duel, 3) == 3  # wraps round to itself
    scored(duel, 3)
    assert next_unscored(duel, -1) is None


def test_a_duel_is_scored_only_once_every_run_has_ended() -> None:
    duel = scored(FakeDuel.of("A", "B"), 0, 1)
    duel.running.add(1)
    assert not duel_scored(duel)
    duel.running.clear()
    assert duel_scored(duel)
    assert not duel_scored(None) and not duel_scored(FakeDuel.of())


def test_resume_picks_the_first_task_whose_latest_duel_is_not_scored() -> None:
    tasks = [FakeTask("a"), FakeTask("b"), FakeTask("c")]
    old_b = FakeDuel.of("X", task_id="b")
    duels = [scored(FakeDuel.of("X", task_id="a"), 0), old_b]
    assert resume_index(tasks, duels) == 1
    duels.append(scored(FakeDuel.of("X", task_id="b"), 0))  # b run again and scored
    assert resume_index(tasks, duels) == 2
    duels.append(scored(FakeDuel.of("X", task_id="c"), 0))
    assert resume_index(tasks, duels) == 0  # all done: from the start


def test_suite_progress_counts_the_latest_duel_of_each_task_and_no_cancelled_run() -> None:
    tasks = [FakeTask("a"), FakeTask("b", "json")]
    stale = scored(FakeDuel.of("X", "Y", task_id="a"), 0, 1)
    latest = scored(FakeDuel.of("X", "Y", task_id="a"), 0, 1)
    latest.cancelled_panes.add(1)
    line = suite_progress(tasks, [stale, latest], 1, 2, ScoringPace(), {"json": "not separated"})
    assert line == "task 2/2 b · scored 1/4 · 3 left · not separated"


def test_recorded_progress_leaves_cancelled_runs_out() -> None:
    first = scored(FakeDuel.of("X", "Y"), 0)
    second = FakeDuel.of("X", "Y")
    second.cancelled_panes.add(0)
    assert recorded_progress([first, second], 1, ScoringPace()) == "duel 2/2 · scored 1/3 · 2 left"
