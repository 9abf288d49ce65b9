"""A start-up that fails on a mistake touches no file: a bad theme is said before the CSV
preflight takes its lock, and `score` without a terminal refuses before reading the CSV
(which would move a torn last row aside)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.cli import clean_env

HEADER = (
    "task_id,task_type,model,score,time_to_first_useful_s,wall_time_s,input_tokens,"
    "output_tokens,cost_usd,manual_corrections,notes,run_id,duel_id"
)


def _modelduel(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "modelduel", *args],
        capture_output=True, text=True, env=clean_env(cwd), cwd=cwd,
        stdin=subprocess.DEVNULL, timeout=60,
    )  # fmt: skip


def _files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if p.is_file()}


def test_a_bad_theme_leaves_no_lock_file(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    result = _modelduel(work, "--demo", "--theme", "nope")
    assert result.returncode == 2, result.stderr
    assert "--theme: no theme 'nope'" in result.stderr
    assert _files(work) == set(), _files(work)


def test_score_without_a_terminal_refuses_before_touching_the_csv(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    csv_path = work / "c1.csv"
    data = (
        f"{HEADER}\nt1,coding,openai/gpt-5.5,,1,2,10,10,0.01,0,,r1,d1\n"
        "t1,coding,anthropic/claude-opus-4-7,,1,2"  # torn: the writer died mid-row
    ).encode()
    csv_path.write_bytes(data)
    result = _modelduel(work, "score", "c1.csv")
    assert result.returncode == 2, result.stderr
    assert "needs a terminal" in result.stderr
    assert csv_path.read_bytes() == data
    assert _files(work) == {"c1.csv"}, _files(work)
