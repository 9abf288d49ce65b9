"""What the duel screen opens on a key or from the palette: history, routing report,
session export, and the key list for help."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING

from textual.binding import Binding

from modelduel.core.routing import choose_routes, compute_stats, plural
from modelduel.display import simulated_note
from modelduel.errors import CsvError, ModelduelError
from modelduel.storage import read_rows, read_transcripts
from modelduel.tui.duelscreen import DuelScreen
from modelduel.tui.prompt import PromptEditor, SystemPromptInput
from modelduel.tui.screens import HistoryEntry, HistoryScreen, ReportScreen

if TYPE_CHECKING:
    from pathlib import Path

    from modelduel.tui.app import ModelduelApp
    from modelduel.tui.duelview import DuelView

__all__ = ["export_session", "key_rows", "open_history", "open_report", "veiled_runs"]


def _pane_word(view: DuelView, index: int) -> str:
    """A pane's score in the history: a cancelled run says so (its score never counts)."""
    score = view.panes[index].score
    if not view.cancelled(index):
        return score.describe()
    if score.is_scored or score.is_partial:  # an older row's: shown, and said not counted
        return f"cancelled ({score.describe()} not counted)"
    return "cancelled"


def open_history(app: ModelduelApp) -> None:
    """The duels of this session (and of the CSV at start), newest first."""
    entries = [
        HistoryEntry(
            str(i),
            (v.prompt.strip().splitlines() or [v.task_id])[0][:80],
            "  ".join(
                f"{p.label if p.hidden else p.spec}: {_pane_word(v, j)}"
                for j, p in enumerate(v.panes)
            ),
        )
        for i, v in enumerate(app.views)
    ]

    async def opened(key: str | None) -> None:
        if key is not None:
            await app.show_view(app.views[int(key)])

    app.push_screen(HistoryScreen(entries), opened)
    problem = _bad_row(app.settings.csv_path)
    if problem:  # its duel is listed as the row reads leniently (a bad score: unscored)
        app.notify(f"{problem}; history shows that row as unscored", severity="warning", timeout=15)


_CLI_HINT = " (--skip-bad-rows leaves such rows out)"


def _bad_row(path: Path) -> str:
    """The complaint `modelduel route` makes about the CSV's first bad row, with the fix
    ("" when every row is good or there is no file). Read without repairing anything."""
    from modelduel.core.routing_rows import load_route_rows  # noqa: PLC0415  ~8 ms off launch

    if not path.exists():
        return ""
    try:
        load_route_rows([path], check_timestamp=False, warn=lambda _: None)
    except CsvError as exc:
        return _complaint(exc)
    except OSError as exc:
        return f"cannot read {path}: {exc}"
    return ""


def _complaint(exc: CsvError) -> str:
    """`modelduel route`'s one line on a bad file, its fix said for the app's user."""
    text = str(exc)
    if not text.endswith(_CLI_HINT):
        return text  # the file itself (missing, a core column lacking)
    return (
        f"{text.removesuffix(_CLI_HINT)}: fix or delete that row"
        " (`modelduel route --skip-bad-rows` leaves such rows out)"
    )


def open_report(app: ModelduelApp) -> None:
    """The routing report over the results CSV (scored rows only)."""
    # the report's renderables and row loader load at the first ctrl+r
    from modelduel.core.routing_rows import load_route_rows  # noqa: PLC0415  ~8 ms off launch
    from modelduel.report import NO_SCORED_RUNS, render_report  # noqa: PLC0415  rich.columns, html: off launch

    path = app.settings.csv_path
    if not path.exists():
        app.notify("no results yet: score some runs first", severity="warning")
        return
    try:
        # a bad row is refused as `modelduel route` refuses it (notices: not on stderr,
        # which would draw over the screen)
        loaded = load_route_rows([path], check_timestamp=False, warn=lambda _: None)
    except CsvError as exc:
        app.notify(_complaint(exc), severity="error", timeout=15)
        return
    except OSError as exc:
        app.notify(f"cannot read {path}: {exc}", severity="error")
        return
    # Blind: a duel whose names are still hidden stays out of the report, or a score just
    # given would appear beside its model's name and cost (A scored 5 -> the 5 is gpt's).
    veiled = veiled_runs(app)
    rows = [r for r in loaded.rows if not _in(r, veiled)]
    stats = compute_stats(rows, 4)
    if not stats:
        waiting = len(rows) < len(loaded.rows)
        app.notify(
            f"{NO_SCORED_RUNS} (the blind duel's runs join once names are revealed)"
            if waiting
            else NO_SCORED_RUNS,
            severity="warning",
        )
        return
    routes = choose_routes(stats, "quality-per-cost")
    report = render_report(
        stats,
        routes,
        objective="quality-per-cost",
        success_score=4,
        simulated=simulated_note(rows),
        rows=rows,
    )
    title = f"Routing report: {path}"
    if len(rows) < len(loaded.rows):
        title += " (without the blind duel: its runs join once names are revealed)"
    app.push_screen(ReportScreen(report, title))


def veiled_runs(app: ModelduelApp) -> tuple[set[str], set[str]]:
    """(duel ids, run ids) of every duel with a pane whose name is still hidden (blind)."""
    duels: set[str] = set()
    runs: set[str] = set()
    for view in app.views:
        if not any(p.hidden for p in view.panes):
            continue
        duels.add(view.duel_id)
        duels.update(duel.duel_id for duel, _ in view.reruns.values())
        runs.update(view.run_id(i) for i in range(len(view.panes)))
        runs.update(r.get("run_id") or "" for r in view.rows)
    runs.discard("")
    duels.discard("")
    return duels, runs


def _in(row: Mapping[str, str], veiled: tuple[set[str], set[str]]) -> bool:
    duels, runs = veiled
    return (row.get("duel_id") or "") in duels or (row.get("run_id") or "") in runs


def export_session(app: ModelduelApp) -> None:
    """Write this session's runs to a CSV file of their own, beside the results CSV."""
    # the export writers load at the first export
    from modelduel.storage.export import export_rows  # noqa: PLC0415  ~5 ms off launch

    # every run of the session, re-run ones included, and the recorded duels shown
    run_ids = set(app.runs)
    run_ids.update(r.get("run_id") or "" for v in app.views for r in v.rows)
    csv_path = app.settings.csv_path
    rows = [r for r in read_rows(csv_path) if r.get("run_id") in run_ids]
    # a blind duel not yet revealed stays out: the file would name its panes' models
    veiled = veiled_runs(app)
    shown = [r for r in rows if not _in(r, veiled)]
    held = len(rows) - len(shown)
    rows = shown
    if not rows:
        # as `modelduel export` does: say why, and write no header-only file
        app.notify(_nothing_to_export(held, csv_path), severity="warning", timeout=10)
        return
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = csv_path.with_name(f"modelduel-session-{stamp}.csv")
    try:
        export_rows(rows, read_transcripts(csv_path), target, "csv", False)
    except ModelduelError as exc:  # the file cannot be written (names it and why)
        app.notify(f"export failed: {exc}", severity="error")
        return
    left_out = f" ({plural(held)} of the blind duel left out until names are revealed)"
    app.notify(f"exported {plural(len(rows))} to {target}{left_out if held else ''}")


def _nothing_to_export(held: int, csv_path: Path) -> str:
    """Why a session export found nothing to write."""
    if held:
        return (
            f"nothing exported: {plural(held)} of a blind duel not fully scored stay out "
            "until names are revealed (score every pane, then export)"
        )
    return f"nothing exported: no run of this session is in {csv_path} yet"


def key_rows(app: ModelduelApp) -> list[tuple[str, str, str]]:
    """(key, description, id) of every binding, as currently mapped."""
    rows: list[tuple[str, str, str]] = []
    bindings = [
        *DuelScreen.BINDINGS,
        *PromptEditor.BINDINGS,
        *SystemPromptInput.BINDINGS,
        *app.BINDINGS,
    ]
    keymap = dict(app.settings.config.keymap)
    for binding in bindings:
        if not isinstance(binding, Binding):
            continue
        keys = keymap.get(binding.id or "", binding.key)
        shown = ", ".join(app.get_key_display(Binding(k.strip(), "")) for k in keys.split(","))
        what = binding.description or binding.action
        if binding.action.startswith("score("):
            what = f"score {binding.action[6:-1]}"
        rows.append((shown, what, binding.id or ""))
    return rows
