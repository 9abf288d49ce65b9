"""`modelduel route`'s exit status, as a script sees it, in text and `--json` mode alike."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HEADER = (
    "task_id,task_type,model,score,time_to_first_useful_s,wall_time_s,input_tokens,"
    "output_tokens,cost_usd,manual_corrections,notes"
)


def _route(*argv: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "modelduel", "route", *map(str, argv)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("body", ["", "t1,json,a/m,,1,2,3,4,0.01,0,\n"], ids=["empty", "unscored"])
def test_no_scored_runs_exit_1_in_both_modes_and_json_says_why(tmp_path: Path, body: str) -> None:
    csv_path = tmp_path / "runs.csv"
    csv_path.write_text(f"{HEADER}\n{body}", encoding="utf-8")
    text = _route(csv_path)
    as_json = _route(csv_path, "--json")
    assert (text.returncode, as_json.returncode) == (1, 1)
    assert "nothing to route" in text.stdout
    doc = json.loads(as_json.stdout)  # still valid JSON on stdout
    assert doc["routes"] == {}
    assert "no scored runs" in doc["no_recommendation"]


def test_a_recommendation_exits_0_and_has_no_reason_key(tmp_path: Path) -> None:
    csv_path = tmp_path / "runs.csv"
    csv_path.write_text(f"{HEADER}\nt1,json,a/m,5,1,2,3,4,0.01,0,\n", encoding="utf-8")
    text = _route(csv_path)
    as_json = _route(csv_path, "--json")
    assert (text.returncode, as_json.returncode) == (0, 0)
    doc = json.loads(as_json.stdout)
    assert doc["routes"] == {"json": "a/m"}
    assert "no_recommendation" not in doc


def test_help_documents_the_exit_status() -> None:
    out = " ".join(_route("--help").stdout.split())
    assert "1 when no run is scored yet" in out
