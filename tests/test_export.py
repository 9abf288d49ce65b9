"""`modelduel export`: CSV (all or the brief's columns), typed JSON Lines, Markdown."""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

import pytest

from modelduel.commands.export import add_export_parser, run_export
from modelduel.errors import CsvError
from modelduel.storage import BRIEF_COLUMNS, append_run


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_export_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["export", *argv])


@pytest.fixture
def results(tmp_path: Path) -> Path:
    path = tmp_path / "r.csv"
    for i, (model, score) in enumerate([("openai/gpt-5.5", 4), ("anthropic/claude-opus-4-7", 5)]):
        row = {
            "task_id": "007",
            "task_type": "adhoc",
            "model": model,
            "score": score,
            "time_to_first_useful_s": 1.23456,
            "cost_usd": 0.0123456,
            "run_id": f"run-{i}",
            "duel_id": "duel-1",
            "blind": True,
        }
        transcript = {"run_id": f"run-{i}", "prompt": "Q?", "text": "# Heading\n\n```py\nx\n```"}
        append_run(path, row, transcript)
    return path


def test_csv_brief_columns(results: Path, tmp_path: Path) -> None:
    out = tmp_path / "brief.csv"
    assert run_export(parse(str(results), "--brief-columns", "-o", str(out))) == 0
    rows = list(csv.reader(out.open()))
    assert tuple(rows[0]) == BRIEF_COLUMNS and len(rows) == 3
    assert rows[1][0] == "007"


def test_jsonl_is_typed_and_carries_the_texts(results: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    run_export(parse(str(results), "--format", "jsonl", "-o", str(out)))
    first = json.loads(out.read_text().splitlines()[0])
    assert first["score"] == 4 and first["blind"] is True and first["notes"] is None
    assert first["task_id"] == "007"  # ids stay text even when they look numeric
    assert first["transcript"]["text"].startswith("# Heading")


def test_markdown_fences_answers_and_rounds(results: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.md"
    run_export(parse(str(results), "--format", "markdown", "--duel", "duel-1", "-o", str(out)))
    text = out.read_text()
    assert "````markdown\n# Heading" in text  # the answer's heading stays inside its fence
    assert "| 1.23 |" in text and "| 0.0123 |" in text


def test_missing_file_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CsvError, match="no such file"):
        run_export(parse(str(tmp_path / "nope.csv")))
