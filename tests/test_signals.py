"""Every way modelduel ends short of SIGKILL saves what ran: the CSV is the assertion.

A closed terminal sends SIGHUP, `kill` sends SIGTERM. `ask` and `run` must cancel the
runs still streaming, save them as cancelled with their text, and exit without a
traceback (none from the worker either: its parent closing the pipe is not an error).
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from modelduel.storage import read_rows, read_transcripts
from tests.support.cli import FAST, FULL_DISK, SLOW, modelduel, start, wait_for, write_config

TASKS = Path(__file__).resolve().parent.parent / "tasks" / "starter"


def assert_cancelled_with_text(csv_path: Path, rows: list[dict[str, str]]) -> None:
    transcripts = read_transcripts(csv_path)
    slow = [r for r in rows if r["model"] == SLOW]
    assert slow, rows
    for row in slow:
        assert row["finish_reason"] == "cancelled", row
        record = transcripts[row["run_id"]]
        # GPT-5.5 streams its reasoning summary first: what streamed is kept, either way
        assert record["text"] or record["reasoning_text"], "the streamed text is kept"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_ask_saves_in_flight_runs_as_cancelled(tmp_path: Path, signum: int) -> None:
    csv_path = tmp_path / "r.csv"
    config = write_config(tmp_path)
    args = ("ask", "--demo", "--config", config, "--csv", csv_path, "-m", FAST, "-m", SLOW)
    proc = start(*args, "Explain CRDTs", cwd=tmp_path)
    try:
        # the fast model's row is on disk: the slow one is streaming now
        assert wait_for(lambda: len(read_rows(csv_path)) == 1, 60)
        os.killpg(proc.pid, signum)  # the whole group, as a closing terminal does
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 128 + signum
    assert b"Traceback" not in err and b"BrokenPipeError" not in err
    rows = read_rows(csv_path)
    assert len(rows) == 2
    assert_cancelled_with_text(csv_path, rows)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_run_saves_in_flight_runs_as_cancelled_and_resumes_them(
    tmp_path: Path, signum: int
) -> None:
    csv_path = tmp_path / "r.csv"
    config = write_config(tmp_path)
    args = ("run", TASKS, "--demo", "--config", config, "--csv", csv_path, "-m", FAST, "-m", SLOW)
    proc = start(*args, cwd=tmp_path)
    try:
        assert wait_for(lambda: len(read_rows(csv_path)) == 1, 60)
        os.killpg(proc.pid, signum)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 128 + signum, err
    assert b"Traceback" not in err and b"BrokenPipeError" not in err
    assert b"run the same command again to resume" in err
    rows = read_rows(csv_path)
    assert len(rows) == 2
    assert_cancelled_with_text(csv_path, rows)


def test_run_stops_with_one_line_when_the_disk_fills(tmp_path: Path) -> None:
    csv_path = tmp_path / "r.csv"
    config = write_config(tmp_path)
    result = modelduel(
        "run",
        TASKS,
        "--demo",
        "--config",
        config,
        "--csv",
        csv_path,
        "-m",
        FAST,
        cwd=tmp_path,
        timeout=120,  # before the fix the batch hung here for good
        prelude=FULL_DISK.format(ok_writes=2),
    )
    err = result.stderr.decode()
    assert result.returncode == 2, err
    assert "Traceback" not in err
    stopped = [line for line in err.splitlines() if line.startswith("modelduel: stopped:")]
    assert len(stopped) == 1 and "No space left on device" in stopped[0]
    # two rows went in whole; the third, written half-way, was undone; no more were tried
    assert len(read_rows(csv_path)) == 2
    assert csv_path.read_bytes().endswith(b"\n")
