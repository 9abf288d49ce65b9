"""More promises of storage/ that a mutation run showed no test could see break.

The durable append (CSV row and transcript record alike), the errors that name the file
and the fix, the read path's notices, cell encoding at its edges, and the exports.
Each was seen to fail against the mutant it was written for (`bench/mutation.py`).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from modelduel.errors import CsvError
from modelduel.storage import (
    OpenedFile,
    append_run,
    csvread,
    csvrewrite,
    csvstore,
    durable,
    encode_cell,
    read_rows,
    update_run,
)
from modelduel.storage.csvstore import read_rows_with_lines
from modelduel.storage.export import export_rows
from modelduel.storage.transcript import append_transcript, read_transcripts, transcript_path


def row(run_id: str, **cells: object) -> dict[str, object]:
    return {"task_id": "t1", "task_type": "coding", "model": "m/x", "run_id": run_id, **cells}


def half_then_full_disk(fd: int, data: bytes) -> None:
    """A write that meets a full disk half-way: half the bytes land, then ENOSPC."""
    os.write(fd, bytes(data)[: len(data) // 2])
    raise OSError(errno.ENOSPC, "No space left on device")


# --- the durable append ---------------------------------------------------------------


def test_a_transcript_append_that_fails_half_way_leaves_the_transcript_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    csv_path = tmp_path / "r.csv"
    append_transcript(csv_path, {"run_id": "r1", "text": "first"})
    before = transcript_path(csv_path).read_bytes()
    monkeypatch.setattr(durable, "write_all", half_then_full_disk)
    with pytest.raises(OSError, match="No space"):
        append_transcript(csv_path, {"run_id": "r2", "text": "x" * 5000})
    assert transcript_path(csv_path).read_bytes() == before


def test_a_csv_append_that_fails_half_way_names_the_file_and_leaves_no_partial_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "r.csv"
    append_run(path, row("r1"))
    before = path.read_bytes()
    monkeypatch.setattr(durable, "write_all", half_then_full_disk)
    with pytest.raises(CsvError) as info:
        append_run(path, row("r2", notes="n" * 5000))
    assert str(info.value).startswith(f"{path}: cannot append to the results CSV (No space")
    assert path.read_bytes() == before


def test_a_csv_that_cannot_be_opened_says_so_with_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "r.csv"

    def missing(path: Path, payload: bytes, **kw: object) -> None:
        raise FileNotFoundError(errno.ENOENT, "No such file or directory", str(path))

    monkeypatch.setattr(csvstore, "append_durably", missing)
    with pytest.raises(CsvError) as info:
        append_run(path, row("r1"))
    assert str(info.value) == (
        f"{path}: cannot open the results CSV for writing (No such file or directory); "
        f"no file can be created in {tmp_path}; pick another path"
    )  # the directory exists: "check that the directory exists" would send the user astray
    with pytest.raises(CsvError, match="check that the directory exists"):
        append_run(tmp_path / "gone" / "r.csv", row("r1"))


def test_append_durably_tells_an_open_failure_from_a_write_failure(tmp_path: Path) -> None:
    with pytest.raises(OSError) as info:
        durable.append_durably(tmp_path / "no" / "such.csv", b"x\n")
    assert info.value.filename is not None


def test_a_rewrite_that_cannot_make_its_temp_file_names_the_csv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "r.csv"
    append_run(path, row("r1"))
    before = path.read_bytes()

    def no_space(*args: object, **kw: object) -> tuple[int, str]:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(csvrewrite.tempfile, "mkstemp", no_space)
    with pytest.raises(CsvError) as info:
        update_run(path, "r1", {"score": 5})
    assert str(info.value).startswith(
        f"{path.resolve()}: cannot create a temporary file beside the results CSV"
    )
    assert path.read_bytes() == before


# --- the read path --------------------------------------------------------------------


def test_an_empty_file_reads_as_no_rows_without_repair(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(b"")
    assert read_rows_with_lines(path, repair=False).rows == []
    path.write_bytes(b"\xef\xbb\xbf")
    assert read_rows_with_lines(path, repair=False).rows == []


def torn_csv(tmp_path: Path) -> Path:
    path = tmp_path / "r.csv"
    append_run(path, row("r1"))
    with path.open("ab") as f:
        f.write(b't1,coding,"unfinished')
    return path


@contextlib.contextmanager
def no_lock(path: Path) -> Iterator[None]:
    raise PermissionError(errno.EACCES, "Permission denied")
    yield  # pragma: no cover


def test_a_torn_row_that_cannot_be_repaired_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = torn_csv(tmp_path)
    before = path.read_bytes()
    notices: list[str] = []
    read_rows(path, repair=False, on_notice=notices.append)
    assert len(notices) == 1 and "(left as it is, so it was not repaired)" in notices[0]
    monkeypatch.setattr(csvread, "file_lock", no_lock)  # reading (and repair) lives there
    notices.clear()
    rows = read_rows(path, on_notice=notices.append)
    assert [r["run_id"] for r in rows] == ["r1"]
    assert len(notices) == 1
    assert "(the directory is not writable, so it was not repaired)" in notices[0]
    assert path.read_bytes() == before


# --- cells ----------------------------------------------------------------------------


def test_decimals_are_plain_numbers_and_non_finite_ones_their_name() -> None:
    assert encode_cell(Decimal("1.50")) == "1.50"
    assert encode_cell(Decimal("1E+3")) == "1000"
    assert encode_cell(Decimal("NaN")) == "NaN"


def test_floats_lose_their_exponent_below_1e21_only() -> None:
    assert encode_cell(1.5e-5) == "0.000015"
    assert encode_cell(1e20) == "100000000000000000000"
    assert encode_cell(1e21) == "1e+21"


# --- exports --------------------------------------------------------------------------


def test_a_csv_export_of_rows_with_different_columns_leaves_missing_cells_empty(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out.csv"
    export_rows([{"run_id": "r1", "model": "a"}, {"run_id": "r2"}], {}, out, "csv", False)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[-1].startswith(",,") and "None" not in out.read_text(encoding="utf-8")


def test_a_markdown_export_shows_the_prompt_the_task_and_no_none_for_missing_cells(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out.md"
    rows = [{"run_id": "r1", "duel_id": "d1", "task_id": "t-sort"}]
    transcripts = {"r1": {"prompt": "Sort this", "text": "done"}}
    export_rows(rows, transcripts, out, "markdown", False)
    text = out.read_text(encoding="utf-8")
    assert "\n## t-sort (d1)\n" in text
    assert "\n> Sort this\n" in text
    assert "None" not in text
    assert "|  |  |  |  |  |  |  |" in text  # every missing cell is empty, not a default


def test_jsonl_export_joins_each_transcript(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    append_run(path, row("r1"), {"run_id": "r1", "text": "hello"})
    out = tmp_path / "out.jsonl"
    export_rows(read_rows(path), read_transcripts(transcript_path(path)), out, "jsonl", False)
    (record,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert record["transcript"]["text"] == "hello" and record["run_id"] == "r1"


def _row(run_id: str) -> dict[str, object]:
    return {"task_id": "t", "task_type": "adhoc", "model": "m", "run_id": run_id}


def test_an_append_after_the_opened_file_moved_is_refused_and_creates_nothing(
    tmp_path: Path,
) -> None:
    """The file a session opened is moved: the next append raises, naming the path and
    the fix, and no new file with one row appears at the old path."""
    path = tmp_path / "r.csv"
    opened = OpenedFile(path)
    append_run(path, _row("r1"), opened=opened)  # no file yet: created as usual
    moved = tmp_path / "moved.csv"
    path.rename(moved)
    with pytest.raises(CsvError) as caught:
        append_run(path, _row("r2"), opened=opened)
    assert str(caught.value) == (
        f"results file {path} was moved or deleted since the session opened it; "
        "s retries after you put it back, or quit to save elsewhere"
    )
    assert not path.exists()
    with pytest.raises(CsvError, match="moved or deleted"):
        update_run(path, "r1", {"score": 2}, opened=opened)
    assert not path.exists()
    moved.rename(path)  # put back: the same file, so the writes land in it
    append_run(path, _row("r2"), opened=opened)
    update_run(path, "r1", {"score": 2}, opened=opened)  # a rename: a new inode, adopted
    append_run(path, _row("r3"), opened=opened)
    assert [(r["run_id"], r["score"]) for r in read_rows(path)] == [
        ("r1", "2"),
        ("r2", ""),
        ("r3", ""),
    ]


def test_an_append_after_the_opened_file_was_deleted_or_replaced_is_refused(
    tmp_path: Path,
) -> None:
    path = tmp_path / "r.csv"
    append_run(path, _row("r0"))
    opened = OpenedFile(path)  # opened an existing file
    append_run(path, _row("r1"), opened=opened)
    path.unlink()
    with pytest.raises(CsvError, match="moved or deleted"):
        append_run(path, _row("r2"), opened=opened)
    assert not path.exists()
    append_run(path, _row("x"))  # another results file appears at the path
    with pytest.raises(CsvError, match=r"was replaced since the session opened it \(it lacks 1"):
        append_run(path, _row("r2"), opened=opened)
    assert [r["run_id"] for r in read_rows(path)] == ["x"]


def test_an_append_that_is_told_not_to_create_never_creates(tmp_path: Path) -> None:
    """The file vanishing between the check and the open is an error, not a new file."""
    path = tmp_path / "gone.csv"
    with pytest.raises(FileNotFoundError):
        durable.append_durably(path, b"a\n", create=False)
    assert not path.exists()


def test_a_file_removed_between_the_check_and_the_append_is_not_recreated(
    tmp_path: Path,
) -> None:
    """`mv` does not wait for our lock: the append after the check must not create a file."""
    path = tmp_path / "r.csv"
    append_run(path, _row("r0"))

    class MovedRightAfterTheCheck(OpenedFile):
        def check(self, ids_in_file: Iterable[str] | None) -> None:
            super().check(ids_in_file)
            path.rename(tmp_path / "moved.csv")

    opened = MovedRightAfterTheCheck(path)
    with pytest.raises(CsvError, match="open the results CSV for writing"):
        append_run(path, _row("r1"), opened=opened)
    assert not path.exists()
