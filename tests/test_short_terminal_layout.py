"""Short terminals (under SHORT_HEIGHT rows): the duel screen folds what is least needed.

At 60x16 the score screen used to leave each pane's body one line (borders, header,
three stats lines, the prompt box, the system prompt and the bars took the rest). Below
SHORT_HEIGHT the screen takes its `-short` breakpoint class and its CSS drops the panes'
top and bottom borders, folds the stats into one line (the score first), the task panel
to its title and a line, the unfocused prompt to a line, and hides the unfocused system
prompt; the score keys stay one `?` away, and a line says so.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.text import Text

from modelduel.tui.duelscreen import SHORT_HEIGHT, DuelScreen
from modelduel.tui.pane import ResponsePane
from modelduel.tui.prompt import PromptEditor
from modelduel.tui.screens import HelpScreen
from modelduel.tui.short_stats import Figure, fit_line, fold_figures
from tests import test_tui
from tests.test_history_reopen_view import LONG
from tests.test_recorded_text_shown import reopened
from tests.test_tui import make_app, send, settle


def shown_panes(app: object) -> list[ResponsePane]:
    return [p for p in app.screen.query(ResponsePane) if p.display]  # type: ignore[attr-defined]


def score_line_in_view(pane: ResponsePane) -> bool:
    stats = pane.query_one(".pane-stats")
    area = pane.screen.query_one("#panes").region
    return area.contains_region(stats.region) and str(stats.render()).startswith("score ")


async def _score_screen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> object:
    for model_id, (ttft_ms, _) in list(test_tui.SCRIPT.items()):
        monkeypatch.setitem(test_tui.SCRIPT, model_id, (ttft_ms, LONG))
    first, csv_path = make_app(tmp_path)
    async with first.run_test(size=size) as pilot:
        await send(pilot, "first prompt")
        await settle(pilot, first)
    return reopened(csv_path, blind=False)


async def test_at_60x16_the_score_screen_gives_each_pane_body_room(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = await _score_screen(tmp_path, monkeypatch, (60, 16))
    async with app.run_test(size=(60, 16)) as pilot:  # type: ignore[attr-defined]
        await pilot.pause(0.3)
        screen = app.screen  # type: ignore[attr-defined]
        assert screen.has_class("-short")
        for key, lines in (("i", 6), ("escape", 8)):  # the prompt, then the panes
            await pilot.press(key)
            await pilot.pause(0.2)
            prompt_focused = isinstance(app.focused, PromptEditor)  # type: ignore[attr-defined]
            assert prompt_focused == (key == "i")
            assert screen.query_one("#prompt-row").region.height == (3 if prompt_focused else 1)
            (pane,) = shown_panes(app)
            assert pane.body.size.height >= lines, key  # 1 before
            assert score_line_in_view(pane), str(pane.query_one(".pane-stats").render())
            assert screen.query_one("#task-panel").region.height >= 1  # what was asked
        # where the keys are, on screen in the short layout
        assert "?: keys" in str(screen.query_one("#short-hint").render())
        assert screen.query_one("#short-hint").region.height == 1
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)  # type: ignore[attr-defined]


async def test_at_60x16_a_racing_pane_shows_lines_of_its_answer(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path, hold=True)
    async with app.run_test(size=(60, 16)) as pilot:
        await send(pilot, "x")
        await pilot.pause(0.3)
        assert isinstance(app.focused, PromptEditor)  # focus stays where the prompt was typed
        (pane,) = shown_panes(app)
        assert pane.body.size.height >= 6  # 2 before
        assert app.screen.query_one("#prompt-row").region.height == 3  # the box, to type
        app.runner.release.set()  # type: ignore[attr-defined]
        await settle(pilot, app)


async def test_the_short_layout_follows_the_height_both_ways(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await send(pilot, "x")
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, DuelScreen)
        assert not screen.has_class("-short")
        (stats_height,) = {p.query_one(".pane-stats").region.height for p in shown_panes(app)}
        assert stats_height == 3
        await pilot.resize_terminal(80, SHORT_HEIGHT - 1)
        await pilot.pause(0.3)
        assert screen.has_class("-short")
        assert {p.query_one(".pane-stats").region.height for p in shown_panes(app)} == {1}
        assert all(score_line_in_view(p) for p in shown_panes(app))
        await pilot.resize_terminal(80, SHORT_HEIGHT)
        await pilot.pause(0.3)
        assert not screen.has_class("-short")
        assert {p.query_one(".pane-stats").region.height for p in shown_panes(app)} == {3}


async def test_a_resize_under_the_help_reaches_the_duel_screen(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await send(pilot, "x")
        await settle(pilot, app)
        screen = app.screen
        await pilot.press("escape", "question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.resize_terminal(60, 16)
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause(0.3)
        assert app.screen is screen
        assert screen.has_class("-short") and not screen.has_class("-compact")
        assert all(score_line_in_view(p) for p in shown_panes(app))


def test_folded_stats_put_the_score_first_and_keep_every_line() -> None:
    def line(*parts: tuple[str, int]) -> list[Figure]:
        return [Figure(Text(text), keep) for text, keep in parts]

    stats = [
        line(("ttft 0.80s", 3)),
        line(("out 390", 3), ("$0.0119", 2)),
        line(("score 4/5", 9), ("saved", 2)),
        line(("checks ✓ schema", 6)),
    ]
    folded = fit_line(fold_figures(stats), 200)
    assert folded.plain == "score 4/5  saved · ttft 0.80s · out 390  $0.0119 · checks ✓ schema"
    assert folded.no_wrap and folded.overflow == "ellipsis"  # not wrapped
    # narrower: the least kept figures go whole, the score stays
    assert fit_line(fold_figures(stats), 40).plain == "score 4/5 · ttft 0.80s · checks ✓ schema"
