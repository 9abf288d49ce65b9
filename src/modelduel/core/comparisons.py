"""The pairwise comparisons inside each duel of the results CSV, for the preference table.

Pure functions over rows (column -> text); no I/O, no UI. `core.preference` fits
Bradley–Terry strengths to them.

Where the comparisons come from (within one duel, i.e. rows sharing `duel_id` and
`task_type`; every pair of runs of *different* models gives at most one comparison):

- **rank** (the `rank` column: 1 = the best answer of its duel, 2 = next, ...; equal ranks
  are a tie; empty = not ranked): when both runs of a pair are ranked, the lower rank wins;
  when only one is, it wins (the duel screen's `o c` places C best and leaves the others
  empty: a placed run is above every run of its duel that was not placed). A rank is the
  person's direct preference, so it takes precedence;
- **score**: otherwise (neither run ranked), when both runs are scored, the higher score wins.

Two runs of the same model in one duel say nothing about that model against another, and
rows without a `duel_id` cannot be paired: both are left out. Callers dedupe copies of a
run first (`routing.dedupe_runs`).

**Ties count as half a win for each side** (the Bradley–Terry likelihood with fractional
outcomes, as Chatbot Arena does), rather than a Davidson or Rao–Kupper tie model: those add
a tie parameter that a week's 30 runs cannot estimate, and with equal scores common on a 0-5
rubric a poorly-estimated tie parameter would move every strength.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from modelduel.core.counted import ranked_cell, scored_cell
from modelduel.core.routing import parse_number

__all__ = ["Comparison", "comparisons", "rank_cell", "score_cell"]


@dataclass(frozen=True)
class Comparison:
    """One pair of runs of different models in one duel.

    Attributes:
        task_type: the duel's task type.
        duel_id: the duel both runs belong to.
        first: one model (the alphabetically smaller).
        second: the other model.
        first_wins: 1.0 when `first` won, 0.0 when `second` won, 0.5 for a tie.
        source: "rank" or "score": which column decided.
    """

    task_type: str
    duel_id: str
    first: str
    second: str
    first_wins: float
    source: str


def rank_cell(text: str | None, where: str) -> int | None:
    """A `rank` cell as a whole number >= 1 (None when empty); `where` names the duel."""
    if text is None or not text.strip():
        return None
    try:
        value = int(text.strip())
    except ValueError:
        raise ValueError(f"{where}: column 'rank': {text!r} is not a whole number") from None
    if value < 1:
        raise ValueError(f"{where}: column 'rank': {text!r} must be 1 (best) or more")
    return value


def score_cell(text: str | None, where: str) -> float | None:
    """A `score` cell as a number (None when empty); `where` names the duel."""
    try:
        return parse_number(text)
    except ValueError:
        raise ValueError(f"{where}: column 'score': {text!r} is not a number") from None


def _placed(rank: int | None) -> float:
    """A rank to compare: a run that was not placed is below every placed one."""
    return math.inf if rank is None else float(rank)


def _outcome(a: float, b: float, lower_wins: bool) -> float:
    if a == b:
        return 0.5
    return 1.0 if (a < b) == lower_wins else 0.0


def comparisons(rows: Iterable[Mapping[str, str]]) -> list[Comparison]:
    """Every pairwise comparison inside the duels of the rows (see the module docstring).

    Args:
        rows: CSV rows as column -> text (task_type, model, duel_id, score, rank).

    Returns:
        The comparisons, sorted by (task type, duel, first, second) so the result does
        not depend on row order.

    Raises:
        ValueError: a `rank` is not a whole number >= 1, or a `score` is not a number
            (the message names the duel and the column).
    """
    duels: dict[tuple[str, str], list[tuple[str, int | None, float | None]]] = {}
    for row in rows:
        duel_id = (row.get("duel_id") or "").strip()
        if not duel_id:
            continue
        where = f"duel {duel_id}"
        rank = rank_cell(ranked_cell(row), where)  # a cancelled run: core.counted
        score = score_cell(scored_cell(row), where)  # a cancelled run: core.counted
        if rank is None and score is None:
            continue
        key = ((row.get("task_type") or "").strip(), duel_id)
        duels.setdefault(key, []).append(((row.get("model") or "").strip(), rank, score))
    out: list[Comparison] = []
    for (task_type, duel_id), runs in sorted(duels.items()):
        runs.sort(key=lambda run: (run[0], run[1] or 0, run[2] or 0.0))
        for i, (model_a, rank_a, score_a) in enumerate(runs):
            for model_b, rank_b, score_b in runs[i + 1 :]:
                if model_a == model_b:
                    continue
                if rank_a is not None or rank_b is not None:  # unplaced: below the placed
                    first_wins = _outcome(_placed(rank_a), _placed(rank_b), lower_wins=True)
                    source = "rank"
                elif score_a is not None and score_b is not None:
                    first_wins, source = _outcome(score_a, score_b, lower_wins=False), "score"
                else:
                    continue
                out.append(Comparison(task_type, duel_id, model_a, model_b, first_wins, source))
    out.sort(key=lambda c: (c.task_type, c.duel_id, c.first, c.second))
    return out
