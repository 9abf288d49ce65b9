"""The 10 Hz tick and the frame pacer share compositor passes: a pane whose frame is
about to be drawn gets the tick's figures (header, stats) in that frame, not in a
repaint of its own; the other panes get them at once."""

from __future__ import annotations

import asyncio
from pathlib import Path

from modelduel.tui.pane import ResponsePane
from tests.test_tui import T0, make_app, send


def _header(app: object, index: int) -> str:
    pane = next(p for p in app.screen.query(ResponsePane) if p.index == index)  # type: ignore[attr-defined]
    return pane._header_w._text.plain


async def test_the_tick_leaves_a_pane_about_to_be_drawn_to_its_frame(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path, hold=True)  # the runs stream, then wait to be released
    async with app.run_test(size=(140, 40)) as pilot:
        await send(pilot, "hello")
        for _ in range(50):
            await pilot.pause(0.02)
            if all(app.view.stats(i).status == "streaming" for i in range(3)):  # type: ignore[union-attr]
                break
        await pilot.pause(0.1)
        assert app.pacer.idle
        app.clock = lambda: T0 + 42_000_000_000  # the runs' elapsed time moves on
        app.pacer.poke(0)  # pane 0 has news: its frame is drawn at once
        await app.tick_panes()
        # panes 1 and 2 show the new elapsed time now; pane 0 waits for its frame
        assert "42" in _header(app, 1) and "42" in _header(app, 2)
        assert "42" not in _header(app, 0)
        while not app.pacer.idle:
            await asyncio.sleep(0)
        assert "42" in _header(app, 0)  # drawn by the frame
        app.runner.release.set()  # type: ignore[union-attr]


async def test_a_tick_with_no_frame_coming_shows_every_pane_at_once(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path, hold=True)
    async with app.run_test(size=(140, 40)) as pilot:
        await send(pilot, "hello")
        for _ in range(50):
            await pilot.pause(0.02)
            if all(app.view.stats(i).status == "streaming" for i in range(3)):  # type: ignore[union-attr]
                break
        await pilot.pause(0.1)
        app.clock = lambda: T0 + 42_000_000_000
        await app.tick_panes()
        assert all("42" in _header(app, i) for i in range(3))
        app.runner.release.set()  # type: ignore[union-attr]
