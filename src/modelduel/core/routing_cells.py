"""The routing rule's aggregation: scored CSV rows -> one `CellStats` per (task type, model).

The rules each figure follows are in `routing`'s docstring; this module computes them
from rows of strings (`compute_stats`) or from the columnar `RunTable` (`compute_table_stats`).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal, get_args

from modelduel.core.counted import is_cancelled_row, scored_cell
from modelduel.core.scoring import MAX_SCORE

Objective = Literal["quality", "cost", "latency", "quality-per-cost"]
OBJECTIVES: tuple[str, ...] = get_args(Objective)

_NUMERIC_COLUMNS = ("score", "time_to_first_useful_s", "cost_usd")

MIN_RUNS_FOR_CONFIDENCE = 3
BOOTSTRAP_SAMPLES = 1000
CONFIDENCE_LEVEL = 0.95
SCORE_MIN, SCORE_MAX = 0.0, float(MAX_SCORE)

# One scored run: (score, cost_usd or 0, ttfu or None, cost unknown).
_Run = tuple[float, float, float | None, bool]


@dataclass(frozen=True)
class CellStats:
    """The figures of one (task type, model) cell over its scored runs.

    Attributes:
        task_type: the workload kind.
        model: the model as written in the CSV (`provider/model_id` for modelduel's own).
        runs: scored runs in the cell.
        avg_score: mean score over those runs.
        success_runs: runs with score >= the success threshold.
        total_cost_usd: spend of all scored runs, failed ones included (known costs only).
        cost_per_success: total_cost_usd / success_runs; None without a success or
            when a run's cost is unknown.
        median_ttfu_s: median time to first useful output; None if no run recorded one.
        quality_per_cost: avg_score / cost_per_success; inf when successes were free;
            None when cost_per_success is None.
        scores: the scores, sorted.
        unpriced_runs: scored runs whose cost_usd was empty (price unknown).
        success_score: the success threshold these figures used.
        runs_detail: every run as (score, cost, ttfu, unpriced), sorted; what the
            bootstrap resamples.
    """

    task_type: str
    model: str
    runs: int
    avg_score: float
    success_runs: int
    total_cost_usd: float
    cost_per_success: float | None
    median_ttfu_s: float | None
    quality_per_cost: float | None
    scores: list[float]
    unpriced_runs: int = 0
    success_score: float = 4
    runs_detail: tuple[_Run, ...] = field(default=(), repr=False)


def parse_number(text: str | None) -> float | None:
    """A CSV cell as a finite number; None for an empty cell.

    Args:
        text: the cell text (surrounding blanks ignored).

    Returns:
        The number, or None when the cell is empty.

    Raises:
        ValueError: the cell is not a finite number.
    """
    if text is None or not text.strip():
        return None
    value = float(text.strip())
    if not math.isfinite(value):
        raise ValueError(f"{text!r} is not a finite number")
    return value


def row_problems(row: Mapping[str, str | None], *, check_timestamp: bool = False) -> list[str]:
    """What is wrong with one row, as "column 'X': ..." messages (empty when fine).

    Args:
        row: one CSV row (column -> text).
        check_timestamp: also require a parsable `timestamp` when one is given.

    Returns:
        One message per problem, in column order.
    """
    problems: list[str] = []
    for column in ("task_type", "model"):
        if not (row.get(column) or "").strip():
            problems.append(f"column {column!r}: empty")
    for column in _NUMERIC_COLUMNS:
        text = row.get(column)
        try:
            value = parse_number(text)
        except ValueError:
            problems.append(f"column {column!r}: {text!r} is not a number")
            continue
        if value is None:
            continue
        if column == "score" and not SCORE_MIN <= value <= SCORE_MAX:
            problems.append(f"column 'score': {text!r} is outside the 0-5 rubric")
        elif value < 0:
            problems.append(f"column {column!r}: {text!r} is negative")
    if check_timestamp:
        try:
            iso_week(row.get("timestamp"))
        except ValueError:
            problems.append(f"column 'timestamp': {row.get('timestamp')!r} is not an ISO date-time")
    return problems


def iso_week(timestamp: str | None) -> str:
    """The ISO week ("2026-W07") of a timestamp, in UTC; "undated" when empty.

    Args:
        timestamp: an ISO 8601 date or date-time ("Z" and offsets accepted; naive = UTC).

    Returns:
        The ISO week label, or "undated".

    Raises:
        ValueError: the timestamp is not ISO 8601.
    """
    if timestamp is None or not timestamp.strip():
        return "undated"
    moment = datetime.fromisoformat(timestamp.strip())
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def _scored(row: Mapping[str, str | None]) -> bool:
    return bool(scored_cell(row).strip())  # a cancelled run's score reads as empty


def dedupe_runs(
    rows: Iterable[Mapping[str, str]],
) -> tuple[list[Mapping[str, str]], int]:
    """Rows with each `run_id` kept once (rows without a run_id are all kept).

    The same run can sit in several files (a copy shared before scoring, a re-export).
    Of its copies, a scored one wins over an unscored one; among equals, the later one
    (the last file given), since it is the more recent edit.

    Args:
        rows: rows of every file, in file order.

    Returns:
        The kept rows and the number of duplicates dropped.
    """
    out: list[Mapping[str, str]] = []
    where: dict[str, int] = {}
    dropped = 0
    for row in rows:
        run_id = (row.get("run_id") or "").strip()
        if not run_id:
            out.append(row)
            continue
        if run_id not in where:
            where[run_id] = len(out)
            out.append(row)
            continue
        dropped += 1
        if _scored(row) or not _scored(out[where[run_id]]):
            out[where[run_id]] = row
    return out, dropped


def _cell_number(row: Mapping[str, str], column: str) -> float | None:
    text = row.get(column)
    try:
        return parse_number(text)
    except ValueError:
        raise ValueError(f"column {column!r}: {text!r} is not a number") from None


def _run_sort_key(run: _Run) -> tuple[float, float, bool, float, bool]:
    return (run[0], run[1], run[2] is None, run[2] or 0.0, run[3])


def _summarise(task_type: str, model: str, runs: Sequence[_Run], success_score: float) -> CellStats:
    return cell_from_runs(
        task_type,
        model,
        sorted(r[0] for r in runs),
        [r[1] for r in runs],
        [r[2] for r in runs if r[2] is not None],
        sum(1 for r in runs if r[3]),
        tuple(sorted(runs, key=_run_sort_key)),
        success_score,
    )


def cell_from_runs(
    task_type: str,
    model: str,
    scores: list[float],
    costs: Sequence[float],
    ttfus: Sequence[float],
    unpriced: int,
    detail: tuple[_Run, ...],
    success_score: float,
) -> CellStats:
    """One cell's `CellStats` from its runs' figures (the rules: `routing`'s docstring).

    The one place the figures are derived, for the row path (`compute_stats`) and the
    columnar one (`routing_table.compute_table_stats`) alike.

    Args:
        task_type: the cell's task type.
        model: the cell's model.
        scores: every run's score, sorted.
        costs: every run's cost (0 where unknown).
        ttfus: the times to first useful output that are known.
        unpriced: how many runs have no cost.
        detail: the runs in `_run_sort_key` order.
        success_score: the score from which a run counts as a success.
    """
    n = len(scores)
    avg = math.fsum(scores) / n
    success = sum(1 for s in scores if s >= success_score)
    total = math.fsum(costs)
    cps = total / success if success and not unpriced else None
    median = statistics.median(ttfus) if ttfus else None
    qpc: float | None
    if cps is None:
        qpc = None
    elif cps == 0:
        qpc = math.inf
    else:
        qpc = avg / cps
    return CellStats(
        task_type=task_type,
        model=model,
        runs=n,
        avg_score=avg,
        success_runs=success,
        total_cost_usd=total,
        cost_per_success=cps,
        median_ttfu_s=median,
        quality_per_cost=qpc,
        scores=scores,
        unpriced_runs=unpriced,
        success_score=success_score,
        runs_detail=detail,
    )


def compute_stats(rows: Iterable[Mapping[str, str]], success_score: float = 4) -> list[CellStats]:
    """Per (task type, model) figures over the scored rows.

    Args:
        rows: CSV rows as column -> text (task_type, model, score,
            time_to_first_useful_s and cost_usd at least);
            unscored rows (empty score) and cancelled ones (`core.counted`) are left out.
        success_score: the score from which a run counts as a success.

    Returns:
        One CellStats per cell with at least one scored run, sorted by (task type, model).

    Raises:
        ValueError: a numeric cell is not a number (callers validate rows first with
            `row_problems` to report file and line).
    """
    cells: dict[tuple[str, str], list[_Run]] = {}
    for row in rows:
        score = _cell_number(row, "score")
        if score is None or is_cancelled_row(row):  # core.counted: a cancelled run never counts
            continue
        cost = _cell_number(row, "cost_usd")
        ttfu = _cell_number(row, "time_to_first_useful_s")
        key = (row["task_type"].strip(), row["model"].strip())
        cells.setdefault(key, []).append((score, cost or 0.0, ttfu, cost is None))
    return [
        _summarise(task_type, model, runs, success_score)
        for (task_type, model), runs in sorted(cells.items())
    ]
