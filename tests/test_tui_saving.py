"""Pilot tests of what the duel screen says is saved, against the CSV on disk."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from textual.widgets import Input, Label

from modelduel.storage import read_rows
from modelduel.tui.app import ModelduelApp
from modelduel.tui.pane import ResponsePane
from tests.test_tui import SPECS, make_app, send, settle


def pane_stats(app: ModelduelApp, index: int) -> str:
    pane = list(app.screen.query(ResponsePane))[index]
    return str(pane.query_one(".pane-stats").render())


def status(app: ModelduelApp) -> str:
    return str(app.screen.query_one("#status").render())


def scores(csv_path: Path) -> dict[str, str]:
    return {r["model"]: r["score"] for r in read_rows(csv_path)}


async def scored_duel(pilot: Any, app: ModelduelApp) -> None:
    await send(pilot, "x")
    await settle(pilot, app)
    await pilot.press("escape")


async def test_a_score_that_fails_to_save_stays_unsaved_until_it_is_written(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "results"
    folder.mkdir()
    app, csv_path = make_app(folder)
    async with app.run_test(size=(140, 40)) as pilot:
        await scored_duel(pilot, app)
        await pilot.press("5")
        await app.refresh_panes()
        assert "saved" in pane_stats(app, 0) and "NOT saved" not in pane_stats(app, 0)
        folder.rename(folder.with_name("away"))  # the CSV and its directory move away mid-session
        await pilot.press("left", "4")  # focus had moved on: back to the first pane
        await app.refresh_panes()
        await pilot.pause()
        assert "NOT saved" in pane_stats(app, 0)
        assert "NOT saved" in status(app) and "s retries" in status(app)
        await pilot.press("s")  # still gone: still unsaved
        await app.refresh_panes()
        assert "NOT saved" in pane_stats(app, 0)
        folder.with_name("away").rename(folder)
        await pilot.press("right", "3")  # the next write retries the pending one first
        await app.refresh_panes()
        await pilot.pause()
        assert scores(csv_path) == {SPECS[0]: "4", SPECS[1]: "3", SPECS[2]: ""}
        assert "NOT saved" not in pane_stats(app, 0) and "saved" in pane_stats(app, 0)
        assert "NOT saved" not in status(app)


async def test_the_retry_key_writes_a_pending_score(tmp_path: Path) -> None:
    folder = tmp_path / "results"
    folder.mkdir()
    app, csv_path = make_app(folder)
    async with app.run_test(size=(140, 40)) as pilot:
        await scored_duel(pilot, app)
        folder.rename(folder.with_name("away"))
        await pilot.press("2")
        folder.with_name("away").rename(folder)
        await pilot.press("s")
        await app.refresh_panes()
        assert scores(csv_path) == {SPECS[0]: "2", SPECS[1]: "", SPECS[2]: ""}
        assert "NOT saved" not in pane_stats(app, 0)


async def test_quitting_with_an_unsaved_score_asks_and_can_save_elsewhere(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "results"
    folder.mkdir()
    app, _ = make_app(folder)
    rescue = tmp_path / "rescue.csv"
    async with app.run_test(size=(140, 40)) as pilot:
        await scored_duel(pilot, app)
        shutil.rmtree(folder)
        await pilot.press("1", "ctrl+q")
        await pilot.pause()
        assert type(app.screen).__name__ == "UnsavedQuitScreen"
        assert app.is_running
        await pilot.press("escape")  # back to the app: nothing lost
        assert type(app.screen).__name__ == "DuelScreen" and app.ledger.pending
        await pilot.press("ctrl+q")
        await pilot.pause()
        field = app.screen.query_one("#elsewhere")
        field.value = str(rescue)  # type: ignore[attr-defined]
        await pilot.click("#save")
        await pilot.pause()
    assert scores(rescue) == {SPECS[0]: "1"}
    assert read_rows(rescue)[0]["output_tokens"] == "40"  # the full row, not just the score


async def test_quitting_with_an_unsaved_score_can_discard_knowingly(tmp_path: Path) -> None:
    folder = tmp_path / "results"
    folder.mkdir()
    app, _ = make_app(folder)
    async with app.run_test(size=(140, 40)) as pilot:
        await scored_duel(pilot, app)
        shutil.rmtree(folder)
        await pilot.press("1", "ctrl+q")
        await pilot.pause()
        field = app.screen.query_one("#elsewhere", Input)
        await pilot.press("ctrl+u", "/", "d", "i", "r")  # letters edit the path, no choice
        await pilot.pause()
        assert app.is_running and field.value == "/dir"
        await pilot.press("ctrl+d")
        await pilot.pause()
        assert not app.is_running  # quit by the choice, not by the end of the test
    assert app.recovery_note == "1 unsaved run discarded, as asked: not saved anywhere"


async def test_quitting_writes_a_pending_score_when_the_file_is_back(tmp_path: Path) -> None:
    folder = tmp_path / "results"
    folder.mkdir()
    app, csv_path = make_app(folder)
    async with app.run_test(size=(140, 40)) as pilot:
        await scored_duel(pilot, app)
        folder.rename(folder.with_name("away"))
        await pilot.press("3")
        folder.with_name("away").rename(folder)
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert scores(csv_path) == {SPECS[0]: "3", SPECS[1]: "", SPECS[2]: ""}


async def test_a_half_done_rubric_writes_no_score_and_a_key_clears_one(tmp_path: Path) -> None:
    app, csv_path = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await scored_duel(pilot, app)
        await pilot.press("q", "q", "c")  # quality 1, correct: format and rework unset
        row = {r["model"]: r for r in read_rows(csv_path)}
        first = row[SPECS[0]]
        assert (first["score"], first["quality"], first["correctness"]) == ("", "1", "1")
        await app.refresh_panes()
        assert "unscored" in pane_stats(app, 0)
        await pilot.press("enter")  # confirm: unset parts count 0
        assert scores(csv_path)[SPECS[0]] == "2"
        # confirmed, the first pane is scored and the focus moved on to the second
        await pilot.press("4", "left", "backspace")
        first = {r["model"]: r for r in read_rows(csv_path)}[SPECS[1]]
        assert (first["score"], first["quality"]) == ("", "")
        await pilot.press("left", "delete")
        first = {r["model"]: r for r in read_rows(csv_path)}[SPECS[0]]
        assert (first["score"], first["quality"], first["correctness"]) == ("", "", "")
        keys = {row[2] for row in app.key_rows()}
        assert {"score.clear", "score.confirm", "duel.retry_save"} <= keys


async def test_an_exit_without_asking_still_retries_what_is_pending(tmp_path: Path) -> None:
    folder = tmp_path / "results"
    folder.mkdir()
    app, csv_path = make_app(folder)
    async with app.run_test(size=(140, 40)) as pilot:
        await scored_duel(pilot, app)
        folder.rename(folder.with_name("away"))
        await pilot.press("4")
        folder.with_name("away").rename(folder)
        app.exit()  # what a signal handler does: no modal, no key
        await pilot.pause()
    assert scores(csv_path) == {SPECS[0]: "4", SPECS[1]: "", SPECS[2]: ""}


async def test_a_run_row_that_fails_to_land_is_kept_and_written_later(tmp_path: Path) -> None:
    folder = tmp_path / "results"
    folder.mkdir()
    app, csv_path = make_app(folder, hold=True)
    async with app.run_test(size=(140, 40)) as pilot:
        await send(pilot, "x")
        await pilot.pause(0.2)
        await pilot.press("escape", "5")  # scored while it runs
        shutil.rmtree(folder)
        runner = app.runner
        assert runner is not None
        runner.release.set()  # type: ignore[attr-defined]
        await settle(pilot, app)
        assert len(app.ledger.pending) == 3
        assert all("NOT saved" in pane_stats(app, i) for i in range(3))
        assert "3 runs NOT saved" in status(app)
        folder.mkdir()
        await pilot.press("s")
        await app.refresh_panes()
        assert scores(csv_path) == {SPECS[0]: "5", SPECS[1]: "", SPECS[2]: ""}
        assert not any("NOT saved" in pane_stats(app, i) for i in range(3))


async def test_enter_in_the_unsaved_question_saves_to_the_file_below_and_says_where(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "results"
    folder.mkdir()
    app, csv_path = make_app(folder)
    rescue = tmp_path / "rescue.csv"
    async with app.run_test(size=(140, 40)) as pilot:
        await scored_duel(pilot, app)
        shutil.rmtree(folder)
        await pilot.press("4", "ctrl+q")
        await pilot.pause()
        assert type(app.screen).__name__ == "UnsavedQuitScreen"
        label = str(app.screen.query_one(Label).render())
        assert "enter saves to the file below" in label
        app.screen.query_one("#elsewhere", Input).value = str(rescue)
        await pilot.press("enter")  # as the dialog says: saves, it does not retry
        await pilot.pause()
    assert not app.is_running
    assert scores(rescue) == {SPECS[0]: "4"}
    assert not csv_path.exists()
    # printed on stderr once the terminal is restored (launch.run_app)
    assert app.recovery_note == f"1 unsaved run written to {rescue}"
