"""The decision rule: scored CSV rows -> per (task type, model) stats -> one route per type.

Pure functions over rows of CSV strings; no I/O, no UI. The rule (issue 6, after the brief):

- only scored rows count (an empty `score` means not scored yet);
- `avg_score` is the mean over the cell's runs, pooled (not a mean of per-task means);
- a success is a run with score >= `success_score` (default 4);
- `cost_per_success` is the spend of *all* the cell's scored runs over its successes,
  because a failed run was paid for too; undefined without a success;
- `median_ttfu_s` is the median `time_to_first_useful_s` over runs that recorded one;
- `quality_per_cost` = avg_score / cost_per_success; `math.inf` when the successes cost
  nothing (a free local model ranks above any paid one); undefined without a success.

Routes per objective (ties broken as listed, then by model name so output is stable):

| objective          | eligible               | best                    | ties              |
|--------------------|------------------------|-------------------------|-------------------|
| `quality-per-cost` | >= 1 success           | highest quality_per_cost| higher avg_score  |
| `cost`             | >= 1 success           | lowest cost_per_success | higher avg_score  |
| `quality`          | >= 1 scored run        | highest avg_score       | lower cost/success|
| `latency`          | a recorded ttfu        | lowest median_ttfu_s    | higher avg_score  |

Floats are summed with `math.fsum` (exactly rounded), so row order never changes a figure,
and compared at 12 significant digits so 0.1 + 0.2 ties with 0.3.

How sure a route is (`Route.confident`): with the handful of runs the method uses, a lead
is often noise. The rule: the winner and the runner-up must each have at least
`MIN_RUNS_FOR_CONFIDENCE` (3) scored runs, and in a bootstrap (each cell's runs resampled
with replacement, `BOOTSTRAP_SAMPLES` times, fixed seed so the answer is reproducible) the
winner must still rank strictly first under the same objective in at least
`CONFIDENCE_LEVEL` (95 %) of resamples. Otherwise the route is reported as within noise.
A route without a runner-up is confident when the winner alone has enough runs.

An empty `cost_usd` means the price was unknown, never $0 (a free local model is written
as 0). A cell with any such run has no `cost_per_success` or `quality_per_cost`, so it
cannot win on cost by accident; `CellStats.unpriced_runs` counts them so the report can
say why.
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, get_args

from modelduel.core.scoring import MAX_SCORE

__all__ = [
    "BOOTSTRAP_SAMPLES",
    "CONFIDENCE_LEVEL",
    "MIN_RUNS_FOR_CONFIDENCE",
    "OBJECTIVES",
    "CellStats",
    "Objective",
    "Route",
    "RunTable",
    "choose_routes",
    "compute_stats",
    "compute_table_stats",
    "dedupe_runs",
    "iso_week",
    "parse_number",
    "plural",
    "row_problems",
]

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


@dataclass(frozen=True)
class Route:
    """The recommendation for one task type.

    Attributes:
        task_type: the workload kind.
        model: the model to route it to.
        runner_up: the next best eligible model, or None when there is none.
        margin: how far ahead the winner is, in the objective's units (see
            `margin_unit`); inf when a free model beats a paid one; None without runner-up.
        confident: False when the margin is within the noise of so few runs.
        reason: one human sentence on why.
        objective: the objective the route was chosen for.
        margin_unit: the unit of `margin` (e.g. "score per $", "s").
        runs: scored runs behind the winner's figures.
        runner_up_runs: scored runs behind the runner-up's figures (0 without one).
        win_share: share of bootstrap resamples the winner still won; None if not run.
    """

    task_type: str
    model: str
    runner_up: str | None
    margin: float | None
    confident: bool
    reason: str
    objective: str = "quality-per-cost"
    margin_unit: str = ""
    runs: int = 0
    runner_up_runs: int = 0
    win_share: float | None = None


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
    return bool((row.get("score") or "").strip())


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
    n = len(runs)
    scores = sorted(r[0] for r in runs)
    avg = math.fsum(scores) / n
    success = sum(1 for s in scores if s >= success_score)
    total = math.fsum(r[1] for r in runs)
    unpriced = sum(1 for r in runs if r[3])
    cps = total / success if success and not unpriced else None
    ttfus = [r[2] for r in runs if r[2] is not None]
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
        runs_detail=tuple(sorted(runs, key=_run_sort_key)),
    )


def compute_stats(rows: Iterable[Mapping[str, str]], success_score: float = 4) -> list[CellStats]:
    """Per (task type, model) figures over the scored rows.

    Args:
        rows: CSV rows as column -> text (task_type, model, score,
            time_to_first_useful_s and cost_usd at least);
            unscored rows (empty score) are left out.
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
        if score is None:
            continue
        cost = _cell_number(row, "cost_usd")
        ttfu = _cell_number(row, "time_to_first_useful_s")
        key = (row["task_type"].strip(), row["model"].strip())
        cells.setdefault(key, []).append((score, cost or 0.0, ttfu, cost is None))
    return [
        _summarise(task_type, model, runs, success_score)
        for (task_type, model), runs in sorted(cells.items())
    ]


@dataclass(frozen=True)
class RunTable:
    """Validated rows as columns (numpy arrays), what `compute_table_stats` reads.

    The columnar twin of a list of rows: one entry per row, in row order. Text columns
    are codes into a list of distinct (stripped) names, numbers are float64 with NaN for
    an empty cell.

    Attributes:
        task_types: distinct task types; `task_type` holds indexes into it.
        models: distinct models; `model` holds indexes into it.
        task_type: int64 per row.
        model: int64 per row.
        score: float64 per row; NaN = not scored.
        cost: float64 per row; NaN = price unknown.
        ttfu: float64 per row (time_to_first_useful_s); NaN = not recorded.
        timestamps: distinct timestamp cells; `timestamp` holds indexes into it.
        timestamp: int64 per row.
        simulated: bool per row: its `simulated` cell is ``true``.
        duel_ids: distinct duel ids; `duel` holds indexes into it (None: not read).
        duel: int64 per row, or None.
        ranks: distinct `rank` cells as written; `rank` holds indexes into it.
        rank: int64 per row, or None.
    """

    task_types: list[str]
    models: list[str]
    task_type: Any
    model: Any
    score: Any
    cost: Any
    ttfu: Any
    timestamps: list[str]
    timestamp: Any
    simulated: Any
    duel_ids: list[str] = field(default_factory=list)
    duel: Any = None
    ranks: list[str] = field(default_factory=list)
    rank: Any = None

    def __len__(self) -> int:
        return len(self.score)

    def take(self, which: Any) -> RunTable:
        """The rows picked by a boolean mask or an index array, in that order."""
        return RunTable(
            self.task_types,
            self.models,
            self.task_type[which],
            self.model[which],
            self.score[which],
            self.cost[which],
            self.ttfu[which],
            self.timestamps,
            self.timestamp[which],
            self.simulated[which],
            self.duel_ids,
            None if self.duel is None else self.duel[which],
            self.ranks,
            None if self.rank is None else self.rank[which],
        )

    def preference_rows(self) -> Iterator[dict[str, str]]:
        """The rows as the pairwise preference reads them (task_type, model, duel_id,
        score, rank as text), one at a time: rows of no duel are left out."""
        if self.duel is None or self.rank is None:
            return
        for task_type, model, score, duel, rank in zip(
            self.task_type.tolist(),
            self.model.tolist(),
            self.score.tolist(),
            self.duel.tolist(),
            self.rank.tolist(),
            strict=True,
        ):
            duel_id = self.duel_ids[duel]
            if not duel_id:
                continue
            yield {
                "task_type": self.task_types[task_type],
                "model": self.models[model],
                "duel_id": duel_id,
                "score": "" if math.isnan(score) else repr(score),
                "rank": self.ranks[rank],
            }

    def by_week(self) -> dict[str, RunTable]:
        """ISO week (`iso_week` of each row's timestamp) -> its rows; weeks in time order, then
        "undated".

        Raises:
            ValueError: a timestamp is not ISO 8601.
        """
        import numpy as np

        # only the timestamps of these rows: a distinct cell may belong to a row left out
        label = {code: iso_week(self.timestamps[code]) for code in np.unique(self.timestamp)}
        weeks = sorted(set(label.values()), key=lambda w: (w == "undated", w))
        week_of = np.zeros(len(self.timestamps), dtype=np.int64)
        for code, week in label.items():
            week_of[code] = weeks.index(week)
        row_week = week_of[self.timestamp]
        return {week: self.take(row_week == i) for i, week in enumerate(weeks)}

    def simulated_rows(self) -> list[Mapping[str, str]]:
        """As many rows as the table holds, carrying only their `simulated` cell (in no
        particular order): what `display.simulated_note` counts, without a dict per row."""
        flagged = int(self.simulated.sum())
        true: Mapping[str, str] = {"simulated": "true"}
        unset: Mapping[str, str] = {}
        return [true] * flagged + [unset] * (len(self) - flagged)


def compute_table_stats(table: RunTable, success_score: float = 4) -> list[CellStats]:
    """`compute_stats` over a `RunTable`: the same CellStats, figure for figure.

    The rows are grouped with numpy; each cell's sums are still `math.fsum`s and its
    median `statistics.median`, over the cell's runs in row order, so no figure differs
    from what `compute_stats` makes of the same rows.

    Args:
        table: the rows (unscored ones are left out).
        success_score: the score from which a run counts as a success.

    Returns:
        One CellStats per cell with at least one scored run, sorted by (task type, model).
    """
    import numpy as np

    scored = np.flatnonzero(~np.isnan(table.score))
    if not len(scored):
        return []
    n_models = len(table.models)
    cell = table.task_type[scored] * n_models + table.model[scored]
    order = np.argsort(cell, kind="stable")  # stable: each cell's runs stay in row order
    rows = scored[order]
    cell = cell[order]
    starts = np.flatnonzero(np.r_[True, cell[1:] != cell[:-1]])
    ends = np.r_[starts[1:], len(cell)]
    out: list[CellStats] = []
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        code = int(cell[start])
        task_type, model = table.task_types[code // n_models], table.models[code % n_models]
        out.append(_summarise_columns(task_type, model, table, rows[start:end], success_score))
    out.sort(key=lambda c: (c.task_type, c.model))
    return out


def _summarise_columns(
    task_type: str, model: str, table: RunTable, rows: Any, success_score: float
) -> CellStats:
    """`_summarise` of one cell's runs given as row indexes into the table."""
    import numpy as np

    scores = table.score[rows]
    raw_cost = table.cost[rows]
    unpriced = np.isnan(raw_cost)
    # `cost or 0.0` in compute_stats: unknown and -0.0 both become 0.0 (-0.0 + 0.0 is 0.0)
    costs = np.where(unpriced, 0.0, raw_cost) + 0.0
    ttfus = table.ttfu[rows]
    timed = ~np.isnan(ttfus)
    n = len(rows)
    score_list = np.sort(scores, kind="stable").tolist()
    avg = math.fsum(score_list) / n
    success = int((scores >= success_score).sum())
    total = math.fsum(costs.tolist())
    n_unpriced = int(unpriced.sum())
    cps = total / success if success and not n_unpriced else None
    median = statistics.median(ttfus[timed].tolist()) if timed.any() else None
    qpc: float | None
    if cps is None:
        qpc = None
    elif cps == 0:
        qpc = math.inf
    else:
        qpc = avg / cps
    # runs_detail in `_run_sort_key` order: lexsort's last key is the first compared
    ttfu_or_zero = np.where(timed, ttfus, 0.0)
    order = np.lexsort((unpriced, ttfu_or_zero, ~timed, costs, scores))
    ttfu_cells: list[float | None] = [
        t if ok else None
        for t, ok in zip(ttfus[order].tolist(), timed[order].tolist(), strict=True)
    ]
    detail = tuple(
        zip(
            scores[order].tolist(),
            costs[order].tolist(),
            ttfu_cells,
            unpriced[order].tolist(),
            strict=True,
        )
    )
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
        scores=score_list,
        unpriced_runs=n_unpriced,
        success_score=success_score,
        runs_detail=detail,
    )


def _canon(x: float) -> float:
    # 12 significant digits: equal-looking figures tie instead of being split by rounding.
    return x if math.isinf(x) else float(f"{x:.12g}")


_Key = tuple[float, float]


def _rank_key(cell: CellStats, objective: str) -> _Key | None:
    """Sort key (smaller is better) of a cell under an objective; None if ineligible."""
    avg = _canon(cell.avg_score)
    if objective == "quality-per-cost":
        if cell.quality_per_cost is None:  # None already when nothing succeeded
            return None
        return (-_canon(cell.quality_per_cost), -avg)
    if objective == "cost":
        if cell.cost_per_success is None:
            return None
        return (_canon(cell.cost_per_success), -avg)
    if objective == "quality":
        cps = cell.cost_per_success
        return (-avg, math.inf if cps is None else _canon(cps))
    if objective == "latency":
        if cell.median_ttfu_s is None:
            return None
        return (_canon(cell.median_ttfu_s), -avg)
    raise ValueError(f"unknown objective {objective!r} (choose from {', '.join(OBJECTIVES)})")


def _margin(best: CellStats, other: CellStats, objective: str) -> tuple[float, str]:
    if objective == "quality-per-cost":
        a, b = best.quality_per_cost, other.quality_per_cost
        assert a is not None and b is not None  # both eligible
        if math.isinf(a) and math.isinf(b):
            # Both free: the tie-break (avg score) decided, so that is the margin.
            return best.avg_score - other.avg_score, "avg score (both free)"
        return a - b, "score per $"
    if objective == "cost":
        a, b = best.cost_per_success, other.cost_per_success
        assert a is not None and b is not None
        return b - a, "$ per success"
    if objective == "quality":
        return best.avg_score - other.avg_score, "avg score"
    a, b = best.median_ttfu_s, other.median_ttfu_s
    assert a is not None and b is not None
    return b - a, "s median ttfu"


# Resamples are scored in chunks of about this many drawn runs, so memory stays bounded
# (a few tens of MB) however many runs a cell has.
_CHUNK_DRAWS = 1 << 20


def _win_share(best: CellStats, other: CellStats, objective: str) -> float:
    """Share of bootstrap resamples in which `best` still ranks strictly above `other`.

    Vectorised (numpy) but draw for draw the bootstrap of the plain definition: each
    resample takes `random.Random(seed).choices(runs, k=len(runs))` for `best`, then for
    `other`, and ranks the two resampled cells with `_rank_key`. numpy's RandomState is
    the same Mersenne Twister as `random` and makes doubles the same way, so it is given
    that generator's state and yields the very same uniforms; `choices` picks index
    `floor(u * n)`, and so does this. A resample's sums are gathered from the drawn
    indices and its median ttfu read from how many times it drew each run (a counts
    matrix): nothing is sorted per resample. Sums are plain float sums
    rather than `math.fsum`; figures are compared at 12 significant digits, so the two
    agree unless a figure falls within a few ulps of a rounding boundary.
    """
    import numpy as np  # only here: the CLI parser imports this module and must start fast

    # Seeded by the cell names: reproducible, and independent of row order because
    # runs_detail is sorted.
    rng = random.Random(f"{best.task_type}\x00{best.model}\x00{other.model}\x00{objective}")
    state = rng.getstate()[1]
    mt = np.random.RandomState()
    mt.set_state(("MT19937", np.array(state[:624], dtype=np.uint32), int(state[624]), 0, 0.0))
    na, nb = best.runs, other.runs
    per_sample = na + nb
    chunk = max(1, _CHUNK_DRAWS // per_sample)
    cell_a, cell_b = _Columns.of(np, best), _Columns.of(np, other)
    wins = 0
    done = 0
    while done < BOOTSTRAP_SAMPLES:
        size = min(chunk, BOOTSTRAP_SAMPLES - done)
        uniforms = mt.random_sample(size * per_sample).reshape(size, per_sample)
        keys_a = _resample_keys(np, cell_a, uniforms[:, :na], objective)
        keys_b = _resample_keys(np, cell_b, uniforms[:, na:], objective)
        for ka, kb in zip(keys_a, keys_b, strict=True):
            if ka is not None and (kb is None or ka < kb):
                wins += 1
        done += size
    return wins / BOOTSTRAP_SAMPLES


@dataclass(frozen=True)
class _Columns:
    """A cell's runs as arrays, built once per bootstrap rather than once per chunk."""

    runs: tuple[_Run, ...]
    scores: Any  # float64 per run
    costs: Any  # float64 per run
    flags: Any  # int64 per run: 1 if a success, plus 1 << 32 if unpriced
    timed: list[int]  # runs with a ttfu, in ttfu order
    ttfus: Any  # their ttfus, sorted
    # int64 per run: score << 40 | unpriced << 20 | success, when every score is a whole
    # number and the cell has under 2**20 runs, so one gather sums all three; else None
    packed: Any = None

    @staticmethod
    def of(np: Any, cell: CellStats) -> _Columns:
        runs = cell.runs_detail
        scores = np.array([r[0] for r in runs], dtype=np.float64)
        costs = np.array([r[1] for r in runs], dtype=np.float64)
        flags = np.array(
            [int(r[0] >= cell.success_score) + (int(r[3]) << 32) for r in runs], dtype=np.int64
        )
        timed = sorted(
            (j for j, r in enumerate(runs) if r[2] is not None), key=lambda j: runs[j][2] or 0.0
        )
        ttfus = np.array([runs[j][2] for j in timed], dtype=np.float64)
        packed = None
        whole = scores == np.floor(scores)
        if len(runs) < _PACK_LIMIT and bool(whole.all()) and bool((scores >= 0).all()):
            # a sum of whole scores is exact in float64 as in int64: the same averages
            packed = (scores.astype(np.int64) << 40) | ((flags >> 32) << 20) | (flags & 0xFFFFFFFF)
        return _Columns(runs, scores, costs, flags, timed, ttfus, packed)


_PACK_LIMIT = 1 << 20


def _resample_keys(np: Any, cell: _Columns, uniforms: Any, objective: str) -> list[_Key | None]:
    """`_rank_key` of each resample of `cell` drawn by one row of `uniforms`."""
    n = len(cell.runs)
    size = uniforms.shape[0]
    # u * n >= 0, so truncating is floor(), as `choices` does (and 5x cheaper than np.floor)
    picks = (uniforms * float(n)).astype(np.int64)
    # Gathered sums, not a counts matrix times the columns: `@` goes to a multithreaded
    # BLAS that spins for seconds on a busy 2-core machine, and einsum on integers is slow.
    if cell.packed is not None:
        sums = cell.packed[picks].sum(axis=1)
        avg = (sums >> 40) / n
        successes, unpriced = sums & 0xFFFFF, (sums >> 20) & 0xFFFFF
    else:
        avg = cell.scores[picks].sum(axis=1) / n
        flags = cell.flags[picks].sum(axis=1)  # successes + unpriced << 32
        successes, unpriced = flags & 0xFFFFFFFF, flags >> 32
    avgs = [_canon(x) for x in avg.tolist()]
    if objective == "latency":
        offsets = (np.arange(size, dtype=np.int64) * n)[:, None]
        # counts[i, j]: how many times resample i drew run j
        counts = np.bincount((picks + offsets).ravel(), minlength=size * n).reshape(size, n)
        medians = _resample_medians(np, cell, counts)
        return [None if m is None else (_canon(m), -a) for m, a in zip(medians, avgs, strict=True)]
    # costs only here: the latency key does not use them
    total = cell.costs[picks].sum(axis=1)
    has_cps = (successes > 0) & (unpriced == 0)
    cps = np.where(has_cps, total / np.maximum(successes, 1), np.nan)
    keys: list[_Key | None] = []
    for a, raw_avg, ok, c in zip(avgs, avg.tolist(), has_cps.tolist(), cps.tolist(), strict=True):
        if objective == "quality-per-cost":
            if not ok:
                keys.append(None)
            else:
                keys.append((-_canon(math.inf if c == 0 else raw_avg / c), -a))
        elif objective == "cost":
            keys.append((_canon(c), -a) if ok else None)
        elif objective == "quality":
            keys.append((-a, _canon(c) if ok else math.inf))
        else:
            raise ValueError(f"unknown objective {objective!r}")
    return keys


def _resample_medians(np: Any, cell: _Columns, counts: Any) -> list[float | None]:
    """The median ttfu of each resample (a row of `counts`), as `statistics.median`."""
    timed, values = cell.timed, cell.ttfus
    if not timed:
        return [None] * counts.shape[0]
    cumulative = np.cumsum(counts[:, timed], axis=1)
    m = cumulative[:, -1]
    low_pos, high_pos = (m - 1) // 2, m // 2
    # the element at sorted position p is the first value whose cumulative count exceeds p
    low = values[np.minimum((cumulative <= low_pos[:, None]).sum(axis=1), len(timed) - 1)]
    high = values[np.minimum((cumulative <= high_pos[:, None]).sum(axis=1), len(timed) - 1)]
    median = np.where(m % 2 == 1, high, (low + high) / 2)
    return [None if k == 0 else float(v) for k, v in zip(m.tolist(), median.tolist(), strict=True)]


def plural(n: int, word: str = "run") -> str:
    """`1 run`, `3 runs`."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _fmt(x: float) -> str:
    return "inf" if math.isinf(x) else f"{x:.4g}"


def _describe_win(best: CellStats, objective: str) -> str:
    if objective == "quality-per-cost":
        qpc = best.quality_per_cost
        assert qpc is not None
        if math.isinf(qpc):
            return (
                f"free: {plural(best.success_runs, 'success')} at $0 (a zero cost ranks "
                f"above any paid model), avg {best.avg_score:.2f}"
            )
        return (
            f"avg {best.avg_score:.2f} / ${best.cost_per_success:.4g} per success"
            f" = {_fmt(qpc)} score per $"
        )
    if objective == "cost":
        return f"${best.cost_per_success:.4g} per success (avg {best.avg_score:.2f})"
    if objective == "quality":
        return f"avg score {best.avg_score:.2f} over {plural(best.runs)}"
    return f"median time to first useful output {best.median_ttfu_s:.3g} s"


def choose_routes(
    stats: Iterable[CellStats],
    objective: Objective = "quality-per-cost",
) -> dict[str, Route]:
    """One route per task type that has an eligible model.

    Args:
        stats: cells from `compute_stats`.
        objective: what "best" means (see the module docstring's table).

    Returns:
        task type -> Route, in task-type order. A type where no model is eligible
        (e.g. no success at all under `quality-per-cost`) has no entry.

    Raises:
        ValueError: unknown objective.
    """
    if objective not in OBJECTIVES:
        raise ValueError(f"unknown objective {objective!r} (choose from {', '.join(OBJECTIVES)})")
    by_type: dict[str, list[tuple[_Key, str, CellStats]]] = {}
    for cell in stats:
        key = _rank_key(cell, objective)
        if key is not None:
            by_type.setdefault(cell.task_type, []).append((key, cell.model, cell))
    routes: dict[str, Route] = {}
    for task_type in sorted(by_type):
        ranked = sorted(by_type[task_type], key=lambda item: (item[0], item[1]))
        best = ranked[0][2]
        why = _describe_win(best, objective)
        if len(ranked) == 1:
            confident = best.runs >= MIN_RUNS_FOR_CONFIDENCE
            routes[task_type] = Route(
                task_type=task_type,
                model=best.model,
                runner_up=None,
                margin=None,
                confident=confident,
                reason=f"{why}; the only eligible model",
                objective=objective,
                runs=best.runs,
            )
            continue
        other = ranked[1][2]
        margin, unit = _margin(best, other, objective)
        tied = ranked[0][0] == ranked[1][0]
        share = _win_share(best, other, objective)
        enough = min(best.runs, other.runs) >= MIN_RUNS_FOR_CONFIDENCE
        confident = enough and share >= CONFIDENCE_LEVEL and not tied
        if tied:
            why += f"; tied with {other.model}, decided by name"
        elif (
            objective in ("quality-per-cost", "cost", "latency")
            and ranked[0][0][0] == ranked[1][0][0]
        ):
            why += f"; tied with {other.model} on the objective, higher avg score wins"
        if not enough:
            why += (
                f"; within noise: {plural(best.runs)} vs {plural(other.runs)}"
                f" (needs {MIN_RUNS_FOR_CONFIDENCE} each)"
            )
        elif not confident:
            why += f"; within noise: the lead held in {share:.0%} of resamples"
        routes[task_type] = Route(
            task_type=task_type,
            model=best.model,
            runner_up=other.model,
            margin=margin,
            confident=confident,
            reason=why,
            objective=objective,
            margin_unit=unit,
            runs=best.runs,
            runner_up_runs=other.runs,
            win_share=share,
        )
    return routes
