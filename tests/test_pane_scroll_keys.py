"""A pane's text scrolls from the keyboard, and a pane keeps following its stream
through layout changes (fresh-eyes run: no key scrolled a pane, and after 40 -> 20 -> 40
rows every pane froze while its answer streamed on)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from modelduel.config import Config, resolve_model
from modelduel.events import Finished, RequestSent, Stamped, TextDelta, Usage
from modelduel.tui.app import AppSettings, ModelduelApp
from modelduel.tui.stream_markdown import PaneBody
from modelduel.tui.wrapped_text import strip_text
from tests.test_tui import ENV, SPECS, T0, ScriptedRunner, send

ITEMS = 400


class SlowRunner(ScriptedRunner):
    """Each model streams ITEMS list items, one every 10 ms; `holds` maps an item's
    number to an event that holds the stream before it."""

    holds: dict[int, asyncio.Event]

    async def _play(self, plan: Any) -> None:
        sink, rid = self.app.sink, plan.run_id
        sink(rid, Stamped(T0, RequestSent(0)))
        for i in range(ITEMS):
            if i in self.holds:
                await self.holds[i].wait()
            line = f"- item{i:04d} some words here\n"
            sink(rid, Stamped(T0 + (i + 1) * 1_000_000, TextDelta(line)))
            await asyncio.sleep(0.01)
        sink(rid, Stamped(T0 + 10**9, Usage(100, 0, 40, 10)))
        sink(rid, Stamped(T0 + 10**9, Finished("stop", "stop")))
        self.app.run_ended(rid)


def _app(tmp_path: Path, holds: dict[int, asyncio.Event]) -> ModelduelApp:
    config = Config()
    models = [resolve_model(spec, config, ENV) for spec in SPECS]
    settings = AppSettings(config=config, models=models, csv_path=tmp_path / "r.csv")

    def runner(app: ModelduelApp) -> SlowRunner:
        made = SlowRunner(app)
        made.holds = holds
        return made

    return ModelduelApp(settings, runner)


def _items(body: PaneBody) -> list[int]:
    lines = (strip_text(body.render_line(y)) for y in range(body.size.height))
    return [int(line.split("item")[1][:4]) for line in lines if "item" in line]


def _shown(app: ModelduelApp) -> int:
    body = app.screen.query(PaneBody).first()
    return body._pending.count("\n")


async def _until(pilot: Any, what: Any) -> None:
    for _ in range(600):
        if what():
            return
        await pilot.pause(0.02)
    raise AssertionError("never happened")


async def test_a_pane_follows_its_stream_through_a_short_layout_and_back(tmp_path: Path) -> None:
    holds = {n: asyncio.Event() for n in (100, 150, 200, 250, 300)}
    app = _app(tmp_path, holds)
    async with app.run_test(size=(140, 40)) as pilot:
        await send(pilot, "go")
        body = None
        for n, rows in zip(holds, (20, 40, 20, 40), strict=False):
            await _until(pilot, lambda n=n: _shown(app) >= n)  # held at item n
            await pilot.pause(0.1)
            body = app.screen.query(PaneBody).first()
            assert n - 1 in _items(body), (n, rows)  # following: the newest item in view
            await pilot.resize_terminal(140, rows)  # 20 rows: the compact layout
            await pilot.pause(0.1)
            holds[n].set()
        await _until(pilot, lambda: _shown(app) >= 300)
        await pilot.pause(0.1)
        assert body is not None and 299 in _items(body)
        holds[300].set()
        await _until(pilot, lambda: app.view is not None and app.view.all_ended)
        await pilot.pause(0.2)
        assert ITEMS - 1 in _items(body)  # and it ended at the end


async def test_scroll_keys_move_the_focused_pane_and_end_follows_again(tmp_path: Path) -> None:
    holds = {n: asyncio.Event() for n in (ITEMS // 2, 3 * ITEMS // 4)}
    app = _app(tmp_path, holds)
    async with app.run_test(size=(140, 40)) as pilot:
        await send(pilot, "go")
        await _until(pilot, lambda: _shown(app) >= ITEMS // 2)  # held half way
        await pilot.pause(0.1)
        await pilot.press("escape")  # the first pane
        body = app.screen.query(PaneBody).first()
        newest = max(_items(body))
        await pilot.press("home")
        assert min(_items(body)) == 0 and body.scroll_offset.y == 0
        await pilot.press("down", "down")
        assert body.scroll_offset.y == 2
        await pilot.press("up")
        assert body.scroll_offset.y == 1
        first = min(_items(body))
        await pilot.press("pagedown")
        assert body.scroll_offset.y == 1 + body.scrollable_content_region.height
        await pilot.press("pageup")
        assert body.scroll_offset.y == 1
        holds[ITEMS // 2].set()  # the stream goes on: the view stays where the user put it
        await _until(pilot, lambda: _shown(app) >= 3 * ITEMS // 4)
        await pilot.pause(0.1)
        assert min(_items(body)) == first
        await pilot.press("end")  # back at the end: followed again
        assert max(_items(body)) >= newest
        holds[3 * ITEMS // 4].set()
        await _until(pilot, lambda: app.view is not None and app.view.all_ended)
        await pilot.pause(0.2)
        assert ITEMS - 1 in _items(body)
