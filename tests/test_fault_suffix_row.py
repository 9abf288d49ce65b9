"""A simulator fault (`MODEL@fault=NAME`) injects a failure; it is not the model's name.

The results row names the model (`model`, `model_id`): routing, preference and a batch's
resume group rows by it, so a faulted run is a run of that model, failed (`error`).
The transcript keeps the spec as it was sent (the request's record).
"""

from __future__ import annotations

from pathlib import Path

from modelduel.config.resolve import model_name
from modelduel.core.batch import plan_batch
from modelduel.storage import read_rows, read_transcripts
from tests.support.cli import modelduel, write_config

FAULTED = "anthropic/claude-opus-4-7@fault=server"


def test_the_row_of_a_faulted_run_names_the_model_and_says_it_failed(tmp_path: Path) -> None:
    csv_path = tmp_path / "r.csv"
    config = write_config(tmp_path)
    done = modelduel(
        "ask", "--demo", "--config", config, "-m", FAULTED, "--csv", csv_path, "hi", cwd=tmp_path
    )
    assert done.returncode == 1, done.stderr
    (row,) = read_rows(csv_path)
    assert (row["model"], row["provider"], row["model_id"]) == (
        "anthropic/claude-opus-4-7",
        "anthropic",
        "claude-opus-4-7",
    )
    assert row["error"] and row["simulated"] == "true"
    assert "fault" not in ",".join(str(v) for v in row.values() if v).replace(row["error"], "")
    (record,) = read_transcripts(csv_path).values()
    assert record["model"] == FAULTED


def test_model_name_drops_only_the_fault_suffix() -> None:
    assert model_name(FAULTED) == "anthropic/claude-opus-4-7"
    assert model_name("openai/gpt-5.5@fault=unverified_org,silent_think:90") == "openai/gpt-5.5"
    assert model_name("local/model@2025") == "local/model@2025"  # an id of its own with @
    assert model_name("openai/gpt-5.5") == "openai/gpt-5.5"


def test_a_batch_resumed_counts_the_faulted_runs_rows_as_done() -> None:
    rows = [{"task_id": "t1", "model": "anthropic/claude-opus-4-7", "finish_reason": "error"}]
    items = plan_batch(["t1"], [FAULTED, "openai/gpt-5.5"], 1, rows)
    assert [item.specs for item in items] == [("openai/gpt-5.5",)]
