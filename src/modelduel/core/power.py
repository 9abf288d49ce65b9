"""How sure a route is: is the winner separated from the runner-up, and if not, how many runs.

Pure functions; no I/O, no UI. For each task type the routing rule (`core.routing`) names a
winner and a runner-up under an objective. This module asks the classical question of the
two: is the winner's lead larger than the noise of its runs at 95 % (a two-sided Welch
t-test, alpha 0.05), and when it is not, about how many runs per model a two-sample test
would need to detect the observed lead at the observed spread with 80 % power.

The per-run metric behind the test is the one the objective ranks by:

- `quality`: the run's score (the rule compares mean scores);
- `quality-per-cost`: the rule's figure avg_score / cost_per_success equals
  mean(score) * mean(success) / mean(cost), a ratio of means, not a mean of a per-run value.
  Its log is linearised per run (the delta method): z_r = log Q + (s_r - S)/S + (u_r - U)/U
  - (c_r - C)/C, with S, U, C the cell's mean score, success rate and cost. The mean of z is
  log Q and its variance over n is the delta-method variance of log Q, so the test compares
  log Q (a relative lead: 0.1 = about 10 %);
- `cost`: log cost_per_success = log C - log U, linearised the same way
  (z_r = log K + (c_r - C)/C - (u_r - U)/U); lower is better;
- `latency`: the run's time to first useful output. The rule ranks medians; the test
  compares means, an approximation that holds for roughly symmetric times.

A free model (cost 0) against a paid one is decided by the rule itself (a zero cost ranks
first), not by noise, so it is reported as separated without a test; two free models are
compared on their scores, the rule's tie-break.

Assumptions: runs are independent draws per model (a duel's runs are not paired here);
the t-test assumes roughly normal per-run means, which is rough for a 0-5 rubric with 3
runs. The runs estimate is therefore marked "~" wherever it is shown.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from modelduel.core.routing import (
    CellStats,
    Route,
    choose_routes,
    compute_stats,
    dedupe_runs,
    row_problems,
)
from modelduel.core.welch import (
    _MIN_RUNS,
    WelchTest,
    stdev,
    t_cdf,
    t_quantile,
    t_quantile_bracket,
    welch_test,
)

__all__ = [
    "ALPHA",
    "POWER",
    "RepeatHint",
    "Separation",
    "WelchTest",
    "metric_values",
    "repeat_hint_lines",
    "repeat_hints",
    "runs_per_model",
    "separation",
    "separations",
    "t_cdf",
    "t_quantile",
    "welch_test",
]

ALPHA = 0.05
POWER = 0.8


@dataclass(frozen=True)
class Separation:
    """Whether a task type's winner is separated from its runner-up, and what would settle it.

    Attributes:
        task_type: the workload kind.
        winner: the routed model.
        runner_up: the next best model, or None when the winner is the only eligible one.
        objective: the routing objective whose metric was tested.
        separated: True when the lead is significant at 95 % (or decided by the rule,
            e.g. free vs paid), False otherwise.
        lead: winner's advantage in `lead_unit` (positive = the winner is better); None
            when there is no test.
        lead_unit: "score", "log score per $", "log $ per success", "s".
        p_value: the Welch test's two-sided p-value; None when there is no test.
        runs: the winner's and the runner-up's runs.
        runs_per_model: about how many runs each model needs in total (None when no
            number would do, or the spread cannot be estimated yet).
        more_runs: runs_per_model minus the fewer runs of the two, at least 0; None as above.
        note: one human line saying the verdict and why.
    """

    task_type: str
    winner: str
    runner_up: str | None
    objective: str
    separated: bool
    lead: float | None
    lead_unit: str
    p_value: float | None
    runs: tuple[int, int]
    runs_per_model: int | None
    more_runs: int | None
    note: str


PRACTICAL_RUNS = 1000
"""Runs per model beyond which a runs-needed estimate is reported as "treat them as equal"."""


def runs_per_model(
    lead: float, sd_a: float, sd_b: float, alpha: float = ALPHA, power: float = POWER
) -> int | None:
    """About how many runs per model a two-sided two-sample test needs to detect `lead`.

    The textbook equal-n formula, n = (t_{1-alpha/2, df} + t_{power, df})^2 *
    (sd_a^2 + sd_b^2) / lead^2, with df the Welch degrees of freedom at n runs each,
    df = (n - 1) (sd_a^2 + sd_b^2)^2 / (sd_a^4 + sd_b^4). It starts from the normal
    quantiles (z_{0.975} = 1.95996, z_{0.8} = 0.84162) and then steps up to the smallest
    whole n >= 2 that meets the formula with t quantiles at its own df (the right side
    falls as n grows, so that n is unique; plain iteration can oscillate between two).

    Args:
        lead: the difference of means to detect (its sign is ignored).
        sd_a, sd_b: the per-run standard deviations observed.
        alpha: two-sided significance level.
        power: the chance of a significant result if the lead is real.

    Returns:
        Runs per model, or None when the lead is 0 (no number of runs separates equal
        means). 2 when both spreads are 0 and the lead is not (two runs show the spread).
    """
    if lead == 0:
        return None
    spread = sd_a**2 + sd_b**2
    if spread == 0:
        return _MIN_RUNS
    z = statistics.NormalDist().inv_cdf(1 - alpha / 2) + statistics.NormalDist().inv_cdf(power)
    n = max(_MIN_RUNS, math.ceil(z * z * spread / (lead * lead)))
    while True:
        df = (n - 1) * spread**2 / (sd_a**4 + sd_b**4)
        met = _meets_from_brackets(n, alpha, power, df, spread, lead)
        if met is None:  # the bound falls inside the brackets: the quantiles themselves
            factor = t_quantile(1 - alpha / 2, df) + t_quantile(power, df)
            met = n >= factor * factor * spread / (lead * lead)
        if met:
            return n
        n += 1


def _meets_from_brackets(
    n: int, alpha: float, power: float, df: float, spread: float, lead: float
) -> bool | None:
    """`n >= factor^2 spread / lead^2` as `runs_per_model` computes it, or None if unsure.

    `t_quantile_bracket` gives intervals sure to hold the two bisection quantiles. Every
    float step of factor = q1 + q2 and of factor * factor * spread / (lead * lead) is
    monotone (for factor >= 0), so the expression at the low ends is <= the one with the
    quantiles <= the one at the high ends: n at least the latter meets the bound, n below
    the former does not, and only n in between needs the quantiles (~60 t_cdf calls each).
    """
    upper = t_quantile_bracket(1 - alpha / 2, df)
    lower = t_quantile_bracket(power, df)
    if upper is None or lower is None:
        return None
    low, high = upper[0] + lower[0], upper[1] + lower[1]
    if low < 0:
        return None
    if n >= high * high * spread / (lead * lead):
        return True
    if n < low * low * spread / (lead * lead):
        return False
    return None


def _linearised(cell: CellStats, objective: str) -> tuple[list[float], str] | tuple[None, str]:
    """Per-run values whose mean is the objective's figure (see the module docstring)."""
    runs = cell.runs_detail
    scores = [r[0] for r in runs]
    if objective == "quality":
        return scores, "score"
    if objective == "latency":
        return [r[2] for r in runs if r[2] is not None], "s"
    costs = [r[1] for r in runs]
    success = [1.0 if r[0] >= cell.success_score else 0.0 for r in runs]
    mean_s, mean_u, mean_c = (statistics.fmean(x) for x in (scores, success, costs))
    if mean_c == 0:
        return None, "free"
    if objective == "quality-per-cost":
        figure = math.log(mean_s * mean_u / mean_c)
        values = [
            figure + (s - mean_s) / mean_s + (u - mean_u) / mean_u - (c - mean_c) / mean_c
            for s, u, c in zip(scores, success, costs, strict=True)
        ]
        return values, "log score per $"
    if objective == "cost":
        figure = math.log(mean_c / mean_u)
        # Negated so that larger is better for every objective's test.
        values = [
            -(figure + (c - mean_c) / mean_c - (u - mean_u) / mean_u)
            for u, c in zip(success, costs, strict=True)
        ]
        return values, "log $ per success"
    raise ValueError(f"unknown objective {objective!r}")


def metric_values(cell: CellStats, objective: str) -> tuple[list[float] | None, str]:
    """The per-run values the test compares for a cell, oriented so larger is better.

    Args:
        cell: one (task type, model) cell from `routing.compute_stats`.
        objective: the routing objective.

    Returns:
        (values, unit); values is None for a free cell under a cost objective (decided
        by the rule, not by a test). Latency values are negated times.
    """
    values, unit = _linearised(cell, objective)
    if values is not None and objective == "latency":
        values = [-v for v in values]
    return values, unit


def _plural(n: int) -> str:
    return f"{n} run" if n == 1 else f"{n} runs"


def separation(
    winner: CellStats,
    runner_up: CellStats | None,
    objective: str,
    alpha: float = ALPHA,
    power: float = POWER,
) -> Separation:
    """Test the winner against the runner-up on the objective's per-run metric.

    Args:
        winner, runner_up: the cells the routing rule ranked first and second.
        objective: the routing objective.
        alpha: significance level of the two-sided Welch test.
        power: the power the runs estimate aims for.

    Returns:
        The verdict, with the runs estimate when not separated (see `Separation`).
    """
    task_type, name = winner.task_type, winner.model
    if runner_up is None:
        return Separation(
            task_type, name, None, objective, False, None, "", None, (winner.runs, 0), None,
            None, "the only eligible model: nothing to separate it from",
        )  # fmt: skip
    runs = (winner.runs, runner_up.runs)
    other = runner_up.model
    values_w, unit = metric_values(winner, objective)
    values_r, _ = metric_values(runner_up, objective)
    if objective in ("quality-per-cost", "cost") and (values_w is None or values_r is None):
        if values_w is None and values_r is None:
            # Both free: the rule's tie-break, the average score, decided.
            values_w, values_r, unit = list(winner.scores), list(runner_up.scores), "score"
        else:
            return Separation(
                task_type, name, other, objective, True, None, "", None, runs, 0, 0,
                f"separated: {name} is free and {other} is not (the rule ranks free first)",
            )  # fmt: skip
    assert values_w is not None and values_r is not None
    if min(len(values_w), len(values_r)) < _MIN_RUNS:
        fewest = name if len(values_w) <= len(values_r) else other
        return Separation(
            task_type, name, other, objective, False, None, unit, None, runs, None, None,
            f"not separated: {fewest} has {_plural(min(len(values_w), len(values_r)))}, "
            f"too few to measure the spread; run at least {_MIN_RUNS} per model",
        )  # fmt: skip
    test = welch_test(values_w, values_r)
    lead = test.lead
    if test.p_value < alpha and lead > 0:
        spread_note = " (no spread in either model's runs)" if test.se == 0 else ""
        return Separation(
            task_type, name, other, objective, True, lead, unit, test.p_value, runs, None, 0,
            f"separated at {1 - alpha:.0%}: p = {test.p_value:.2g}{spread_note}",
        )  # fmt: skip
    if lead == 0:
        return Separation(
            task_type, name, other, objective, False, lead, unit, test.p_value, runs, None,
            None, "not separated: the means are equal, and no number of runs would "
            "separate equal means",
        )  # fmt: skip
    if lead < 0:
        # Possible for latency (the rule ranks medians, the test means).
        return Separation(
            task_type, name, other, objective, False, lead, unit, test.p_value, runs, None,
            None, f"not separated: on the mean, {other} is ahead; more runs would not "
            f"separate {name} from it",
        )  # fmt: skip
    needed = runs_per_model(lead, stdev(values_w), stdev(values_r), alpha, power)
    assert needed is not None  # lead > 0
    more = max(0, needed - min(len(values_w), len(values_r)))
    if needed > PRACTICAL_RUNS:
        # a six-digit run count is no advice: the lead is noise-sized for this task type
        return Separation(
            task_type, name, other, objective, False, lead, unit, test.p_value, runs, needed,
            more, f"not separated (p = {test.p_value:.2g}): the lead is tiny against the "
            f"spread (over {PRACTICAL_RUNS:,} runs per model would be needed): treat them "
            "as equal here",
        )  # fmt: skip
    return Separation(
        task_type, name, other, objective, False, lead, unit, test.p_value, runs, needed,
        more, f"not separated (p = {test.p_value:.2g}): ~{more} more "
        f"{'run' if more == 1 else 'runs'} per model (~{needed} each) would separate them "
        "at the observed spread",
    )  # fmt: skip


def separations(
    stats: Iterable[CellStats], routes: Mapping[str, Route], objective: str | None = None
) -> dict[str, Separation]:
    """`separation` for every routed task type.

    Args:
        stats: the cells from `routing.compute_stats`.
        routes: the routes from `routing.choose_routes` over the same cells.
        objective: the objective the routes were chosen for (default: each route's own).

    Returns:
        task type -> verdict, in the routes' order.
    """
    cells = {(c.task_type, c.model): c for c in stats}
    out: dict[str, Separation] = {}
    for task_type, route in routes.items():
        winner = cells[(task_type, route.model)]
        runner = None if route.runner_up is None else cells[(task_type, route.runner_up)]
        out[task_type] = separation(winner, runner, objective or route.objective)
    return out


@dataclass(frozen=True)
class RepeatHint:
    """What `modelduel run --repeat N` would take to separate one task type's route.

    Attributes:
        task_type: the workload kind.
        separation: its verdict (not separated, with a runs estimate).
        tasks: the suite's tasks of this type.
        repeat: about the `--repeat` that gives each model `separation.runs_per_model`
            runs of this type: ceil(runs per model / tasks), since `--repeat N` means N
            runs of every task on every model in total (a resumed batch adds the rest).
    """

    task_type: str
    separation: Separation
    tasks: int
    repeat: int


def repeat_hints(
    seps: Mapping[str, Separation], tasks_per_type: Mapping[str, int], current_repeat: int = 1
) -> list[RepeatHint]:
    """The task types of a suite whose route is not separated yet, and the `--repeat` for it.

    Args:
        seps: task type -> verdict (`separations` over the CSV's scored runs).
        tasks_per_type: the suite's tasks per task type (types not in the suite are left out).
        current_repeat: the `--repeat` asked for now; a type it already covers gets no hint.

    Returns:
        One hint per type that is not separated and has a runs estimate, in `seps` order.
    """
    out: list[RepeatHint] = []
    for task_type, sep in seps.items():
        tasks = tasks_per_type.get(task_type, 0)
        if sep.separated or sep.runs_per_model is None or tasks < 1:
            continue
        if sep.runs_per_model > PRACTICAL_RUNS:  # "treat them as equal": no repeat helps
            continue
        repeat = max(1, math.ceil(sep.runs_per_model / tasks))
        if repeat > current_repeat:
            out.append(RepeatHint(task_type, sep, tasks, repeat))
    return out


def repeat_hint_lines(
    rows: Iterable[Mapping[str, str]],
    tasks_per_type: Mapping[str, int],
    current_repeat: int,
    command: str,
) -> list[str]:
    """What `modelduel run` prints when the CSV says a suite's task type is not separated.

    Args:
        rows: the results CSV's rows (malformed ones and extra copies of a run are left
            out here: `route` is where they are reported).
        tasks_per_type: the suite's tasks per task type.
        current_repeat: the `--repeat` of this run.
        command: the command to suggest, e.g. "modelduel run tasks/starter --csv r.csv".

    Returns:
        One line per task type the route is not separated for, with the `--repeat` that
        would give each model about the runs the power estimate asks for.
    """
    kept, _ = dedupe_runs(rows)
    stats = compute_stats(r for r in kept if not row_problems(r))
    seps = separations(stats, choose_routes(stats))
    return [
        f"{h.task_type}: {h.separation.winner} vs {h.separation.runner_up} {h.separation.note}; "
        f"`{command} --repeat {h.repeat}` gives each model ~{h.repeat * h.tasks} runs of it"
        for h in repeat_hints(seps, tasks_per_type, current_repeat)
    ]
