"""`run` whose results CSV is moved mid-batch: it stops, and starts no new file there."""

from __future__ import annotations

from pathlib import Path

from modelduel.storage import read_rows
from tests.support.cli import start, wait_for

STARTER = Path(__file__).resolve().parents[1] / "tasks" / "starter"


def rows_in(path: Path) -> int:
    try:
        return len(read_rows(path))
    except Exception:  # mid-write or not there yet: not enough
        return 0


def test_a_batch_whose_csv_is_moved_stops_and_starts_no_new_file(tmp_path: Path) -> None:
    csv_path = tmp_path / "r.csv"
    args = ("run", "--demo", STARTER, "--repeat", "3", "--concurrency", "1", "--csv", csv_path)
    proc = start(*args, cwd=tmp_path)
    try:
        assert wait_for(lambda: rows_in(csv_path) >= 2, 90), proc.stderr
        moved = tmp_path / "moved.csv"
        csv_path.rename(moved)
        _, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 2, err
    last = err.decode().strip().splitlines()[-1]
    assert "r.csv was moved or deleted" in last and "put it back" in last, last
    assert last.count("run the same command again") == 1, last  # the fix, said once
    assert not csv_path.exists()  # no new file holding only the newest rows
    assert len(read_rows(moved)) >= 2  # what was written stays where it went


def test_a_batch_whose_transcript_is_moved_stops_and_starts_no_new_one(tmp_path: Path) -> None:
    csv_path = tmp_path / "r.csv"
    jsonl = csv_path.with_suffix(".jsonl")
    args = ("run", "--demo", STARTER, "--repeat", "3", "--concurrency", "1", "--csv", csv_path)
    proc = start(*args, cwd=tmp_path)
    try:
        assert wait_for(lambda: rows_in(csv_path) >= 2, 90), proc.stderr
        moved = tmp_path / "moved.jsonl"
        jsonl.rename(moved)
        _, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 2, err
    last = err.decode().strip().splitlines()[-1]
    assert "r.jsonl was moved or deleted" in last and "put it back" in last, last
    assert not jsonl.exists()  # no new transcript holding only the newest texts
    assert moved.read_text().count("\n") >= 2  # what was written stays where it went
