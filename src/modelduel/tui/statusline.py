"""The duel screen's status bar: progress, rank mode, where results go, what is saved."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ScreenStackError
from textual.css.query import NoMatches
from textual.widgets import Static

from modelduel.core.rank_entry import pane_letter
from modelduel.core.suite_progress import duel_scored, recorded_progress, suite_progress

if TYPE_CHECKING:
    from modelduel.tui.app import ModelduelApp

__all__ = ["status_line", "update_status"]


def status_line(app: ModelduelApp) -> Text:
    """The status bar's line for the session as it stands."""
    settings = app.settings
    suite = ""
    if settings.tasks:
        progress = suite_progress(
            settings.tasks,
            app.views,
            app.task_index,
            len(settings.models),
            app.pace,
            app.suite_hints,
        )
        suite = f"{progress}  ·  "
    elif settings.recorded and app.view in app.views:
        assert app.view is not None
        suite = f"{recorded_progress(app.views, app.views.index(app.view), app.pace)}  ·  "
    line = Text(suite)
    view = app.view
    order = app.ranking
    if order is not None and view is not None:
        letters = [pane_letter(i) for i in range(len(view.panes))]
        names = [
            letter if p.label == letter else f"{letter}={p.label}"
            for letter, p in zip(letters, view.panes, strict=True)
        ]
        given = " > ".join(letters[i] for i in order) or "-"
        line.append(
            f"RANK best first: press {' '.join(names)} · backspace takes one back · "
            f"esc ends · order {given}  ·  ",
            "bold",
        )
    elif (settings.tasks or settings.recorded) and duel_scored(view):
        line.append("duel scored: ] next  ·  ", "bold")
    line.append(f"CSV {settings.csv_path}  ·  ")
    tail, problem = app.saves.status_tail()
    line.append(tail, "bold red" if problem else "")
    if app.blind:
        line.append("  BLIND", "bold")
    return line


def update_status(app: ModelduelApp) -> None:
    """The status bar: where results go, what was saved last, blind mode.

    Nothing to do once the screens are gone: a stop signal (or a quit) mid-race ends the
    runs in the app's unmount, after its screens were popped; each end's row is saved,
    and the bar it would update is no longer there.
    """
    try:
        status = app.screen.query_one("#status", Static)
    except (NoMatches, ScreenStackError):  # no status bar (help, report) on top, or no screen
        return
    status.update(status_line(app))
    with contextlib.suppress(NoMatches):  # what ctrl+j does now, beside the prompt
        app.screen.query_one("#prompt-mode", Static).update(app.turns.mode_line())
