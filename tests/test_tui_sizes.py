"""Small terminals: every shown pane's score line is on screen, or the app says why not."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelduel.storage import read_rows
from modelduel.tui.app import MIN_HEIGHT, MIN_WIDTH, ModelduelApp
from modelduel.tui.duelscreen import SHORT_HEIGHT
from modelduel.tui.pane import ResponsePane
from tests.test_tui import SPECS, make_app, send, settle


def score_lines_on_screen(app: ModelduelApp) -> list[bool]:
    """For each shown pane: its three stats lines (the score is the last) are in view;
    under SHORT_HEIGHT rows, their one folded line, the score first."""
    area = app.screen.query_one("#panes").region
    lines = 1 if app.size.height < SHORT_HEIGHT else 3
    shown = []
    for pane in app.screen.query(ResponsePane):
        if not pane.display:
            continue
        stats = pane.query_one(".pane-stats").region
        text = str(pane.query_one(".pane-stats").render())
        shown.append(
            stats.height == lines
            and area.contains_region(stats)
            and (text.startswith("score ") if lines == 1 else "score" in text)
        )
    return shown


@pytest.mark.parametrize("size", [(60, 16), (60, 20), (80, 24), (100, 18), (140, 40)])
async def test_the_score_line_is_visible_at_every_accepted_size(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    app, csv_path = make_app(tmp_path)
    async with app.run_test(size=size) as pilot:
        await send(pilot, "x")
        await settle(pilot, app)
        await pilot.pause()
        lines = score_lines_on_screen(app)
        assert lines and all(lines), lines
        await pilot.press("escape", "4", "3", "2")  # focus moves on, tabs included
        await pilot.pause()
        assert all(score_lines_on_screen(app))
        scores = {r["model"]: r["score"] for r in read_rows(csv_path)}
        assert [scores[s] for s in SPECS] == ["4", "3", "2"]  # tabs or grid, keys reach each


async def test_a_narrow_terminal_shows_panes_as_tabs(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)
    async with app.run_test(size=(60, 20)) as pilot:
        await send(pilot, "x")
        await settle(pilot, app)
        await pilot.pause()
        tabs = app.screen.query_one("#pane-tabs")
        assert tabs.display
        shown = str(tabs.render())
        assert all(spec.split("/")[0] in shown for spec in SPECS)  # every tab fits, elided
        assert [p.display for p in app.screen.query(ResponsePane)] == [True, False, False]
        await pilot.press("escape", "right")
        await pilot.pause()
        assert [p.display for p in app.screen.query(ResponsePane)] == [False, True, False]
        assert app.focused is list(app.screen.query(ResponsePane))[1]


@pytest.mark.parametrize("size", [(40, 12), (59, 30), (120, 15)])
async def test_below_the_minimum_the_app_says_so(tmp_path: Path, size: tuple[int, int]) -> None:
    app, _ = make_app(tmp_path)
    async with app.run_test(size=size) as pilot:
        await send(pilot, "x")
        await settle(pilot, app)
        await pilot.pause()
        message = app.screen.query_one("#too-small")
        assert message.display and message.region.height > 0
        assert f"terminal too small (needs {MIN_WIDTH}x{MIN_HEIGHT})" in str(message.render())
        assert app.screen.query_one("#pane-area").region.height == 0
