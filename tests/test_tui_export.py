"""The TUI's session export (command palette): a file it cannot write is told, not raised."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.test_tui_report import HEADER, make_app


async def test_a_session_export_that_cannot_be_written_is_told(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    csv_path = tmp_path / "results.csv"
    csv_path.write_text(HEADER + "\n", encoding="utf-8")
    monkeypatch.setattr(time, "strftime", lambda fmt: "20260101-000000")
    (tmp_path / "modelduel-session-20260101-000000.csv").mkdir()  # the target: a directory
    app = make_app(csv_path)
    async with app.run_test(size=(120, 40)) as pilot:
        app.export_session()
        await pilot.pause()
        messages = [n.message for n in app._notifications]
    assert any(m.startswith("export failed:") and "is a directory" in m for m in messages), messages


async def test_a_session_export_writes_its_file(tmp_path: Path) -> None:
    csv_path = tmp_path / "results.csv"
    csv_path.write_text(HEADER + "\n", encoding="utf-8")
    app = make_app(csv_path)
    async with app.run_test(size=(120, 40)) as pilot:
        app.export_session()
        await pilot.pause()
        messages = [n.message for n in app._notifications]
    assert any(m.startswith("exported 0 runs to ") for m in messages), messages
    assert len(list(tmp_path.glob("modelduel-session-*.csv"))) == 1
