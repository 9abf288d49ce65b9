"""The transcript (.jsonl) a session opened is checked like its results CSV: moved or
deleted while the session runs, a write is refused (NOT saved), never a new file at the
path holding only the newest records, and never "saved" for texts not on disk."""

from __future__ import annotations

import json
from pathlib import Path

from modelduel.core.session_controller import SaveLedger
from modelduel.core.session_saves import SessionSaves
from modelduel.errors import CsvError
from modelduel.storage import append_run, read_rows
from modelduel.storage.opened import OpenedFile
from modelduel.storage.transcript import append_transcript, transcript_path
from tests.support.fake_duel import FakeDuel


def row(run_id: str) -> dict[str, object]:
    return {"task_id": "t", "task_type": "adhoc", "model": "m", "run_id": run_id}


def record(run_id: str, text: str = "answer") -> dict[str, object]:
    return {"run_id": run_id, "text": text}


def ids_in(path: Path) -> list[str]:
    return [json.loads(line)["run_id"] for line in path.read_text().splitlines()]


def test_a_moved_transcript_refuses_the_next_run_and_takes_it_once_back(
    tmp_path: Path,
) -> None:
    path = tmp_path / "r.csv"
    jsonl = transcript_path(path)
    ledger = SaveLedger(path)
    assert ledger.record_run("run-a", row("run-a"), record("run-a"))
    moved = tmp_path / "moved.jsonl"
    jsonl.rename(moved)
    assert not ledger.record_run("run-b", row("run-b"), record("run-b"))
    assert f"transcript {jsonl} was moved or deleted since the session opened it" in (
        ledger.last_error
    )
    assert not jsonl.exists()  # no new transcript holding only run-b
    assert [r["run_id"] for r in read_rows(path)] == ["run-a"]  # no row without its texts
    moved.rename(jsonl)
    assert ledger.retry()
    assert ids_in(jsonl) == ["run-a", "run-b"]
    assert [r["run_id"] for r in read_rows(path)] == ["run-a", "run-b"]


def test_a_deleted_transcript_says_not_saved_on_the_screen(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    saves = SessionSaves(SaveLedger(path))
    duel = FakeDuel.of("A", "B")
    a, b = duel.run_id(0), duel.run_id(1)
    assert saves.run_ended(a, row(a), record(a), duel.panes[0], "m") is None
    transcript_path(path).unlink()
    say = saves.run_ended(b, row(b), record(b), duel.panes[1], "m")
    assert say is not None and say.severity == "error"
    assert say.message.startswith("run NOT saved") and "moved or deleted" in say.message
    assert not transcript_path(path).exists()
    saves.sync([duel])
    assert duel.panes[0].saved and duel.panes[1].unsaved and not duel.panes[1].saved


def test_a_later_turns_record_is_not_written_into_a_new_transcript(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    ledger = SaveLedger(path)
    assert ledger.record_run("run-a", row("run-a"), record("run-a", "turn 1"))
    transcript_path(path).unlink()
    turn_two = {**row("run-a"), "turns": 2}
    assert not ledger.record_run("run-a", turn_two, record("run-a", "turn 2"))
    assert "moved or deleted" in ledger.last_error
    assert not transcript_path(path).exists()


def test_append_run_refuses_a_replaced_transcript(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    opened = OpenedFile(path)
    append_run(path, row("run-a"), record("run-a"), opened=opened)
    jsonl = transcript_path(path)
    other = tmp_path / "other.jsonl"
    other.write_text(json.dumps(record("run-x")) + "\n")
    other.replace(jsonl)  # another file now sits at the transcript's path
    try:
        append_run(path, row("run-b"), record("run-b"), opened=opened)
    except CsvError as exc:
        assert f"transcript {jsonl} was moved or deleted" in str(exc)
    else:
        raise AssertionError("a write into another transcript was not refused")
    assert ids_in(jsonl) == ["run-x"]


def test_a_session_without_a_transcript_creates_one_and_keeps_to_it(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(
        "task_id,task_type,model,score,time_to_first_useful_s,wall_time_s,input_tokens,"
        "output_tokens,cost_usd,manual_corrections,notes,run_id\nt,adhoc,m,,,,,,,,,old\n"
    )
    opened = OpenedFile(path)  # a CSV whose transcript was not moved with it
    append_run(path, row("run-a"), record("run-a"), opened=opened)
    append_transcript(path, record("run-a", "checked"), opened=opened.transcript)
    assert ids_in(transcript_path(path)) == ["run-a", "run-a"]
    transcript_path(path).unlink()
    try:
        append_transcript(path, record("run-a", "judged"), opened=opened.transcript)
    except CsvError as exc:
        assert "moved or deleted" in str(exc)
    else:
        raise AssertionError("the transcript the session created was not checked")
    assert not transcript_path(path).exists()
