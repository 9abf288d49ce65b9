"""The decision rule: scored CSV rows -> per (task type, model) stats -> one route per type.

Pure functions over rows of CSV strings; no I/O, no UI. The rule:

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
from collections.abc import Iterable
from dataclasses import dataclass

from modelduel.core.routing_bootstrap import _Key as _Key
from modelduel.core.routing_bootstrap import _rank_key as _rank_key
from modelduel.core.routing_bootstrap import _win_share as _win_share
from modelduel.core.routing_cells import (
    BOOTSTRAP_SAMPLES,
    CONFIDENCE_LEVEL,
    MIN_RUNS_FOR_CONFIDENCE,
    OBJECTIVES,
    CellStats,
    Objective,
    compute_stats,
    dedupe_runs,
    iso_week,
    parse_number,
    row_problems,
)
from modelduel.core.routing_cells import _summarise as _summarise
from modelduel.core.routing_table import RunTable, compute_table_stats

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
