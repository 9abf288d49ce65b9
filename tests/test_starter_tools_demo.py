"""`modelduel run tasks/starter --demo`: the agent tasks run as real tool loops on every model.

The whole path, as a user runs it: the command line, the demo simulator in its own
process, the child-process runner, the tool loop answering from each task's world, the
CSV row and the transcript.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
AGENT_TASKS = ["agent-ci-red-after-datetime-change-tools", "agent-runner-disk-full-tools"]
DEFAULT_MODELS = {"openai/gpt-5.5", "anthropic/claude-opus-4-7", "gemini/gemini-3.1-pro-preview"}


def modelduel(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    env |= {"MODELDUEL_CONFIG": "", "HOME": str(cwd), "XDG_CONFIG_HOME": str(cwd / "config")}
    env |= {"XDG_STATE_HOME": str(cwd / "state")}
    return subprocess.run(
        [sys.executable, "-m", "modelduel", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_the_agent_tasks_run_as_tool_loops_on_all_three_models(tmp_path: Path) -> None:
    out = tmp_path / "x.csv"
    task_args = [a for t in AGENT_TASKS for a in ("--task", t)]
    done = modelduel(
        "run", str(ROOT / "tasks/starter"), "--demo", *task_args, "--csv", str(out), cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert {(r["task_id"], r["model"]) for r in rows} == {
        (t, m) for t in AGENT_TASKS for m in DEFAULT_MODELS
    }
    for row in rows:
        assert int(row["tool_calls"]) >= 1 and int(row["tool_rounds"]) >= 1, row
        assert row["finish_reason"] == "stop" and not row["error"], row
    records = [json.loads(line) for line in out.with_suffix(".jsonl").read_text().splitlines()]
    by_task: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        by_task.setdefault(str(record["task_id"]), []).append(record)
    # the calls were answered from each task's own world, not pasted in the prompt
    for record in by_task["agent-ci-red-after-datetime-change-tools"]:
        call = record["tool_calls"][0]
        assert call["name"] == "get_ci_log" and "offset-naive" in call["result"]
        assert "offset-naive" not in str(record["prompt"])
    for record in by_task["agent-runner-disk-full-tools"]:
        call = record["tool_calls"][0]
        assert call["name"] == "run_command" and "100% /" in call["result"]
        assert "100% /" not in str(record["prompt"])


def test_an_unknown_task_id_is_one_line_before_any_model_runs(tmp_path: Path) -> None:
    out = tmp_path / "x.csv"
    done = modelduel(
        "run", str(ROOT / "tasks/starter"), "--demo", "--task", "nope", "--csv", str(out),
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "--task nope: no task with this id" in lines[0]
    assert "agent-runner-disk-full-tools" in lines[0]
    assert not out.exists()
