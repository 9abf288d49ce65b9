"""`run` whose results CSV is moved mid-batch: it stops, and starts no new file there."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from modelduel.storage import read_rows, read_transcripts
from tests.support.cli import modelduel, start, wait_for

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


TWO_TASKS = ("--task", "research-sqlite-for-dashboard", "--task", "json-provider-incidents")


def stop_line(err: bytes) -> str:
    return err.decode().strip().splitlines()[-1]


def test_the_runs_a_deleted_csv_refused_go_to_a_recovery_file(tmp_path: Path) -> None:
    # The duel screen writes what the CSV refused to `<stem>-unsaved-<stamp>.csv`;
    # `run` drops paid runs no more: the same file, with exactly the runs not saved.
    csv_path = tmp_path / "r.csv"
    args = ("run", "--demo", STARTER, *TWO_TASKS, "--repeat", "2", "--csv", csv_path)
    proc = start(*args, cwd=tmp_path)
    try:
        assert wait_for(lambda: rows_in(csv_path) >= 2, 90), proc.stderr
        saved = read_rows(csv_path)
        csv_path.unlink()
        _, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 2, err
    last = stop_line(err)
    recovered = list(tmp_path.glob("r-unsaved-*.csv"))
    assert len(recovered) == 1, last
    (recovery,) = recovered
    assert f"in {recovery} instead" in last, last
    not_saved = re.search(r"(\d+) runs? (?:could not be saved|not saved)", last)
    assert not_saved is not None, last
    rows = read_rows(recovery)
    assert len(rows) == int(not_saved.group(1)) >= 1, last
    # exactly the runs not saved: none of those the deleted file had
    assert not {r["run_id"] for r in rows} & {r["run_id"] for r in saved}
    records = read_transcripts(recovery)  # each row's texts beside it, as score reads them
    assert set(records) == {r["run_id"] for r in rows}
    routed = modelduel("route", recovery, cwd=tmp_path)
    assert "Traceback" not in routed.stderr.decode(), routed.stderr


def test_when_the_recovery_file_cannot_be_written_either_the_stop_line_says_so(
    tmp_path: Path,
) -> None:
    # the CSV's folder and the current directory both removed: nowhere to recover to
    folder, work = tmp_path / "results", tmp_path / "work"
    folder.mkdir()
    work.mkdir()
    csv_path = folder / "r.csv"
    args = ("run", "--demo", STARTER, *TWO_TASKS, "--repeat", "2", "--csv", csv_path)
    proc = start(*args, cwd=work)
    try:
        assert wait_for(lambda: rows_in(csv_path) >= 2, 90), proc.stderr
        shutil.rmtree(folder)
        shutil.rmtree(work)
        _, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 2, err
    last = stop_line(err)
    assert "NOT saved" in last and "the recovery files failed too" in last, last
    assert "r-unsaved-" in last, last  # which files were tried
