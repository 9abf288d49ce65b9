"""`route`'s columnar preference input (`RunTable.coded_runs`) against the row path.

The row path (`preference.coded_runs` over `RunTable.preference_rows`, one dict per row)
is the reference: the same runs, codes (duels numbered by their first run), Bradley–Terry
tables and the same one-line error for a bad `rank` cell.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

import numpy as np
import pytest

from modelduel.core.preference import coded_runs, preference_table
from modelduel.core.routing_rows import load_route_table
from modelduel.storage.columns import BRIEF_COLUMNS

TYPES = ["coding", " writing ", "agent"]
MODELS = ["openai/gpt-5.5", " anthropic/claude-opus-4-7", "gemini/gemini-3.1-pro-preview"]
DUELS = ["", " ", "d1", " d2 ", "d3", "d4", "d5", "d6"]
RANKS = ["", "1", "2", " 3 ", "1 "]
SCORES = ["", "0", "2", "3", "4.5", "5"]


def _write(path: Path, rng: random.Random, rows: int, bad_rank_at: int | None = None) -> None:
    header = [*BRIEF_COLUMNS, "duel_id", "rank", "run_id", "timestamp"]
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.DictWriter(f, header)
        out.writeheader()
        for i in range(rows):
            row = dict.fromkeys(header, "")
            row.update(
                task_id=f"t{i % 5}",
                task_type=rng.choice(TYPES),
                model=rng.choice(MODELS),
                score=rng.choice(SCORES),
                wall_time_s="1.0",
                input_tokens="10",
                output_tokens="10",
                cost_usd="0.01",
                manual_corrections="0",
                duel_id=rng.choice(DUELS),
                rank=rng.choice(RANKS),
                run_id=f"run-{i}",
                timestamp="2026-03-02T10:00:00Z",
            )
            if i == bad_rank_at:
                row.update(duel_id="d-bad", rank="first")
            out.writerow(row)


def _same(a: object, b: object) -> None:
    for name in ("task_types", "models"):
        assert getattr(a, name) == getattr(b, name)
    for name in ("duel_type", "duel", "model", "rank", "score"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_columns_code_the_same_runs_as_the_rows(tmp_path: Path, seed: int) -> None:
    path = tmp_path / "r.csv"
    _write(path, random.Random(seed), 400)
    table = load_route_table([path]).table
    by_rows = coded_runs(table.preference_rows())
    by_columns = table.coded_runs()
    assert len(by_rows.duel) > 100  # the fixture has duels to compare
    _same(by_columns, by_rows)
    tables = [
        preference_table(runs, rng=np.random.default_rng(5), samples=200)
        for runs in (by_rows, by_columns)
    ]
    assert tables[0] == tables[1]


def test_a_bad_rank_gets_the_row_paths_error(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    _write(path, random.Random(4), 50, bad_rank_at=17)
    table = load_route_table([path]).table
    with pytest.raises(ValueError) as by_rows:
        coded_runs(table.preference_rows())
    with pytest.raises(ValueError) as by_columns:
        table.coded_runs()
    assert str(by_columns.value) == str(by_rows.value)
    assert "duel d-bad" in str(by_columns.value) and "'first'" in str(by_columns.value)


def test_a_table_without_duel_columns_has_no_runs_to_compare(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(BRIEF_COLUMNS)
        out.writerow(["t1", "coding", "m", "4", "", "1", "1", "1", "0.1", "0", ""])
    runs = load_route_table([path]).table.coded_runs()
    assert runs.models == [] and runs.duel.size == 0
    assert preference_table(runs) == {}
