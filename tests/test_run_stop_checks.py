"""`run` stopped by a signal while `python_tests` checks run and wait: nothing new starts.

The bug: the stop waited for every check queued (the next ones' sandboxes started
after the signal), with no word for half a minute. Now the signal is answered at once
("stopping (...): cancelling ..."), no check sandbox starts after it, the running ones
are killed, and a check cut short leaves no verdict in the row.

The checks' own hook: each sandboxed test appends its folder to `started.log` when it
starts, then waits (up to 20 s) for a gate that never opens.
"""

from __future__ import annotations

import json
import os
import re
import signal
import time
from pathlib import Path

import pytest

from modelduel.storage import read_rows
from tests.support.cli import FAST, SLOW, start, wait_for, write_config

CHECKED = """\
id = "{id}"
type = "coding_tests"
title = "T"
prompt = "Say something about {id}."
criteria = ["a"]
output_format = "Anything."

[[checks]]
name = "slow"
kind = "python_tests"
part = "correctness"
tests = ["test_slow.py"]
file = "solution.py"
timeout_s = 120
"""

PLAIN = """\
id = "{id}"
type = "coding"
title = "T"
prompt = "Say something about {id}."
criteria = ["a"]
output_format = "text"
"""


def lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []


def rows_in(path: Path) -> list[dict[str, str]]:
    try:
        return read_rows(path)
    except Exception:  # mid-write or not there yet
        return []


@pytest.mark.parametrize(
    "signum", [signal.SIGHUP, signal.SIGTERM, signal.SIGINT], ids=["HUP", "TERM", "INT"]
)
def test_a_signal_starts_no_new_check_and_cancels_the_running_ones(
    tmp_path: Path, signum: int
) -> None:
    suite = tmp_path / "suite"
    suite.mkdir()
    for name in ("c1", "c2", "c3"):
        (suite / f"{name}.toml").write_text(CHECKED.format(id=name), encoding="utf-8")
    for name in ("p4", "p5"):
        (suite / f"{name}.toml").write_text(PLAIN.format(id=name), encoding="utf-8")
    started = tmp_path / "started.log"
    (suite / "test_slow.py").write_text(
        "import os, pathlib, time\n"
        "def test_waits():\n"
        f"    with open({str(started)!r}, 'a') as log:\n"
        "        log.write(os.getcwd() + '\\n')\n"
        "    for _ in range(200):\n"
        f"        if pathlib.Path({str(tmp_path / 'gate')!r}).exists():\n"
        "            return\n"
        "        time.sleep(0.1)\n",
        encoding="utf-8",
    )
    config = write_config(tmp_path)
    csv_path = tmp_path / "r.csv"
    # four duels at once: FAST ends at once (its check starts: two run, one waits for a
    # thread), SLOW streams for minutes; the fifth duel waits for a place
    args = ("run", "--demo", "--config", config, suite, "--concurrency", "4")
    proc = start(*args, "-m", FAST, "-m", SLOW, "--csv", csv_path, cwd=tmp_path)
    try:
        assert wait_for(lambda: len(lines(started)) >= 2, 90), proc.stderr
        assert len(rows_in(csv_path)) == 4  # the FAST runs of the four duels going
        if signum == signal.SIGINT:
            os.killpg(proc.pid, signum)  # ctrl+c: the terminal's whole foreground group
        else:
            proc.send_signal(signum)
        most, deadline = 0, time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            most = max(most, len(lines(started)))  # the state while it stops
            time.sleep(0.1)
        _, err_bytes = proc.communicate(timeout=120)
    finally:
        proc.kill()
    err = err_bytes.decode()
    most = max(most, len(lines(started)))
    assert most == 2, f"a check sandbox started after the signal:\n{err}"
    assert proc.returncode == 128 + signum, err
    said = "ctrl+c" if signum == signal.SIGINT else signal.Signals(signum).name
    stopping = re.search(
        rf"stopping \([^\n]*{re.escape(said)}\): cancelling 4 runs and the checks of 3 runs", err
    )
    assert stopping is not None, err
    stopped = re.search(r"stopped \([^\n]*\): (\d+) of 10 runs done[^\n]*", err)
    assert stopped is not None and stopped.start() > stopping.start(), err
    assert stopped.group(1) == "4", err
    assert "checks of 3 runs cancelled" in stopped.group(0), err
    bars = re.findall(r"runs .*?(\d+)/10", err.replace("\r", "\n"))
    assert bars and bars[-1] == "4", err  # the bar agrees with the stop line
    # the sandboxes were killed and cleaned up before the exit, not left waiting
    assert not any(Path(folder).exists() for folder in lines(started))
    rows = read_rows(csv_path)
    assert {r["task_id"] for r in rows} == {"c1", "c2", "c3", "p4"}  # p5 never started
    # a check cut short is no verdict: the rows have none, the transcript neither
    assert all((r["checks_passed"], r["checks_total"]) == ("", "") for r in rows)
    records = [json.loads(x) for x in lines(csv_path.with_suffix(".jsonl"))]
    assert all(not r.get("checks") for r in records)
