"""The column table (storage.columns) is the one list of results-CSV columns.

Every column in it is written by `csv_row`, typed by the JSON Lines export and read back
by the kind the table gives it; a column added to the table alone reaches the header and
the export typing.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from modelduel.config import Config, DuelSettings, resolve_model
from modelduel.core import records
from modelduel.core.metrics import Cost, StreamStats
from modelduel.core.recorded_stats import stats_from_row
from modelduel.core.records import csv_row
from modelduel.core.session import DuelState, RunSlot
from modelduel.events import ErrorInfo
from modelduel.storage import append_run, columns, read_rows, update_run
from modelduel.storage.columns import TABLE, Column, ColumnKind, typed_cell
from modelduel.storage.export import export_rows

ENV = {"OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": "http://127.0.0.1:9/v1"}

# a cell of each kind and the value it reads back as
SAMPLE: dict[ColumnKind, tuple[str, object]] = {
    "text": ("some text", "some text"),
    "id": ("007", "007"),
    "int": ("3", 3),
    "float": ("2.5", 2.5),
    "bool": ("true", True),
}

STATS = StreamStats(
    status="failed",
    text="answer",
    reasoning_text="thought",
    connect_s=0.031,
    ttft_s=0.9,
    time_to_first_useful_s=1.25,
    wall_time_s=4.5,
    elapsed_s=4.5,
    gap_p50_s=None,
    gap_p95_s=None,
    gap_max_s=None,
    output_tokens_per_s=76.667,
    input_tokens=120,
    cached_input_tokens=20,
    output_tokens=345,
    reasoning_tokens=64,
    tokens_exact=False,
    cost=Cost(0.01095, "genai-prices 0.2.3"),
    finish_reason="stop",
    error=ErrorInfo("rate_limited", "slow down"),
    retries=2,
    cache_write_tokens=7,
)


@pytest.fixture
def duel(monkeypatch: pytest.MonkeyPatch) -> tuple[DuelState, RunSlot]:
    """A one-run duel whose run ended with every figure known (no network involved)."""
    model = resolve_model("openai/gpt-5.5", Config(), dict(ENV), DuelSettings())
    state = DuelState.create([model], "hi", None, task_id="007")
    slot = state.slots[0]
    slot.max_output_tokens = 64000
    monkeypatch.setattr(slot, "stats", lambda now_ns=None: STATS)
    return state, slot


def test_every_column_has_one_writer_in_table_order() -> None:
    assert list(records._FROM_RUN) == [c.name for c in TABLE]
    assert len(set(columns.COLUMNS)) == len(TABLE)


def test_csv_row_writes_every_column_of_the_table(duel: tuple[DuelState, RunSlot]) -> None:
    state, slot = duel
    row = csv_row(state, slot, blind=True)
    assert list(row) == list(columns.COLUMNS)
    assert row["blind"] is True and row["cache_write_tokens"] == 7 and row["pane"] == 0


def test_every_column_is_typed_by_its_kind_in_the_export(tmp_path: Path) -> None:
    row = {c.name: SAMPLE[c.kind][0] for c in TABLE}
    out = tmp_path / "r.jsonl"
    export_rows([row], {}, out, "jsonl", False)
    record = json.loads(out.read_text(encoding="utf-8"))
    for c in TABLE:
        expected = SAMPLE[c.kind][1]
        assert record[c.name] == expected and type(record[c.name]) is type(expected), c.name


def test_every_column_reads_back_what_was_written(
    tmp_path: Path, duel: tuple[DuelState, RunSlot]
) -> None:
    state, slot = duel
    path = tmp_path / "r.csv"
    written = csv_row(state, slot, blind=True)
    append_run(path, written)
    # the cells filled in later (score, rubric, checks, rank, notes) get a value of their kind
    later = {c.name: SAMPLE[c.kind][1] for c in TABLE if written[c.name] is None}
    update_run(path, slot.run_id, later)
    expected = written | later
    (row,) = read_rows(path)
    for c in TABLE:
        assert typed_cell(c.name, row[c.name]) == expected[c.name], c.name


def test_reopening_a_recorded_run_gives_back_its_figures(
    tmp_path: Path, duel: tuple[DuelState, RunSlot]
) -> None:
    state, slot = duel
    path = tmp_path / "r.csv"
    append_run(path, csv_row(state, slot))
    (row,) = read_rows(path)
    back = stats_from_row(row, {"text": "answer", "reasoning_text": "thought"})
    skipped = {"elapsed_s", "rate_buckets", "notices", "gap_p50_s", "gap_p95_s", "gap_max_s"}
    for f in dataclasses.fields(StreamStats):
        if f.name not in skipped:
            assert getattr(back, f.name) == getattr(STATS, f.name), f.name


def test_an_empty_or_hand_edited_cell_reads_as_unknown() -> None:
    assert typed_cell("score", "") is None
    assert typed_cell("score", "four") == "four"  # the export shows what is there
    assert typed_cell("task_id", "007") == "007"
    assert typed_cell("not_ours", "12") == "12"  # unknown columns are never guessed
    back = stats_from_row({"wall_time_s": "fast", "input_tokens": "inf"}, None)
    assert back.wall_time_s is None and back.input_tokens is None
    assert back.tokens_exact  # a row from before the column: its counts were exact


def test_a_column_added_to_the_table_reaches_header_and_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, duel: tuple[DuelState, RunSlot]
) -> None:
    """Adding a column is one table entry plus its writer: nothing else lists names."""
    table = (*TABLE, Column("judge_votes", "int", False, "votes of a judge model"))
    monkeypatch.setattr(columns, "TABLE", table)
    monkeypatch.setattr(columns, "COLUMNS", tuple(c.name for c in table))
    monkeypatch.setattr(columns, "_BY_NAME", {c.name: c for c in table})
    monkeypatch.setitem(records._FROM_RUN, "judge_votes", lambda run: 5)
    state, slot = duel
    path = tmp_path / "r.csv"
    append_run(path, csv_row(state, slot))
    header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[-1] == "judge_votes" and header[:-1] == [c.name for c in TABLE]
    rows = read_rows(path)
    assert rows[0]["judge_votes"] == "5"
    out = tmp_path / "r.jsonl"
    export_rows(rows, {}, out, "jsonl", False)
    assert json.loads(out.read_text(encoding="utf-8"))["judge_votes"] == 5
    # a file from before the column reads it as empty, and its export has the column
    old = tmp_path / "old.csv"
    old.write_text(",".join(c.name for c in TABLE) + "\n" + "," * (len(TABLE) - 1) + "\n")
    (old_row,) = read_rows(old)
    assert old_row["judge_votes"] == ""
    exported = tmp_path / "old-export.csv"
    export_rows([{"task_id": "t"}], {}, exported, "csv", False)
    assert (
        exported.read_text(encoding="utf-8")
        .splitlines()[0]
        .endswith(f",{TABLE[-1].name},judge_votes")
    )
