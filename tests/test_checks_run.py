"""`modelduel run` saves each run's row when it ends, then adds its checks' verdicts (loopback)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import time
from pathlib import Path

from tests.support.cli import run_demo_suite

TASK = """\
id = "demo-check"
type = "research_summary"
title = "T"
prompt = "Say something."
criteria = ["a", "b", "c"]
output_format = "Markdown: '## Nope'."

[[checks]]
name = "simulated"
kind = "contains"
part = "quality"
text = "(simulated)"

[[checks]]
name = "sections"
kind = "sections"
part = "format"
headings = ["Nope"]
"""


def test_run_records_check_results_in_the_csv_and_the_transcript(tmp_path: Path) -> None:
    done, rows, out = run_demo_suite(
        tmp_path, TASK, "openai/gpt-5.5", "anthropic/claude-opus-4-7@fault=auth"
    )
    assert done.returncode == 1, done.stderr  # the faulted model failed
    ok = rows["openai/gpt-5.5"]
    assert (ok["checks_passed"], ok["checks_total"]) == ("1", "2")
    failed = rows["anthropic/claude-opus-4-7"]  # the row names the model, not its fault
    assert failed["error"] and (failed["checks_passed"], failed["checks_total"]) == ("", "")
    records = {
        r["run_id"]: r for r in map(json.loads, out.with_suffix(".jsonl").read_text().splitlines())
    }
    checks = records[ok["run_id"]]["checks"]
    assert [(c["name"], c["status"], c["part"]) for c in checks] == [
        ("simulated", "pass", "quality"),
        ("sections", "fail", "format"),
    ]
    assert checks[1]["reason"] == "missing '## Nope'"
    assert records[failed["run_id"]]["checks"] == []


SLOW_TASK = """\
id = "demo-slow-check"
type = "coding_tests"
title = "T"
prompt = "Say something."
criteria = ["a", "b", "c"]
output_format = "Anything."

[[checks]]
name = "slow"
kind = "python_tests"
part = "correctness"
tests = ["test_slow.py"]
file = "solution.py"
timeout_s = 60
"""


def test_the_row_is_on_disk_while_its_checks_still_run(tmp_path: Path) -> None:
    # Nothing acknowledged may wait on a check: a run killed while its checks run must
    # already have its row. The check here blocks until the test lets it finish.
    suite = tmp_path / "suite"
    suite.mkdir()
    gate = tmp_path / "gate"
    (suite / "t.toml").write_text(SLOW_TASK, encoding="utf-8")
    (suite / "test_slow.py").write_text(
        "import pathlib, time\n"
        "def test_waits():\n"
        f"    gate = pathlib.Path({str(gate)!r})\n"
        "    for _ in range(600):\n"
        "        if gate.exists():\n"
        "            return\n"
        "        time.sleep(0.1)\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "modelduel",
            "run",
            str(suite),
            "--demo",
            "--csv",
            str(out),
            "-m",
            "anthropic/claude-opus-4-7",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    try:
        deadline = time.monotonic() + 120
        rows: list[dict[str, str]] = []
        while time.monotonic() < deadline and not rows:
            if out.exists():
                rows = list(csv.DictReader(out.open(encoding="utf-8")))
            time.sleep(0.1)
        assert rows, f"no row while the check was running: {proc.poll()}"
        assert proc.poll() is None  # the check is still waiting on the gate
        assert rows[0]["model"] == "anthropic/claude-opus-4-7" and not rows[0]["error"]
        assert (rows[0]["checks_passed"], rows[0]["checks_total"]) == ("", "")
        gate.touch()
        _, stderr = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 0, stderr
    (row,) = csv.DictReader(out.open(encoding="utf-8"))
    assert (row["checks_passed"], row["checks_total"]) == ("1", "1")
