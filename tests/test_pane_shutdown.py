"""The frame pacer and the tick may wake while the app shuts down (a signal, a quit):
with no screen left they draw nothing instead of raising (a SIGTERM mid-stream printed
"Task exception was never retrieved ... No screens on stack" over the terminal)."""

from __future__ import annotations

import asyncio
from pathlib import Path
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


async def test_a_pane_drawn_after_its_grid_is_gone_is_not_there(tmp_path: Path) -> None:
    # the pacer may draw once more while a quit or a signal tears the screen down
    from modelduel.tui.panegrid import refresh_pane
    from tests.test_tui import make_app, send, settle

    app, _ = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await send(pilot, "hello")
        await settle(pilot, app)
        assert await refresh_pane(app, 0) is not None
        await app.screen.query_one("#panes").remove()
        assert await refresh_pane(app, 0) is None
