"""Edges of saving that the first save, not the check before it, used to find out.

- a results CSV that is a symlink is checked where its writes really go (the link's
  target directory holds the update's temp file), and a link whose target does not exist
  yet is fine when the target's directory takes files (the first append creates it);
- a row refused because the transcript was moved leaves the CSV byte for byte as it was
  (no header extended, no rewrite), as `append_run` promises;
- the duel screen's transcript write, when it fails, says so in one line with the fix.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from modelduel.core.session_controller import SaveLedger
from modelduel.errors import CsvError
from modelduel.storage import append_run, ensure_writable, read_rows, transcript, transcript_path
from modelduel.storage.lock import lock_path
from modelduel.storage.opened import OpenedFile
from modelduel.storage.transcript import read_transcripts
from tests.test_csv_preflight import PROC, needs_proc


def row(run_id: str, **extra: object) -> dict[str, object]:
    return {"task_id": "t", "task_type": "adhoc", "model": "m", "run_id": run_id, **extra}


def test_a_link_to_a_file_not_there_yet_is_fine_and_the_save_creates_it(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    link = tmp_path / "a" / "r.csv"
    link.symlink_to(tmp_path / "b" / "real.csv")
    ensure_writable(link)
    append_run(link, row("run-1"))
    assert [r["run_id"] for r in read_rows(tmp_path / "b" / "real.csv")] == ["run-1"]


@needs_proc
def test_a_link_into_a_directory_that_takes_no_files_names_that_directory(
    tmp_path: Path,
) -> None:
    link = tmp_path / "r.csv"
    link.symlink_to(PROC / "r.csv")
    with pytest.raises(CsvError) as info:
        ensure_writable(link)
    line = str(info.value)
    assert "\n" not in line
    assert str(PROC) in line  # where the writes would go, not the link's own directory
    assert f"no file can be created in {tmp_path}" not in line


def test_a_row_refused_for_a_moved_transcript_leaves_the_csv_untouched(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    opened = OpenedFile(path)
    append_run(path, row("run-a"), {"run_id": "run-a", "text": "x"}, opened=opened)
    before = path.read_bytes()
    transcript_path(path).rename(tmp_path / "moved.jsonl")
    # a column the file lacks: the append would extend the header (a rewrite) first
    with pytest.raises(CsvError, match="was moved or deleted"):
        append_run(path, row("run-b", brand_new_column="v"), {"run_id": "run-b"}, opened=opened)
    assert path.read_bytes() == before


def test_a_later_turns_transcript_that_cannot_be_written_says_why_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "r.csv"
    ledger = SaveLedger(path)
    assert ledger.record_run("run-a", row("run-a", turns=1), {"run_id": "run-a", "text": "x"})

    def disk_full(*_: object, **__: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(transcript, "append_durably", disk_full)
    # the conversation's second turn: its row is in the file, its newer record goes first
    assert not ledger.record_run("run-a", row("run-a", turns=2), {"run_id": "run-a", "text": "y"})
    message = ledger.last_error
    assert "\n" not in message
    assert str(transcript_path(path)) in message
    assert "[Errno" not in message  # the OS reason in words, and the fix, not a repr
    assert "free some disk space" in message


def test_a_symlinked_csv_keeps_its_transcript_and_lock_beside_the_file_it_names(
    tmp_path: Path,
) -> None:
    """Rows go to the link's target; so do the texts and the lock (a session writing the
    target by its own name must meet the same lock and find the same transcript)."""
    real = tmp_path / "real"
    real.mkdir()
    target = real / "target.csv"
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    append_run(link, row("run-1"), {"run_id": "run-1", "text": "the answer"})
    assert transcript_path(link) == transcript_path(target)
    assert lock_path(link) == lock_path(target)
    assert not (tmp_path / "link.jsonl").exists()
    assert "the answer" in (real / "target.jsonl").read_text()
    assert read_transcripts(target)["run-1"]["text"] == "the answer"
