"""The save ledger: nothing acknowledged is lost, "saved" only for what is on disk."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

import pytest

from modelduel.core.session_controller import SaveLedger
from modelduel.errors import CsvError
from modelduel.storage import read_rows


def row(run_id: str, **cells: object) -> dict[str, object]:
    return {"task_id": "t", "task_type": "adhoc", "model": "m", "run_id": run_id, **cells}


def test_rows_and_changes_land_and_are_saved(tmp_path: Path) -> None:
    ledger = SaveLedger(tmp_path / "r.csv")
    assert ledger.record_run("run-1", row("run-1"), None)
    assert ledger.is_saved("run-1")
    assert ledger.record_changes("run-1", {"score": 4})
    assert read_rows(tmp_path / "r.csv")[0]["score"] == "4"


def test_a_change_before_the_run_ends_goes_in_with_its_row(tmp_path: Path) -> None:
    ledger = SaveLedger(tmp_path / "r.csv")
    assert not ledger.record_changes("run-1", {"score": 5})
    assert not ledger.is_saved("run-1") and not ledger.is_pending("run-1")
    ledger.record_run("run-1", row("run-1"), None)
    assert read_rows(tmp_path / "r.csv")[0]["score"] == "5"


def test_a_removed_directory_keeps_the_score_pending_until_it_is_back(tmp_path: Path) -> None:
    folder = tmp_path / "results"
    folder.mkdir()
    path = folder / "r.csv"
    ledger = SaveLedger(path)
    ledger.record_run("run-1", row("run-1"), {"run_id": "run-1", "text": "answer"})
    away = tmp_path / "away"
    folder.rename(away)
    assert not ledger.record_changes("run-1", {"score": 3})
    assert ledger.is_pending("run-1") and not ledger.is_saved("run-1")
    assert "r.csv" in ledger.last_error
    assert not ledger.retry()  # still gone
    folder.mkdir()
    assert not ledger.retry()  # an empty folder: its file is not back, none is started
    assert not path.exists()
    shutil.rmtree(folder)  # the lock file the retry made
    away.rename(folder)
    assert ledger.retry()
    assert ledger.is_saved("run-1")
    rows = read_rows(path)
    assert [(r["run_id"], r["score"]) for r in rows] == [("run-1", "3")]


def test_a_failed_append_is_retried_by_the_next_write(tmp_path: Path) -> None:
    calls: list[str] = []
    broken = True

    def append(path: Path, r: Mapping[str, object], t: Mapping[str, object] | None) -> None:
        calls.append(str(r["run_id"]))
        if broken:
            raise CsvError("disk full")

    def update(path: Path, run_id: str, changes: Mapping[str, object]) -> None:
        calls.append(f"update {run_id}")

    ledger = SaveLedger(tmp_path / "r.csv", append=append, update=update)
    assert not ledger.record_run("run-1", row("run-1"), None)
    assert ledger.last_error == "disk full"
    assert not ledger.record_changes("run-1", {"score": 2})
    broken = False
    assert ledger.record_run("run-2", row("run-2"), None)
    assert calls[-2:] == ["run-1", "run-2"]  # the pending row first, with its score
    assert ledger.row("run-1")["score"] == 2
    assert not ledger.pending


def test_save_elsewhere_writes_full_rows_and_discard_forgets(tmp_path: Path) -> None:
    folder = tmp_path / "gone"
    folder.mkdir()
    ledger = SaveLedger(folder / "r.csv")
    ledger.record_run("run-1", row("run-1"), None)
    shutil.rmtree(folder)
    ledger.record_changes("run-1", {"score": 1})
    ledger.record_run("run-2", row("run-2"), None)
    assert set(ledger.pending) == {"run-1", "run-2"}
    with pytest.raises(CsvError):
        ledger.save_elsewhere(tmp_path / "missing" / "x.csv")
    assert set(ledger.pending) == {"run-1", "run-2"}
    assert ledger.save_elsewhere(tmp_path / "rescue.csv") == 2
    rescued = {r["run_id"]: r for r in read_rows(tmp_path / "rescue.csv")}
    assert rescued["run-1"]["score"] == "1" and rescued["run-1"]["model"] == "m"
    assert not ledger.pending
    ledger.record_changes("run-1", {"score": 2})
    assert ledger.discard() == 1 and not ledger.pending


def test_known_recorded_rows_are_updated_not_appended(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    SaveLedger(path).record_run("run-1", row("run-1"), None)
    ledger = SaveLedger(path)
    ledger.know("run-1", read_rows(path)[0])
    assert ledger.is_saved("run-1")
    assert ledger.record_changes("run-1", {"score": 0})
    assert [r["score"] for r in read_rows(path)] == ["0"]
