"""Rich renderables of the routing statistics: Bradley–Terry tables and how sure each route is.

Shared by `modelduel route` and the TUI's routing report (rich only, no Textual): the
callers compute `core.preference.preference_table` and `core.power.separations` and print
`stats_report(...)`. Every figure comes from those computations; the runs estimate is a
power estimate, marked "~". Their JSON for `route --json` is `modelduel.report_json`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from modelduel.core.power import Separation, separations
from modelduel.core.preference import CodedRuns, ModelStrength, TaskPreference, preference_table
from modelduel.core.routing import CellStats, Route, plural

__all__ = [
    "BOOTSTRAP_SEED",
    "MIN_DUELS",
    "models_by_type",
    "preference_tables",
    "route_statistics",
    "route_stats_report",
    "separation_lines",
    "stats_report",
    "strength_note",
    "task_preference_table",
]

# Fixed so that `modelduel route` prints the same intervals for the same CSV.
BOOTSTRAP_SEED = 14

MIN_DUELS = 3
"""A model needs comparisons in this many duels before its strength is shown: with one
or two duels the prior decides most of the figure and the bootstrap interval is
meaningless (a resample can only redraw the same one or two duels)."""

_LEGEND = (
    "strength: log Bradley–Terry strength, 0 = the task type's geometric mean, +0.69 = twice"
    " as strong; 95% CI: bootstrap over whole duels; comparisons: pairs of runs of two"
    " models in one duel, decided by rank when either is ranked (an unranked run is below"
    " a ranked one), else by score (ties half)"
)
_NOTHING = (
    "Bradley–Terry: no duel has two ranked or scored runs of different models yet (runs "
    "without a duel_id, e.g. hand-written rows, cannot be paired)"
)
_FLAT = "a zero-width interval: every resample agreed (too few duels to show their noise)"


def _signed(x: float) -> str:
    # `or 0.0` turns a rounded -0.0 into +0.00: a fit's -1e-12 is not a negative strength.
    return f"{round(x, 2) or 0.0:+.2f}"


def strength_note(row: ModelStrength, pref: TaskPreference) -> tuple[bool, str]:
    """Whether a model's strength can be shown, and the note that goes with it.

    Args:
        row: one model of the table.
        pref: its task type's table (for the prior).

    Returns:
        (shown, note): shown is False when the data is too thin (fewer than `MIN_DUELS`
        duels) or the fit has no finite answer (an undefeated or winless model without a
        prior); the note says which, or that the prior holds an undefeated or winless
        model's strength finite (its maximum likelihood strength is infinite). "" when
        there is nothing to say.
    """
    undefeated = row.games > 0 and row.wins >= row.games
    winless = row.games > 0 and row.wins <= 0
    record = "undefeated" if undefeated else "never won" if winless else ""
    if row.duels < MIN_DUELS:
        return False, f"too few duels ({row.duels} of {MIN_DUELS})"
    if record and pref.prior_games <= 0:
        return False, f"{record}: no finite strength (the fit diverges)"
    if record:
        return True, f"{record}: held finite by the prior ({pref.prior_games:g} virtual game)"
    return True, ""


def _interval(row: ModelStrength) -> str:
    if row.low is None or row.high is None:
        return "—"
    return f"[{_signed(row.low)}, {_signed(row.high)}]"


def _sources(pref: TaskPreference) -> str:
    total = plural(pref.by_rank + pref.by_score, "comparison")
    if pref.by_rank == 0:
        return f"{total}, all from score differences (no rank yet)"
    if pref.by_score == 0:
        return f"{total}, all from rank"
    return f"{total}: {pref.by_rank} by rank, {pref.by_score} by score"


def task_preference_table(pref: TaskPreference) -> RenderableType:
    """One task type's Bradley–Terry table: model, strength, 95 % CI, comparisons, duels.

    Args:
        pref: one task type from `core.preference.preference_table`.

    Returns:
        A heading (the task type and where its comparisons came from) and a table, strongest
        model first; a model with too little data says so instead of a number (see
        `strength_note`); a comparison graph in separate parts gets a `part` column and a
        caption (strengths across parts are not comparable: each part is only pulled
        towards the reference by the prior).
    """
    # A heading line of its own, not the table's title: rich wraps a title to the table.
    heading = Text(f"{pref.task_type} · Bradley–Terry · {plural(pref.duels, 'duel')}, "
                   f"{_sources(pref)}", style="bold")  # fmt: skip
    caption = None
    if not pref.connected:
        parts = max(r.component for r in pref.models) + 1
        caption = f"{parts} parts, never compared across"
    table = Table(caption=caption, caption_justify="left")
    table.add_column("model")
    table.add_column("strength", justify="right")
    table.add_column("95% CI", justify="right")
    table.add_column("comparisons", justify="right")
    table.add_column("duels", justify="right")
    if not pref.connected:
        table.add_column("part", justify="right")
    notes = [strength_note(row, pref) for row in pref.models]
    if any(note for _, note in notes):
        table.add_column("note")
    for row, (shown, note) in zip(pref.models, notes, strict=True):
        strength = _signed(row.strength) if shown else "—"
        interval = _interval(row) if shown else "—"
        cells: list[RenderableType] = [
            row.model,
            strength,
            interval,
            str(row.games),
            str(row.duels),
        ]
        if not pref.connected:
            cells.append(str(row.component + 1))
        if any(n for _, n in notes):
            cells.append(Text(note, style="yellow" if note else ""))
        table.add_row(*cells)
    return Group(heading, table)


def _missing_line(task_type: str, models: Sequence[str]) -> str:
    if len(models) == 1:
        return f"{task_type} · Bradley–Terry: only one model ({models[0]}): nothing to compare"
    return (
        f"{task_type} · Bradley–Terry: no duel has two ranked or scored runs of different "
        "models (runs without a duel_id cannot be paired)"
    )


def preference_tables(
    prefs: Mapping[str, TaskPreference],
    models_by_type: Mapping[str, Sequence[str]] | None = None,
) -> RenderableType:
    """Every task type's Bradley–Terry table, in task-type order.

    Args:
        prefs: task type -> fit, as returned by `core.preference.preference_table`.
        models_by_type: the task types the report covers and their models; a type without
            a fit gets one line saying why (one model only, or no pairable duel).

    Returns:
        The tables and one legend line (noting zero-width intervals when there are any),
        or one line saying there is nothing to compare yet.
    """
    missing = {t: m for t, m in (models_by_type or {}).items() if t not in prefs}
    if not prefs:
        # One line for the whole report, plus the types that could never have a table.
        lines = [Text(_missing_line(t, m), style="dim") for t, m in missing.items() if len(m) == 1]
        return Group(Text(_NOTHING), *lines)
    legend = _LEGEND
    if any(
        m.low is not None and m.low == m.high and strength_note(m, p)[0]
        for p in prefs.values()
        for m in p.models
    ):
        legend += f"; {_FLAT}"
    parts: list[RenderableType] = []
    for task_type in sorted({*prefs, *missing}):
        if task_type in prefs:
            parts.append(task_preference_table(prefs[task_type]))
        else:
            parts.append(Text(_missing_line(task_type, missing[task_type]), style="dim"))
    return Group(*parts, Text(legend, style="dim"))


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
    prefs: Mapping[str, TaskPreference],
    seps: Mapping[str, Separation],
    models_by_type: Mapping[str, Sequence[str]] | None = None,
) -> RenderableType:
    """The Bradley–Terry tables, then the "how sure is the route" lines.

    Args:
        prefs: from `core.preference.preference_table`.
        seps: from `core.power.separations`.
        models_by_type: see `preference_tables`.

    Returns:
        One renderable for a rich Console (or a Textual Static).
    """
    parts: list[RenderableType] = [preference_tables(prefs, models_by_type)]
    if seps:
        parts += [Text("\nHow sure each route is (Welch t-test, 95 %; runs at 80 % power)"),
                  separation_lines(seps)]  # fmt: skip
    return Group(*parts)


def route_statistics(
    rows: Iterable[Mapping[str, str]] | CodedRuns,
    stats: Iterable[CellStats],
    routes: Mapping[str, Route],
    *,
    rng: np.random.Generator | None = None,
) -> tuple[dict[str, TaskPreference], dict[str, Separation]]:
    """The Bradley–Terry tables (with bootstrap intervals) and every route's verdict.

    Args:
        rows: the rows the routes were computed from: checked (`routing.row_problems`)
            and deduplicated (`routing.dedupe_runs`) already; or those rows coded
            (`RunTable.coded_runs`), which is what `route` passes.
        stats: `routing.compute_stats(rows)`.
        routes: `routing.choose_routes(stats, objective)`.
        rng: the bootstrap's generator; default a fixed seed (`BOOTSTRAP_SEED`), so the
            same CSV prints the same intervals.

    Returns:
        (task type -> Bradley–Terry table, task type -> separation verdict).

    Raises:
        ValueError: a `rank` cell is not a whole number >= 1 (names the duel).
    """
    generator = np.random.default_rng(BOOTSTRAP_SEED) if rng is None else rng
    return preference_table(rows, rng=generator), separations(stats, routes)


def models_by_type(stats: Iterable[CellStats]) -> dict[str, list[str]]:
    """Task type -> its models (sorted), from the routing cells."""
    out: dict[str, list[str]] = {}
    for cell in stats:
        out.setdefault(cell.task_type, []).append(cell.model)
    return {t: sorted(m) for t, m in sorted(out.items())}


def route_stats_report(
    rows: Iterable[Mapping[str, str]],
    stats: Iterable[CellStats],
    routes: Mapping[str, Route],
    *,
    rng: np.random.Generator | None = None,
) -> RenderableType:
    """The report's sections beyond the routes (preference, separation), from what `route` has.

    Args:
        rows, stats, routes, rng: as for `route_statistics`.

    Returns:
        The renderable of `stats_report`.

    Raises:
        ValueError: a `rank` cell is not a whole number >= 1 (names the duel).
    """
    cells = list(stats)
    prefs, seps = route_statistics(rows, cells, routes, rng=rng)
    return stats_report(prefs, seps, models_by_type(cells))
