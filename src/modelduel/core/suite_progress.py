"""Where a scoring session stands: the next pane to score, the task to resume, the counts.

Textual-free; the duels are read through `ProgressDuel` (the TUI's `DuelView` fits it)
and tasks through `ProgressTask` (a suite `Task`), so these rules are unit-tested
without a pilot.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from modelduel.core.scoring import Score
from modelduel.core.scoring_pace import ScoringPace, progress_line

__all__ = [
    "ProgressDuel",
    "ProgressTask",
    "duel_scored",
    "next_unscored",
    "recorded_progress",
    "resume_index",
    "suite_progress",
]


class _Scored(Protocol):
    @property
    def score(self) -> Score:
        """The pane's current score."""
        ...


class ProgressDuel(Protocol):
    """What progress reads of a duel."""

    @property
    def task_id(self) -> str:
        """The duel's task id."""
        ...

    @property
    def panes(self) -> Sequence[_Scored]:
        """One pane per run."""
        ...

    @property
    def all_ended(self) -> bool:
        """Every run of the duel has ended."""
        ...

    @property
    def fully_scored(self) -> bool:
        """Every pane has a score."""
        ...

    def nothing_to_score(self, index: int) -> bool:
        """The pane's run failed without a word of answer."""
        ...

    def cancelled(self, index: int) -> bool:
        """The pane's run was cancelled (it is not a result)."""
        ...


class ProgressTask(Protocol):
    """What progress reads of a suite task."""

    @property
    def id(self) -> str:
        """The task id."""
        ...

    @property
    def type(self) -> str:
        """The task type."""
        ...


def next_unscored(duel: ProgressDuel, after: int) -> int | None:
    """The first pane after `after` (wrapping) still to score, or None when none is."""
    n = len(duel.panes)
    for step in range(1, n + 1):
        index = (after + step) % n
        if (
            not duel.panes[index].score.is_scored
            and not duel.nothing_to_score(index)
            and not duel.cancelled(index)
        ):
            return index
    return None


def duel_scored(duel: ProgressDuel | None) -> bool:
    """Every pane of the duel that can be scored is (and every run has ended)."""
    if duel is None or not duel.panes:
        return False
    return duel.all_ended and next_unscored(duel, -1) is None


def _latest(duels: Sequence[ProgressDuel], task_id: str) -> ProgressDuel | None:
    return next((d for d in reversed(duels) if d.task_id == task_id), None)


def resume_index(tasks: Sequence[ProgressTask], duels: Sequence[ProgressDuel]) -> int:
    """The first task whose latest duel is missing or not fully scored (resume), else 0."""
    for i, task in enumerate(tasks):
        latest = _latest(duels, task.id)
        if latest is None or not latest.fully_scored:
            return i
    return 0


def suite_progress(
    tasks: Sequence[ProgressTask],
    duels: Sequence[ProgressDuel],
    index: int,
    models: int,
    pace: ScoringPace,
    hints: Mapping[str, str],
) -> str:
    """`task 3/10 code-1 · scored 12/30 · 18 left` (and the task type's hint) for the status."""
    total = len(tasks) * models
    scored = 0
    for task in tasks:
        latest = _latest(duels, task.id)
        if latest is not None:
            # a cancelled run is not a result: it counts once re-run and scored
            scored += sum(
                1
                for i, p in enumerate(latest.panes)
                if p.score.is_scored and not latest.cancelled(i)
            )
    current = tasks[index]
    hint = hints.get(current.type)
    tail = f" · {hint}" if hint else ""
    progress = progress_line(scored, total, pace)
    return f"task {index + 1}/{len(tasks)} {current.id} · {progress}{tail}"


def recorded_progress(duels: Sequence[ProgressDuel], shown: int, pace: ScoringPace) -> str:
    """`duel 2/5 · scored 4/15 · 11 left` over recorded duels (cancelled runs left out)."""
    scorable = [(d, i) for d in duels for i in range(len(d.panes)) if not d.cancelled(i)]
    scored = sum(d.panes[i].score.is_scored for d, i in scorable)
    return f"duel {shown + 1}/{len(duels)} · {progress_line(scored, len(scorable), pace)}"
