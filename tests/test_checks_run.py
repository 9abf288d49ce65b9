"""`modelduel run` checks each successful run before its row is saved (loopback demo)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

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
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "t.toml").write_text(TASK, encoding="utf-8")
    out = tmp_path / "out.csv"
    done = subprocess.run(
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
            "openai/gpt-5.5",
            "-m",
            "anthropic/claude-opus-4-7@fault=auth",
        ],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        timeout=300,
    )
    assert done.returncode == 1, done.stderr  # the faulted model failed
    rows = {r["model"]: r for r in csv.DictReader(out.open(encoding="utf-8"))}
    ok = rows["openai/gpt-5.5"]
    assert (ok["checks_passed"], ok["checks_total"]) == ("1", "2")
    failed = rows["anthropic/claude-opus-4-7@fault=auth"]
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
