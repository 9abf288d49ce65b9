"""Rows as the outside world reads them: resume, the simulated flag, estimates on reopen,
and `export --since`, through the public functions and the CLI.

Each test was written against a hand-made mutation the rest of the suite let through:
cancelled rows counted as done on resume, `simulated` always false, `tokens_exact` always
true on reopen, and `export --since` ignored.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from modelduel.cli import main
from modelduel.core.batch import BatchItem, plan_batch
from modelduel.core.recorded_stats import stats_from_row
from modelduel.storage import append_run, read_rows

ROOT = Path(__file__).resolve().parents[1]


def cli(*argv: str | Path) -> int:
    with pytest.raises(SystemExit) as exit_info:
        main([str(a) for a in argv])
    code = exit_info.value.code
    return code if isinstance(code, int) else 1


def test_cancelled_runs_are_run_again_on_resume() -> None:
    """An interrupted batch leaves cancelled rows; resuming runs those again, while a run
    that ended (even failed) counts as done."""
    rows = [
        {"task_id": "t1", "model": "a/x", "finish_reason": "stop"},
        {"task_id": "t1", "model": "b/y", "finish_reason": "cancelled"},
        {"task_id": "t2", "model": "a/x", "finish_reason": "error"},
        {"task_id": "t2", "model": "b/y", "finish_reason": "cancelled"},
    ]
    items = plan_batch(["t1", "t2"], ["a/x", "b/y"], 1, rows)
    assert items == [BatchItem(0, 0, ("b/y",)), BatchItem(1, 0, ("b/y",))]


def test_a_run_cancelled_twice_still_leaves_its_repeat_to_do() -> None:
    rows = [{"task_id": "t1", "model": "a/x", "finish_reason": "cancelled"}] * 2
    assert plan_batch(["t1"], ["a/x"], 1, rows) == [BatchItem(0, 0, ("a/x",))]


def test_demo_runs_are_marked_simulated_in_the_csv(tmp_path: Path) -> None:
    """README: demo runs are marked `simulated=true` in the CSV, so they are never taken
    for a real model's output or cost."""
    config = tmp_path / "config.toml"
    config.write_text(
        '[simulator."claude-opus-4-7"]\nttft_ms = 1\nreasoning_ms = 0\ntps = 100000\n',
        encoding="utf-8",
    )
    out = tmp_path / "r.csv"
    code = cli(
        "ask", "--demo", "--config", config, "-m", "anthropic/claude-opus-4-7", "--csv", out, "hi"
    )
    assert code == 0
    (row,) = read_rows(out)
    assert row["model"] == "anthropic/claude-opus-4-7" and row["finish_reason"] == "stop"
    assert row["simulated"] == "true"


def test_an_estimated_count_stays_marked_as_such_when_reopened(tmp_path: Path) -> None:
    """A run recorded with an estimated output count (`tokens_exact=false`) is shown
    with its `~` again when the duel is reopened: the flag is read back, not assumed."""
    path = tmp_path / "r.csv"
    for run_id, exact in (("r-est", False), ("r-exact", True)):
        append_run(
            path,
            {
                "task_id": "t1",
                "task_type": "coding",
                "model": "openai/gpt-5.5",
                "output_tokens": 120,
                "run_id": run_id,
                "tokens_exact": exact,
                "finish_reason": "cancelled",
                "error": "cancelled: cancelled by the user",
            },
        )
    estimated, exact_row = (stats_from_row(row, None) for row in read_rows(path))
    assert estimated.output_tokens == 120 and estimated.tokens_exact is False
    assert exact_row.output_tokens == 120 and exact_row.tokens_exact is True
    assert estimated.status == "cancelled"


def test_export_since_keeps_only_runs_on_or_after_that_day(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    days = ["2026-11-01T23:59:59Z", "2026-11-02T00:00:00Z", "2026-11-09T12:00:00Z"]
    for i, stamp in enumerate(days):
        append_run(
            path,
            {"task_id": "t", "task_type": "coding", "model": "m/x", "run_id": f"r{i}",
             "timestamp": stamp},
        )  # fmt: skip
    out = tmp_path / "since.jsonl"
    # rows without transcripts: --no-text says no texts are wanted (else exit 1, incomplete)
    assert cli("export", path, "--since", "2026-11-02", "--format", "jsonl", "--no-text",
               "-o", out) == 0  # fmt: skip
    exported = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["run_id"] for r in exported] == ["r1", "r2"]
    as_csv = tmp_path / "since.csv"
    assert cli("export", path, "--since", "2026-11-09", "-o", as_csv) == 0
    with as_csv.open(encoding="utf-8", newline="") as f:
        assert [r["run_id"] for r in csv.DictReader(f)] == ["r2"]
