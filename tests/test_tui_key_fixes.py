"""Keys that did not do what the key table says.

- escape and a key in one terminal write (`send-keys Escape 4`) were read as alt+key
  (or as a macOS option character, `¢`) and typed into the prompt instead of scoring;
- ctrl+c while the models stream said how to quit instead of cancelling the race;
- after the terminal was too small and grew back, nothing had focus;
- the first `q` gave Q0 while the first `c`, `f`, `w` gave 1: now every part starts at
  its best value;
- `enter` on a half-set rubric wrote the unset parts as the person's 0s.

Escape keys go through the parser the terminal driver uses (`linux_driver.XTermParser`),
fed the bytes one terminal write delivers.
"""

from __future__ import annotations

from pathlib import Path

from textual.drivers import linux_driver
from textual.selection import Selection

from modelduel.core.scoring import Score
from modelduel.storage import read_rows
from modelduel.tui.app import ModelduelApp
from modelduel.tui.pane import ResponsePane
from modelduel.tui.pane_lines import HeaderLine
from modelduel.tui.prompt import PromptEditor
from tests.test_tui import SPECS, make_app, send, settle
from tests.test_tui_keys import drain


def feed_terminal(app: ModelduelApp, data: str) -> None:
    """What the driver's input thread does with one read of the terminal."""
    parser = linux_driver.XTermParser()
    for event in [*parser.feed(data), *parser.feed("")]:
        app.post_message(event)


async def test_escape_then_a_score_key_in_one_write_leaves_the_prompt_and_scores(
    tmp_path: Path,
) -> None:
    app, csv_path = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await send(pilot, "x")
        await settle(pilot, app)
        assert isinstance(app.focused, PromptEditor)
        feed_terminal(app, "\x1b4")  # read alone, ESC 4 is macOS option+4: `¢`
        await drain(pilot)
        assert "¢" not in app.screen.query_one(PromptEditor).text
        scores = {r["model"]: r["score"] for r in read_rows(csv_path)}
        assert scores[SPECS[0]] == "4"


async def test_escape_then_a_rubric_letter_in_one_write_is_two_keys(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await send(pilot, "x")
        await settle(pilot, app)
        feed_terminal(app, "\x1bc")  # alt+c to the parser
        await drain(pilot)
        assert app.screen.query_one(PromptEditor).text == ""
        pane = app.screen.query(ResponsePane).first()
        assert pane.model.score.correctness == 1


async def test_ctrl_c_while_the_models_stream_cancels_the_race(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path, hold=True)
    async with app.run_test(size=(140, 40)) as pilot:
        await send(pilot, "x")
        for _ in range(10):
            await pilot.pause(0.02)
        runner = app.runner
        calls: list[str] = []
        original = runner.cancel_all  # type: ignore[union-attr]

        async def cancel_all() -> None:
            calls.append("cancel_all")
            await original()

        runner.cancel_all = cancel_all  # type: ignore[method-assign,union-attr]
        assert app.view is not None and not app.view.all_ended
        await pilot.press("ctrl+c")  # from the prompt, which has focus after sending
        await pilot.pause()
        assert calls == ["cancel_all"]
        await settle(pilot, app)
        await pilot.press("escape", "ctrl+c")  # idle: only the hint, no cancel
        await pilot.pause()
        assert calls == ["cancel_all"]
        assert app.is_running


async def test_ctrl_c_with_text_selected_by_mouse_copies_and_cancels_nothing(
    tmp_path: Path,
) -> None:
    app, _ = make_app(tmp_path, hold=True)
    async with app.run_test(size=(140, 40)) as pilot:
        await send(pilot, "x")
        for _ in range(10):
            await pilot.pause(0.02)
        calls: list[str] = []
        runner = app.runner

        async def cancel_all() -> None:
            calls.append("cancel_all")

        runner.cancel_all = cancel_all  # type: ignore[method-assign,union-attr]
        pane = app.screen.query(ResponsePane).first()
        header = pane.query_one(HeaderLine)
        app.screen.selections = {header: Selection(None, None)}  # as a drag over it does
        assert app.view is not None and not app.view.all_ended
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert calls == []  # the race goes on
        assert pane.model.spec in app.clipboard


async def test_focus_comes_back_after_the_terminal_was_too_small(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await send(pilot, "x")
        await settle(pilot, app)
        await pilot.press("escape", "right")
        await pilot.pause()
        before = app.focused
        assert isinstance(before, ResponsePane) and before.index == 1
        await pilot.resize_terminal(50, 12)
        await pilot.pause()
        assert app.screen.has_class("-too-small")
        await pilot.resize_terminal(140, 40)
        for _ in range(3):
            await pilot.pause()
        assert app.focused is before


def test_the_first_press_of_every_rubric_part_gives_its_best_value() -> None:
    score = Score().cycle_quality().toggle_correctness().toggle_format().toggle_rework()
    assert (score.quality, score.correctness, score.format, score.rework) == (2, 1, 1, 1)
    assert [s.quality for s in _presses(Score.cycle_quality, 4)] == [2, 1, 0, 2]
    assert [s.correctness for s in _presses(Score.toggle_correctness, 3)] == [1, 0, 1]


def _presses(key: object, n: int) -> list[Score]:
    out, score = [], Score()
    for _ in range(n):
        score = key(score)  # type: ignore[operator]
        out.append(score)
    return out


async def test_enter_on_a_half_set_rubric_records_only_the_parts_the_person_set(
    tmp_path: Path,
) -> None:
    app, csv_path = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await send(pilot, "x")
        await settle(pilot, app)
        await pilot.press("escape", "c", "f", "enter")
        await pilot.pause()
    row = {r["model"]: r for r in read_rows(csv_path)}[SPECS[0]]
    assert row["score"] == "2"  # unset parts count 0 in the total
    assert (row["correctness"], row["format"]) == ("1", "1")
    assert (row["quality"], row["rework"]) == ("", "")  # never set: not written as 0s
    assert row["parts_source"] == "correctness=person format=person"
    again = Score.from_row(row)
    assert again.total == 2 and again.quality is None and again.correctness == 1
