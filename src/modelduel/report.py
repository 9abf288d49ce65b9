"""The routing report as rich renderables, shared by `modelduel route` and the TUI.

Routes, a heatmap of average scores and, beside it, cost per success and median time
to first useful output; with weeks, the drift tables. Only rich is imported (never
Textual): `modelduel route` prints these on a console, the TUI's report screen shows
the same objects in Static widgets, so both front ends show the same report, the
"SIMULATED" warning of a report built from demo runs included.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from rich.columns import Columns
from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from modelduel.core.blas_threads import import_numpy_with_one_blas_thread
from modelduel.core.routing import MIN_RUNS_FOR_CONFIDENCE, CellStats, Route, plural
from modelduel.display import fmt_cost, fmt_seconds, sanitize_terminal

if TYPE_CHECKING:
    from modelduel.core.power import Separation
    from modelduel.core.preference import TaskPreference

__all__ = ["NO_SCORED_RUNS", "render_report", "simulated_banner", "week_tables"]

NO_SCORED_RUNS = (
    "nothing to route: no scored runs yet (score runs with keys 0-5 in the duel screen, "
    "or `modelduel score CSV`)"
)
"""What a report over no scored run says instead of an empty heatmap (CLI and TUI)."""


def simulated_banner(note: str) -> Text:
    """The warning line of a report built from simulated runs (`display.simulated_note`)."""
    return Text(f"WARNING: {note}", style="bold yellow")


_HEAT = ((4.5, "green4"), (4.0, "green3"), (3.0, "yellow3"), (2.0, "dark_orange3"))


def _heat_style(avg: float) -> str:
    for floor, colour in _HEAT:
        if avg >= floor:
            return f"bold black on {colour}"
    return "bold white on red3"


def _clean(text: str) -> str:
    return sanitize_terminal(text)


def _runs_note(route: Route, sep: Separation | None = None) -> str:
    if route.runner_up is None:
        runs = plural(route.runs)
    elif route.runs == route.runner_up_runs:
        runs = f"{plural(route.runs)} each"
    else:
        runs = f"{route.runs} and {route.runner_up_runs} runs"
    if sep is not None:
        # The power verdict replaces the bare "within noise": separated at 95 %, or
        # about how many more runs per model would separate winner and runner-up.
        return f"({runs}; {sep.note})"
    if route.confident:
        return f"({runs})"
    return f"(within noise: {runs})"


def _fmt_margin(route: Route) -> str:

    m = route.margin
    if m is None:
        return ""
    if math.isinf(m):
        return "(paid; a free model ranks first)"
    if m == 0:
        tie_break = "lower cost per success" if route.objective == "quality" else "higher avg score"
        return f"(tied; {tie_break} wins)"
    if route.margin_unit == "$ per success":
        return f"by {fmt_cost(m)} per success"
    if route.margin_unit.startswith("s "):
        return f"by {fmt_seconds(m)}"
    if route.margin_unit == "score per $":
        return f"by {m:,.1f} score per $"
    return f"by {m:.2f} {route.margin_unit}"


def _route_lines(
    stats: Sequence[CellStats],
    routes: Mapping[str, Route],
    seps: Mapping[str, Separation] | None = None,
) -> Text:

    types = sorted({c.task_type for c in stats})
    width = max((len(_clean(t)) for t in types), default=0)
    model_width = max((len(_clean(r.model)) for r in routes.values()), default=0)
    out = Text()
    for task_type in types:
        out.append(f"{_clean(task_type):<{width}} -> ", style="bold")
        route = routes.get(task_type)
        if route is None:
            out.append("— (no eligible model: none had a successful, priced run)", style="dim")
            out.append("\n")
            continue
        out.append(f"{_clean(route.model):<{model_width}}", style="bold cyan")
        if route.runner_up is not None:
            out.append(f"  runner-up {_clean(route.runner_up)} {_fmt_margin(route)}")
        out.append("  ")
        sep = None if seps is None else seps.get(task_type)
        good = route.confident if sep is None else sep.separated
        out.append(_runs_note(route, sep), style="green" if good else "yellow")
        out.append("\n")
    out.rstrip()
    return out


def _grid(
    stats: Sequence[CellStats],
) -> tuple[list[str], list[str], dict[tuple[str, str], CellStats]]:
    types = sorted({c.task_type for c in stats})
    models = sorted({c.model for c in stats})
    return types, models, {(c.task_type, c.model): c for c in stats}


def _heatmap(stats: Sequence[CellStats], routes: Mapping[str, Route]) -> RenderableType:

    types, models, cells = _grid(stats)
    table = Table(title="avg score (runs); ★ = route", title_justify="left")
    table.add_column("task type", style="bold")
    for model in models:
        table.add_column(_clean(model), justify="center")
    for task_type in types:
        row: list[RenderableType] = [_clean(task_type)]
        route = routes.get(task_type)
        for model in models:
            cell = cells.get((task_type, model))
            if cell is None:
                row.append(Text("·", style="dim"))
                continue
            star = " ★" if route is not None and route.model == model else ""
            row.append(
                Text(
                    f" {cell.avg_score:.2f} ×{cell.runs}{star} ", style=_heat_style(cell.avg_score)
                )
            )
        table.add_row(*row)
    return table


def _cost_table(stats: Sequence[CellStats]) -> RenderableType:

    types, models, cells = _grid(stats)
    table = Table(title="cost per success · median ttfu", title_justify="left")
    table.add_column("task type", style="bold")
    for model in models:
        table.add_column(_clean(model), justify="right")
    for task_type in types:
        row: list[RenderableType] = [_clean(task_type)]
        for model in models:
            cell = cells.get((task_type, model))
            if cell is None:
                row.append(Text("·", style="dim"))
                continue
            if cell.unpriced_runs:
                cost = Text(f"cost unknown ({cell.unpriced_runs})", style="yellow")
            elif cell.cost_per_success is None:
                cost = Text("no success", style="red")
            else:
                cost = Text(fmt_cost(cell.cost_per_success))
            row.append(cost + Text(f" · {fmt_seconds(cell.median_ttfu_s)}"))
        table.add_row(*row)
    return table


def render_report(
    stats: Sequence[CellStats],
    routes: Mapping[str, Route],
    *,
    objective: str,
    success_score: float,
    simulated: str | None = None,
    rows: Sequence[Mapping[str, str]] | None = None,
    statistics: tuple[Mapping[str, TaskPreference], Mapping[str, Separation]] | None = None,
) -> list[RenderableType]:
    """The report as rich renderables: heading, warning, routing lines, heatmap, cost table.

    With `rows` (or `statistics` computed from them already) the routing lines say per
    task type whether the winner is separated from the runner-up at 95 % or about how
    many more runs per model would separate them (`core.power`), and the Bradley–Terry
    tables per task type follow the cost table (`report_stats`).

    Args:
        stats: the cells (none: the report is the one line `NO_SCORED_RUNS`).
        routes: the routes chosen from them.
        objective: the objective used.
        success_score: the success threshold used.
        simulated: `display.simulated_note` of the rows, shown under the heading so a
            decision made from demo answers says so on screen.
        rows: the checked, deduplicated rows behind `stats` (the TUI passes these); a
            `rank` cell that is not a whole number >= 1 is shown as one line in place of
            the Bradley–Terry tables.
        statistics: `report_stats.route_statistics(rows, stats, routes)`, when the caller
            has it already (`modelduel route`, which also prints it as JSON).

    Returns:
        Renderables to print in order (the TUI's report screen shows the same).
    """
    warning = [] if simulated is None else [simulated_banner(simulated)]
    if not stats:
        return [*warning, Text(NO_SCORED_RUNS)]

    runs = sum(c.runs for c in stats)
    heading = Text(
        f"Routing by {objective} · success = score ≥ {success_score:g} · "
        f"{plural(runs, 'scored run')}",
        style="bold underline",
    )
    problem = None
    if statistics is None and rows is not None:
        # ~0.1 s (power, preference), only when there are rows to report on; the TUI's
        # report is computed here, so its BLAS is held to one thread as `route`'s is
        import_numpy_with_one_blas_thread()
        from modelduel.report_stats import route_statistics  # noqa: PLC0415

        try:
            statistics = route_statistics(rows, stats, routes)
        except ValueError as exc:  # a bad rank cell: the rest of the report still holds
            problem = Text(f"Bradley–Terry: not computed: {exc}", style="red")
    seps = None if statistics is None else statistics[1]
    if seps is None:
        noise = (
            f"Within noise: fewer than {MIN_RUNS_FOR_CONFIDENCE} runs per model, or the lead "
            "held in under 95% of bootstrap resamples."
        )
    else:
        noise = (
            "Separated: the winner's lead over the runner-up on the objective's per-run "
            "figure is significant at 95% (Welch t-test); if not, ~N more runs per model is "
            "a power estimate (80%) at the observed spread."
        )
    legend = Text(f"heat: ≥4.5 dark green, ≥4 green, ≥3 yellow, ≥2 orange, <2 red. {noise}",
                  style="dim")  # fmt: skip
    out: list[RenderableType] = [
        heading,
        *warning,
        _route_lines(stats, routes, seps),
        Text(""),
        Columns([_heatmap(stats, routes), _cost_table(stats)], padding=(0, 3)),
        legend,
    ]
    if statistics is not None:
        from modelduel.report_stats import models_by_type, preference_tables  # noqa: PLC0415

        out += [Text(""), preference_tables(statistics[0], models_by_type(stats))]
    elif problem is not None:
        out += [Text(""), problem]
    return out


def week_tables(
    weeks: Mapping[str, tuple[list[CellStats], dict[str, Route]]],
    separation: Mapping[str, Mapping[str, Separation]] | None = None,
) -> list[RenderableType]:
    """The `--by-week` tables: each cell week by week, and each week's route.

    `separation` (week -> task type -> power verdict, as the route line's) marks a week's
    route `~` when it is not separated at 95 %; without it the bootstrap rule
    (`Route.confident`) marks it, and the title says which rule it is.
    """

    labels = list(weeks)
    moves = Table(
        title="avg score (runs) by ISO week; ▲▼ = change from the week before", title_justify="left"
    )
    moves.add_column("task type", style="bold")
    moves.add_column("model")
    for label in labels:
        moves.add_column(label, justify="center")
    keys = sorted({(c.task_type, c.model) for cells, _ in weeks.values() for c in cells})
    by_week = {label: {(c.task_type, c.model): c for c in weeks[label][0]} for label in labels}
    for task_type, model in keys:
        row: list[RenderableType] = [_clean(task_type), _clean(model)]
        previous: CellStats | None = None
        for label in labels:
            cell = by_week[label].get((task_type, model))
            if cell is None:
                row.append(Text("·", style="dim"))
                continue
            text = Text(f" {cell.avg_score:.2f} ×{cell.runs} ", style=_heat_style(cell.avg_score))
            if previous is not None and label != "undated":
                delta = cell.avg_score - previous.avg_score
                if abs(delta) >= 0.005:
                    text.append(f"{'▲' if delta > 0 else '▼'}{abs(delta):.2f}")
            row.append(text)
            if label != "undated":
                previous = cell
        moves.add_row(*row)
    rule = "within noise" if separation is None else "not separated at 95%"
    routes_table = Table(title=f"route by ISO week (~ = {rule})", title_justify="left")
    routes_table.add_column("task type", style="bold")
    for label in labels:
        routes_table.add_column(label)
    types = sorted({t for t, _ in keys})
    for task_type in types:
        cells_row: list[RenderableType] = [_clean(task_type)]
        for label in labels:
            route = weeks[label][1].get(task_type)
            if route is None:
                cells_row.append(Text("—", style="dim"))
            else:
                sep = None if separation is None else separation.get(label, {}).get(task_type)
                sure = route.confident if sep is None else sep.separated
                mark = "" if sure else " ~"
                cells_row.append(Text(_clean(route.model) + mark))
        routes_table.add_row(*cells_row)
    return [moves, routes_table]
