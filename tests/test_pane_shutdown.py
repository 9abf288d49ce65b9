"""The frame pacer and the tick may wake while the app shuts down (a signal, a quit):
with no screen left they draw nothing instead of raising (a SIGTERM mid-stream printed
"Task exception was never retrieved ... No screens on stack" over the terminal)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any, ClassVar, cast

from textual.app import ScreenStackError

from modelduel.tui import panegrid


class _ShutDownApp(SimpleNamespace):
    screen_stack: ClassVar[tuple[object, ...]] = ()

    @property
    def screen(self) -> object:
        raise ScreenStackError("No screens on stack")


def test_drawing_with_no_screen_left_draws_nothing_and_raises_nothing() -> None:
    app = cast(Any, _ShutDownApp(view=object(), clock=lambda: 0.0, tab_index=0))
    assert panegrid.duel_screen(app) is None
    asyncio.run(panegrid.refresh_pane(app, 0))
    asyncio.run(panegrid.refresh_panes(app))
    panegrid.focus_next_unscored(app, app.view, 0)
