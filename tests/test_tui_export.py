"""The TUI's session export (command palette): a file it cannot write is told, not raised;
nothing to export is told too (why), and writes no header-only file."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests import test_tui
from tests.test_tui_report import HEADER, make_app


def messages(app: object) -> list[str]:
    return [n.message for n in app._notifications]  # type: ignore[attr-defined]


def exported(tmp_path: Path) -> list[Path]:
    return list(tmp_path.glob("modelduel-session-*.csv"))


async def test_a_session_export_that_cannot_be_written_is_told(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(time, "strftime", lambda fmt: "20260101-000000")
    (tmp_path / "modelduel-session-20260101-000000.csv").mkdir()  # the target: a directory
    app, _ = test_tui.make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await test_tui.send(pilot, "a prompt")
        await test_tui.settle(pilot, app)
        app.export_session()
        await pilot.pause()
        said = messages(app)
    assert any(m.startswith("export failed:") and "is a directory" in m for m in said), said


async def test_a_session_export_writes_its_file(tmp_path: Path) -> None:
    app, _ = test_tui.make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await test_tui.send(pilot, "a prompt")
        await test_tui.settle(pilot, app)
        app.export_session()
        await pilot.pause()
        said = messages(app)
    assert any(m.startswith("exported 3 runs to ") for m in said), said
    assert len(exported(tmp_path)) == 1


async def test_only_a_blind_duel_not_scored_says_why_and_writes_no_file(tmp_path: Path) -> None:
    app, _ = test_tui.make_app(tmp_path, blind=True)
    async with app.run_test(size=(140, 40)) as pilot:
        await test_tui.send(pilot, "a prompt")
        await test_tui.settle(pilot, app)
        app.export_session()
        await pilot.pause()
        said = messages(app)
    assert exported(tmp_path) == []  # no header-only file
    assert not any(m.startswith("exported") for m in said), said
    (line,) = [m for m in said if "nothing exported" in m]
    assert "blind" in line and "3 runs" in line and "score every pane" in line, line


async def test_a_session_with_no_saved_run_says_so_and_writes_no_file(tmp_path: Path) -> None:
    csv_path = tmp_path / "results.csv"
    csv_path.write_text(HEADER + "\n", encoding="utf-8")
    app = make_app(csv_path)
    async with app.run_test(size=(120, 40)) as pilot:
        app.export_session()
        await pilot.pause()
        said = messages(app)
    assert exported(tmp_path) == []
    assert any("nothing exported" in m and str(csv_path) in m for m in said), said


async def test_a_blind_duel_beside_others_is_left_out_of_the_file_written(tmp_path: Path) -> None:
    from modelduel.storage import read_rows

    app, _ = test_tui.make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await test_tui.send(pilot, "first")
        await test_tui.settle(pilot, app)
        app.blind = True  # the `b` key: the next duel is blind
        await test_tui.send(pilot, "second")
        await test_tui.settle(pilot, app)
        app.export_session()
        await pilot.pause()
        said = messages(app)
    (target,) = exported(tmp_path)
    assert [r["run_id"] for r in read_rows(target)] and len(read_rows(target)) == 3
    line = next(m for m in said if m.startswith("exported 3 runs to "))
    assert "3 runs of the blind duel left out until names are revealed" in line, line
