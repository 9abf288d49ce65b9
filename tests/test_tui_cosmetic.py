"""Pilot tests of what a new user saw cut or covered: stacked notices, a clipped dialog."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from textual.containers import Vertical
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import Button, Label

from modelduel.tui.pane import ResponsePane
from tests.test_tui import make_app, send, settle
from tests.test_tui_saving import scored_duel


async def test_identical_notices_are_not_stacked(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        for _ in range(3):
            app.notify("run NOT saved: the disk is gone", severity="error")
            await pilot.pause()
        for _ in range(2):  # in one burst too
            app.notify("run NOT saved: the disk is gone", severity="error")
        app.notify("something else")
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert messages == ["run NOT saved: the disk is gone", "something else"]


@pytest.mark.parametrize("size", [(140, 40), (80, 24)])
async def test_the_unsaved_quit_dialog_wraps_its_whole_text(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    folder = tmp_path / "results"
    folder.mkdir()
    app, _ = make_app(folder)
    async with app.run_test(size=size) as pilot:
        await scored_duel(pilot, app)
        shutil.rmtree(folder)
        await pilot.press("1", "ctrl+q")
        await pilot.pause()
        assert type(app.screen).__name__ == "UnsavedQuitScreen"
        assert not list(app._notifications)  # the dialog says it: no toast over it
        box = app.screen.query_one(Vertical)
        label = app.screen.query_one(Label)
        assert label.region.right <= box.content_region.right
        lines = label.render_lines(Region(0, 0, label.size.width, label.size.height))
        shown = " ".join("".join(s.text for s in line).strip() for line in lines)
        assert shown.endswith("escape goes back.")
        assert "ctrl+d discards them and quits" in " ".join(shown.split())
        for button in app.screen.query(Button):  # the third one was cut at 80 columns
            assert button.region.right <= box.content_region.right, button.label


def shown_lines(widget: Widget) -> list[str]:
    lines = widget.render_lines(Region(0, 0, widget.size.width, widget.size.height))
    return ["".join(s.text for s in line).rstrip() for line in lines]


@pytest.mark.parametrize("size", [(80, 24), (60, 30), (140, 40)])
async def test_pane_figures_are_dropped_whole_not_cut(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    app, _ = make_app(tmp_path)
    async with app.run_test(size=size) as pilot:
        await send(pilot, "x")
        await settle(pilot, app)
        await pilot.press("escape", "1")
        await app.refresh_panes()
        await pilot.pause()
        for pane in app.screen.query(ResponsePane):
            if not pane.display:
                continue
            lines = [line for line in shown_lines(pane.query_one(".pane-stats")) if line]
            assert lines, pane.model.label
            assert not any("…" in line for line in lines), lines
            assert lines[0].startswith("ttft ") and lines[1].startswith("out ")
            assert "score" in " ".join(lines)
        first = next(p for p in app.screen.query(ResponsePane) if p.display)
        assert "NOT saved" not in str(first.query_one(".pane-stats").render())
