"""The duel's panes on screen: which duel is shown, how the panes share the grid, repaints.

Side by side while each pane has room, else in rows, else tabs (one pane at a time);
below the minimum size the duel screen only says it is too small. Focus goes to the
first pane left to score, and after each score to the next one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.containers import Grid
from textual.css.query import NoMatches
from textual.widgets import Static

from modelduel.core.suite_progress import next_unscored
from modelduel.tui.duelscreen import (
    MIN_HEIGHT,
    MIN_WIDTH,
    PANE_MIN_HEIGHT,
    PANE_MIN_WIDTH,
    DuelScreen,
)
from modelduel.tui.pane import ResponsePane
from modelduel.tui.prompt import PromptEditor
from modelduel.tui.suite import task_info
from modelduel.tui.taskpanel import TaskPanel

if TYPE_CHECKING:
    from modelduel.tui.app import ModelduelApp
    from modelduel.tui.duelview import DuelView

__all__ = ["focus_next_unscored", "layout_panes", "refresh_pane", "refresh_panes", "show_view"]


async def show_view(app: ModelduelApp, view: DuelView) -> None:
    """Put a duel's panes on screen; a recorded duel shows its prompt in the editor."""
    app.view = view
    typing = isinstance(app.focused, PromptEditor)
    grid = app.screen.query_one("#panes", Grid)
    await grid.remove_children()
    panes = [ResponsePane(model, i) for i, model in enumerate(view.panes)]
    await grid.mount_all(panes)
    app.tab_index = 0
    layout_panes(app)
    if view.live is None:
        # what was asked, to score against (sending it again runs a fresh duel)
        app.screen.query_one(PromptEditor).load_text(view.prompt)
        if app.judging is not None:
            app.judging.start_recorded(view)  # a second opinion on the recorded answers
    app.screen.query_one(TaskPanel).show_task(task_info(app, view))
    app.keys.ranking = None
    if not typing and panes:
        # never leave focus wherever removing the old panes put it (the system
        # prompt field, where a score key would overwrite the text): the first
        # pane left to score, so scoring a suite is one key per pane
        first = next_unscored(view, -1)
        target = panes[first if first is not None else 0]
        app.tab_index = target.index
        layout_panes(app)
        app.screen.set_focus(target)
    if view.all_ended:
        app.pace.ready()
    await refresh_panes(app)


def layout_panes(app: ModelduelApp) -> None:
    """Side by side while each pane gets PANE_MIN_WIDTH columns, else in rows, else tabs.

    Panes share the grid while each gets PANE_MIN_WIDTH x PANE_MIN_HEIGHT cells, so
    every pane's score line is on screen; otherwise the panes become tabs, one pane
    at a time (left/right or tab switch). Below MIN_WIDTH x MIN_HEIGHT the screen
    only says it is too small.
    """
    screen = app.screen
    if not isinstance(screen, DuelScreen):
        return  # a modal is on top (it re-flows when the duel screen is back)
    width, height = app.size
    too_small = width < MIN_WIDTH or height < MIN_HEIGHT
    screen.set_class(too_small, "-too-small")
    if too_small:
        # nothing is drawn: typed keys must not score, rank or send a prompt unseen
        screen.set_focus(None)
    grid = screen.query_one("#panes", Grid)
    tabs = screen.query_one("#pane-tabs", Static)
    panes = list(screen.query(ResponsePane))
    n = max(1, len(panes))
    columns = max(1, min(n, width // PANE_MIN_WIDTH))
    rows = -(-n // columns)
    room = screen.query_one("#pane-area").size.height
    tabbed = n > 1 and room > 0 and room // rows < PANE_MIN_HEIGHT
    if tabbed:
        columns = rows = 1
        app.tab_index = min(app.tab_index, n - 1)
    grid.styles.grid_size_columns = columns
    grid.styles.grid_size_rows = rows
    grid.styles.grid_rows = "1fr"
    for pane in panes:
        pane.display = not tabbed or pane.index == app.tab_index
    tabs.display = tabbed
    if tabbed:
        line = Text(no_wrap=True, overflow="ellipsis")
        room = max(3, (width - 4) // n - 3)  # every tab fits, its name elided
        for pane in panes:
            style = "reverse bold" if pane.index == app.tab_index else "dim"
            label = pane.model.label
            if len(label) > room:
                label = label[: room - 1] + "…"
            line.append(f" {label} ", style)
            line.append(" ")
        line.append("left/right: other panes", "dim")
        tabs.update(line)


async def refresh_panes(app: ModelduelApp) -> None:
    """The 10 Hz tick: every pane reads its figures from the meter."""
    view = app.view
    screen = duel_screen(app)
    if view is None or screen is None:
        return
    now = app.clock()
    done = view.all_ended
    for pane in _panes(screen):
        if not _of_view(pane, view):
            continue  # a pane of the duel just left, not yet removed (it may have more panes)
        pane.conversation.update(pane, view.timeline(pane.index), pane.model.hidden and not done)
        await pane.show(view.shown(pane.index, now), done)


def duel_screen(app: ModelduelApp) -> DuelScreen | None:
    """The duel screen when it is the one shown, else None.

    Read from the screen stack, which is empty while the app shuts down (a signal, a
    quit): the frame pacer and the tick may still wake then, and `app.screen` would raise.
    """
    stack = app.screen_stack
    top = stack[-1] if stack else None
    return top if isinstance(top, DuelScreen) else None


async def refresh_pane(app: ModelduelApp, index: int) -> float | None:
    """One pane reads its figures from the meter (the frame pacer's draw).

    Returns the seconds its body took to paint since the pacer last drew it (the pacer
    counts them in the pane's cost), None when the pane is not on screen.
    """
    view = app.view
    screen = duel_screen(app)
    if view is None or screen is None:
        return None
    pane = _pane(screen, index)
    if pane is None or not _of_view(pane, view):
        return None
    done = view.all_ended
    pane.conversation.update(pane, view.timeline(index), pane.model.hidden and not done)
    pane.show_text(view.shown_text(index), done)  # the texts only: no figure computed
    return pane.body.take_paint_s()


def _of_view(pane: ResponsePane, view: DuelView) -> bool:
    """Whether `pane` shows a pane of `view` (when the view changes, the old duel's panes
    stay mounted until they are replaced, and the new view may have fewer)."""
    return pane.index < len(view.panes) and view.panes[pane.index] is pane.model


def _panes(screen: DuelScreen) -> list[ResponsePane]:
    """The panes of the duel on screen: the pane grid's children.

    Not `screen.query(ResponsePane)`: it walked every widget of the screen on each tick
    (a quarter of the tick's time, profiled at three panes of 100 tokens/s).
    """
    try:
        grid = screen.query_one("#panes", Grid)
    except NoMatches:  # the screen is being torn down (a quit, a signal): nothing to draw
        return []
    return [pane for pane in grid.children if isinstance(pane, ResponsePane)]


def _pane(screen: DuelScreen, index: int) -> ResponsePane | None:
    """Pane `index` of the duel on screen: a child of the pane grid.

    Not `screen.query(ResponsePane)`: a query walks and matches every widget of the screen,
    and the pacer asks hundreds of times a second (a sixth of its time, profiled).
    """
    try:
        grid = screen.query_one("#panes", Grid)
    except NoMatches:  # the screen is being torn down (a quit, a signal): nothing to draw
        return None
    for pane in grid.children:
        if isinstance(pane, ResponsePane) and pane.index == index:
            return pane
    return None


def focus_next_unscored(app: ModelduelApp, view: DuelView, after: int) -> None:
    """After a pane is scored, focus moves to the next one left to score."""
    screen = duel_screen(app)
    if screen is None or view is not app.view:
        return
    index = next_unscored(view, after)
    if index is None:
        return  # the duel is scored: the status bar says how to go on
    target = next((p for p in screen.query(ResponsePane) if p.index == index), None)
    if target is not None:
        app.tab_index = index
        layout_panes(app)
        screen.focus_now(target)
