"""Rich renderables of the routing statistics: Bradley–Terry tables and how sure each route is.

Shared by `modelduel route` and the TUI's routing report (rich only, no Textual): the
callers compute `core.preference.preference_table` and `core.power.separations` and print
`stats_report(...)`. Every figure comes from those computations; the runs estimate is a
power estimate, marked "~".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from modelduel.core.power import Separation, separations
from modelduel.core.preference import ModelStrength, TaskPreference, preference_table
from modelduel.core.routing import CellStats, Route

__all__ = [
    "BOOTSTRAP_SEED",
    "preference_tables",
    "route_stats_report",
    "separation_lines",
    "stats_report",
    "task_preference_table",
]

# Fixed so that `modelduel route` prints the same intervals for the same CSV.
BOOTSTRAP_SEED = 14

_LEGEND = (
    "strength: log Bradley–Terry strength, 0 = the task type's geometric mean, +0.69 = twice"
    " as strong; 95% CI: bootstrap over whole duels"
)
_FLAT = "a zero-width interval: every resample agreed (too few duels to show their noise)"


def _signed(x: float) -> str:
    # `or 0.0` turns a rounded -0.0 into +0.00: a fit's -1e-12 is not a negative strength.
    return f"{round(x, 2) or 0.0:+.2f}"


def _interval(row: ModelStrength) -> str:
    if row.low is None or row.high is None:
        return "—"
    return f"[{_signed(row.low)}, {_signed(row.high)}]"


def task_preference_table(pref: TaskPreference) -> Table:
    """One task type's Bradley–Terry table: model, strength, 95 % CI, duels.

    Args:
        pref: one task type from `core.preference.preference_table`.

    Returns:
        A table titled with the task type, strongest model first; a comparison graph in
        separate parts gets a `part` column and a caption (strengths across parts are not
        comparable: each part is only pulled towards the reference by the prior).
    """
    title = f"{pref.task_type} · Bradley–Terry ({pref.duels} duels)"
    caption = None
    if not pref.connected:
        parts = max(r.component for r in pref.models) + 1
        caption = f"{parts} parts, never compared across"
    table = Table(title=title, title_justify="left", caption=caption, caption_justify="left")
    table.add_column("model")
    table.add_column("strength", justify="right")
    table.add_column("95% CI", justify="right")
    table.add_column("duels", justify="right")
    if not pref.connected:
        table.add_column("part", justify="right")
    for row in pref.models:
        cells = [row.model, _signed(row.strength), _interval(row), str(row.duels)]
        if not pref.connected:
            cells.append(str(row.component + 1))
        table.add_row(*cells)
    return table


def preference_tables(prefs: Mapping[str, TaskPreference]) -> RenderableType:
    """Every task type's Bradley–Terry table, in the mapping's order.

    Args:
        prefs: task type -> fit, as returned by `core.preference.preference_table`.

    Returns:
        The tables and one legend line (noting zero-width intervals when there are any),
        or one line saying there is nothing to compare yet.
    """
    if not prefs:
        return Text("Bradley–Terry: no duel has two ranked or scored runs of different models yet")
    legend = _LEGEND
    if any(m.low is not None and m.low == m.high for p in prefs.values() for m in p.models):
        legend += f"; {_FLAT}"
    return Group(*(task_preference_table(p) for p in prefs.values()), Text(legend, style="dim"))


def separation_lines(seps: Mapping[str, Separation]) -> Text:
    """One line per task type: winner vs runner-up, separated or how many runs would do it.

    Args:
        seps: task type -> verdict, as returned by `core.power.separations`.

    Returns:
        The lines (empty text when there is no route).
    """
    text = Text()
    width = max((len(t) for t in seps), default=0)
    for i, (task_type, sep) in enumerate(seps.items()):
        if i:
            text.append("\n")
        text.append(f"{task_type:<{width}}  ", style="bold")
        pair = sep.winner if sep.runner_up is None else f"{sep.winner} vs {sep.runner_up}"
        text.append(f"{pair}: ")
        text.append(sep.note, style="green" if sep.separated else "yellow")
    return text


def stats_report(
    prefs: Mapping[str, TaskPreference], seps: Mapping[str, Separation]
) -> RenderableType:
    """The Bradley–Terry tables, then the "how sure is the route" lines.

    Args:
        prefs: from `core.preference.preference_table`.
        seps: from `core.power.separations`.

    Returns:
        One renderable for a rich Console (or a Textual Static).
    """
    parts: list[RenderableType] = [preference_tables(prefs)]
    if seps:
        parts += [Text("\nHow sure each route is (Welch t-test, 95 %; runs at 80 % power)"),
                  separation_lines(seps)]  # fmt: skip
    return Group(*parts)


def route_stats_report(
    rows: Iterable[Mapping[str, str]],
    stats: Iterable[CellStats],
    routes: Mapping[str, Route],
    *,
    rng: np.random.Generator | None = None,
) -> RenderableType:
    """Everything a routing report adds from issue 14, from what `route` already has.

    The thin entry point for `modelduel route` and the TUI: fits the Bradley–Terry tables
    (with bootstrap intervals) and tests every route, then renders both.

    Args:
        rows: the rows the routes were computed from: checked (`routing.row_problems`)
            and deduplicated (`routing.dedupe_runs`) already.
        stats: `routing.compute_stats(rows)`.
        routes: `routing.choose_routes(stats, objective)`.
        rng: the bootstrap's generator; default a fixed seed (`BOOTSTRAP_SEED`), so the
            same CSV prints the same intervals.

    Returns:
        The renderable of `stats_report`.

    Raises:
        ValueError: a `rank` cell is not a whole number >= 1 (names the duel).
    """
    generator = np.random.default_rng(BOOTSTRAP_SEED) if rng is None else rng
    prefs = preference_table(rows, rng=generator)
    return stats_report(prefs, separations(stats, routes))
