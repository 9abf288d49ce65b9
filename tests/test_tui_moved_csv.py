"""Pilot tests: the results CSV moved or deleted while the duel screen runs.

The tester's case: `mv modelduel-results.csv moved.csv`, then a score. The screen must
say NOT saved with the path and the fix, never "saved 4/5 for A" for a new file at the
old path holding only that row; `s` once the file is back writes it there.
"""

from __future__ import annotations

from pathlib import Path

from modelduel.storage import read_rows
from tests.test_tui import SPECS, make_app
from tests.test_tui_saving import pane_stats, scored_duel, scores, status


async def test_a_moved_results_csv_says_not_saved_and_s_writes_into_it_once_back(
    tmp_path: Path,
) -> None:
    app, csv_path = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await scored_duel(pilot, app)
        runs = len(read_rows(csv_path))
        moved = csv_path.with_name("moved.csv")
        csv_path.rename(moved)
        await pilot.press("4")
        await app.refresh_panes()
        await pilot.pause()
        assert not csv_path.exists()  # no new file holding only that row
        assert "NOT saved" in pane_stats(app, 0)
        assert "saved 4/5" not in status(app) and "NOT saved" in status(app)
        reason = f"results file {csv_path} was moved or deleted since the session opened it"
        notices = [n.message for n in app._notifications]
        assert any(reason in m and "s retries after you put it back" in m for m in notices)
        moved.rename(csv_path)
        await pilot.press("s")
        await app.refresh_panes()
        await pilot.pause()
        assert len(read_rows(csv_path)) == runs  # the session's file, every row in it
        assert scores(csv_path)[SPECS[0]] == "4"
        assert "NOT saved" not in pane_stats(app, 0) and "saved" in pane_stats(app, 0)
        assert "NOT saved" not in status(app)


async def test_a_deleted_results_csv_is_never_restarted_with_one_row(tmp_path: Path) -> None:
    app, csv_path = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await scored_duel(pilot, app)
        csv_path.unlink()
        await pilot.press("4")
        await pilot.press("s")
        await app.refresh_panes()
        await pilot.pause()
        assert not csv_path.exists()
        assert "NOT saved" in pane_stats(app, 0)
        assert "moved or deleted" in status(app)
