"""The results CSV: one row per model run, safe against crashes and concurrent writers.

How the guarantees are kept:

* **No torn rows from us.** A row is appended with a single write() of complete bytes
  to a file opened in append mode, then fsynced. If the write fails half-way (disk full),
  the file is truncated back to where it was.
* **Nothing lost between processes.** Every write (append or update) holds an exclusive
  advisory lock on a sidecar file (`lock.file_lock`). An update reads the whole file,
  writes a complete new copy to a temp file in the same directory, fsyncs it and renames
  it over the CSV, all under the lock, so an append by another process either happened
  before (and is in the copy) or waits until the rename is done.
* **Torn rows from others.** A last record that is incomplete (a writer killed mid-row,
  no final newline, an unterminated quote at the end, a different number of fields than
  the header) is moved byte for byte into ``PATH.torn-YYYYMMDDTHHMMSS`` and cut off the
  CSV, and the caller is told. Bytes are never silently dropped.
* **Malformed rows are never made to look valid.** A row (not the last) with more or fewer
  cells than the header is reported by file and line, left out of what readers return,
  and written back exactly as it was: never padded, not even when columns are added.
* **Files from elsewhere.** Column order, unknown columns, a UTF-8 BOM and CRLF line ends
  are kept; our missing columns are added at the end; cells we do not change are written
  back exactly as they were read.

The module is split along these seams: `csvparse` (bytes to records, header checks),
`csvread` (reading under the lock, repairing a torn last row), `csvchunks` (the columnar
reader), `csvrewrite` (rendering rows, the atomic rewrite, adding columns), and this
module (appending, updating).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

from modelduel.errors import CsvError
from modelduel.fileutil import missing_directory

# the names are re-exported; the code reads them through the module, so the table is the
# one source even where a test swaps it
from modelduel.storage import columns
from modelduel.storage.cells import decode_cell, encode_cell
from modelduel.storage.columns import BRIEF_COLUMNS, COLUMNS, EXTRA_COLUMNS
from modelduel.storage.csvchunks import ColumnChunk, ColumnChunks, read_column_chunks
from modelduel.storage.csvparse import (
    BadRow,
    CsvRows,
    Notice,
    _log_notice,
    _os_error,
    _Parsed,
    _read,
)
from modelduel.storage.csvread import (
    _load_locked,
    parsed_results,
    read_rows,
    read_rows_with_lines,
)
from modelduel.storage.csvrewrite import extend_header, render_rows, rewrite_atomically
from modelduel.storage.durable import append_durably, followed
from modelduel.storage.lock import file_lock
from modelduel.storage.opened import OpenedFile
from modelduel.storage.transcript import OpenedTranscript, append_transcript, transcript_path

__all__ = [
    "BRIEF_COLUMNS",
    "COLUMNS",
    "EXTRA_COLUMNS",
    "BadRow",
    "ColumnChunk",
    "ColumnChunks",
    "CsvRows",
    "OpenedFile",
    "append_run",
    "ensure_writable",
    "read_column_chunks",
    "read_rows",
    "read_rows_with_lines",
    "update_run",
    "write_transcript",
]


def _missing_columns(header: list[str], row: Mapping[str, object]) -> list[str]:
    """Our columns and the row's keys that the header lacks, in a stable order."""
    present = set(header)
    names = [c for c in columns.COLUMNS if c not in present]
    names += [k for k in row if k not in present and k not in columns.COLUMNS]
    return names


def _ids(data: bytes | None, parsed: _Parsed | None) -> Iterator[str] | None:
    """The run ids in a loaded file, lazily (None for a missing file)."""
    if data is None:
        return None
    if parsed is None or "run_id" not in parsed.header:
        return iter(())
    col = parsed.header.index("run_id")
    width = len(parsed.header)
    return (decode_cell(r[col]) for r in parsed.rows if len(r) == width)


def _append_bytes(path: Path, payload: bytes, *, create: bool = True) -> None:
    """Append ``payload`` with one write, fsync; undo a partial write. Caller holds the lock."""
    try:
        append_durably(path, payload, create=create)
    except OSError as exc:
        # os.open names the file in its error; a failed write or fsync does not
        doing = "open the results CSV for writing" if exc.filename else "append to the results CSV"
        raise _os_error(path, exc, doing) from None


def _write_transcript(path: Path, record: Mapping[str, object], opened: OpenedFile | None) -> None:
    _append_transcript_record(path, record, None if opened is None else opened.transcript)


def _append_transcript_record(
    path: Path, record: Mapping[str, object], opened: OpenedTranscript | None
) -> None:
    try:
        append_transcript(path, record, opened=opened)
    except OSError as exc:
        raise _os_error(transcript_path(path), exc, "append to the transcript") from None


def write_transcript(
    path: Path, record: Mapping[str, object], *, opened: OpenedTranscript | None = None
) -> None:
    """Append one record to the transcript beside the results CSV ``path``, under its lock.

    For a record with no row of its own to append (a later turn of a run whose row is in
    the file already); `append_run` writes a new run's record itself.

    Args:
        path: The results CSV.
        record: The transcript record.
        opened: The transcript the session opened: refused if the path no longer names it.

    Raises:
        CsvError: One line naming the transcript, the reason and a fix.
    """
    try:
        with file_lock(path):
            _append_transcript_record(path, record, opened)
    except OSError as exc:
        raise _os_error(path, exc, "lock the results CSV") from None


def append_run(
    path: Path,
    row: Mapping[str, object],
    transcript: Mapping[str, object] | None = None,
    *,
    on_notice: Notice | None = None,
    opened: OpenedFile | None = None,
) -> None:
    """Append one run's row to the results CSV (and its texts to the transcript beside it).

    A new file gets the header `COLUMNS` (plus any other keys of ``row``). An existing file
    keeps its column order, BOM and unknown columns; columns it lacks are added at the end
    (an atomic rewrite) before the row is appended. The transcript record is written and
    fsynced first, so a row never points at a missing transcript.

    Args:
        path: The results CSV.
        row: Column name -> value (str, int, float, bool or None); missing columns are empty.
        transcript: The run's transcript record, appended to ``transcript_path(path)``.
        on_notice: Told about repairs (a torn last row); defaults to a logged warning.
        opened: The file the session opened: the row is refused (nothing is created or
            written) if the path no longer names it (moved, deleted or replaced), or if
            the transcript beside it no longer names the session's (`OpenedTranscript`).

    Raises:
        CsvError: The file cannot be read as a results CSV or cannot be written.
    """
    notice = on_notice or _log_notice
    try:
        with file_lock(path):
            data, parsed = _load_locked(path, notice)
            if opened is not None:
                opened.check(_ids(data, parsed))
                if transcript is not None:
                    # before the header is extended: a refused row leaves the CSV as it was
                    opened.transcript.check()
            create = opened is None or opened.may_create()
            run_id = row.get("run_id")
            if parsed is None:
                header = list(columns.COLUMNS) + [k for k in row if k not in columns.COLUMNS]
                payload = render_rows([header, [encode_cell(row.get(c)) for c in header]], "\n")
                if transcript is not None:
                    _write_transcript(path, transcript, opened)
                # Header and first row in one write, so a crash leaves no header-only file.
                # An empty file that holds only a BOM keeps it: this appends after it.
                _append_bytes(path, payload.encode("utf-8"), create=create)
                if opened is not None:
                    opened.wrote(str(run_id) if run_id else None)
                return
            names = _missing_columns(parsed.header, row)
            if names:
                extend_header(path, parsed, names)
                rewrite_atomically(path, parsed.bom, [parsed.header, *parsed.rows], parsed.newline)
                parsed.needs_newline = False  # the rewrite ended the file with a newline
            if transcript is not None:
                _write_transcript(path, transcript, opened)
            cells = [encode_cell(row.get(c)) for c in parsed.header]
            text = render_rows([cells], parsed.newline)
            if parsed.needs_newline:
                text = parsed.newline + text
            _append_bytes(path, text.encode("utf-8"), create=create)
            if opened is not None:
                opened.wrote(str(run_id) if run_id else None)
    except OSError as exc:
        raise _os_error(path, exc, "lock or write the results CSV") from None


def update_run(
    path: Path,
    run_id: str,
    changes: Mapping[str, object],
    *,
    on_notice: Notice | None = None,
    opened: OpenedFile | None = None,
) -> None:
    """Change cells of one run's row (e.g. its score), atomically and under the lock.

    The whole file is rewritten to a temp file, fsynced and renamed over the CSV, so a
    reader sees the old or the new file and never a mix. Only the changed cells are
    re-encoded; every other cell is written back as it was read.

    Args:
        path: The results CSV.
        run_id: The run to change; if it appears more than once, the last row is changed.
        changes: Column name -> new value; unknown columns are added at the end.
        on_notice: Told about repairs (a torn last row); defaults to a logged warning.
        opened: The file the session opened: nothing is written if the path no longer
            names it (moved, deleted or replaced).

    Raises:
        CsvError: The run is not in the file, or the file cannot be read or written.
    """
    notice = on_notice or _log_notice
    try:
        with file_lock(path):
            data, parsed = _load_locked(path, notice)
            if opened is not None:
                opened.check(_ids(data, parsed))
            if data is None:
                raise CsvError(f"{path}: does not exist, so run {run_id} cannot be updated")
            if parsed is None or "run_id" not in parsed.header:
                raise CsvError(f"{path}: has no run_id column, so run {run_id} is not in it")
            col = parsed.header.index("run_id")
            width = len(parsed.header)
            target = None
            for i, row in enumerate(parsed.rows):
                # a malformed row is never the one changed: its cells may be shifted
                if len(row) == width and decode_cell(row[col]) == run_id:
                    target = i
            if target is None:
                raise CsvError(f"{path}: no row with run_id {run_id!r}; nothing was changed")
            names = _missing_columns(parsed.header, changes)
            if names:
                extend_header(path, parsed, names)
            row = parsed.rows[target]
            for name, value in changes.items():
                row[parsed.header.index(name)] = encode_cell(value)
            rewrite_atomically(path, parsed.bom, [parsed.header, *parsed.rows], parsed.newline)
            if opened is not None:
                opened.wrote(run_id)  # the rename gave the file a new inode
    except OSError as exc:
        raise _os_error(path, exc, "lock or write the results CSV") from None


def ensure_writable(path: Path) -> None:
    """Check, before any model runs, that results could be saved to ``path``.

    Not only looked at but tried, as the first save will do it: the lock is taken, an
    existing CSV and transcript are opened for appending, and a file is created (and
    removed) in the directory, where a new CSV, a new transcript or an update's temp
    file would go. A directory that exists yet takes no files (under /proc, on a
    read-only mount) is refused here, not after the models have run and cost money.
    Never modifies the CSV or the transcript (a torn last row is left for the first
    write to repair); the lock's sidecar file stays, as it would after any write.

    Args:
        path: The results CSV, existing or not.

    Raises:
        CsvError: One line naming the file, the OS reason and a fix: the directory is
            missing or not writable, the path is a directory, the CSV or its transcript
            cannot be locked or appended to, or the file exists but is not readable as a
            results CSV (e.g. lacks a core column).
    """
    parent = path.parent
    if path.is_dir():
        raise CsvError(f"{path}: is a directory; pass a file path for --csv")
    if not parent.is_dir():
        raise CsvError(f"{path}: {missing_directory(parent)}")
    # The directory must be writable too: the lock file and the temp file of an update live
    # beside the CSV.
    if not os.access(parent, os.W_OK | os.X_OK):
        raise CsvError(f"{path}: the directory {parent} is not writable; pick another path")
    data = _read(path)
    if data is not None:
        if not os.access(path, os.W_OK):
            raise CsvError(f"{path}: the file is not writable; check its permissions")
        parsed_results(path, data)
    _try_writing(path)


def _try_writing(path: Path) -> None:
    """Take the lock, open what exists for appending, create a file beside: as a save does.

    Beside the path (the lock, a new transcript) and, for a symlinked CSV, beside its
    target too, where an update's temp file goes (`rewrite_atomically` resolves the link).
    """
    transcript = transcript_path(path)
    real = followed(path)
    try:
        with file_lock(path):
            _open_to_append(path, "append to the results CSV")
            _open_to_append(transcript, "append to the transcript")
            for directory in dict.fromkeys((path.parent, real.parent)):
                try:
                    fd, probe = tempfile.mkstemp(
                        prefix=f".{path.name}.", suffix=".probe", dir=directory
                    )
                except OSError as exc:
                    target = path if directory == path.parent else real
                    raise _os_error(target, exc, "create a file beside the results CSV") from None
                os.close(fd)
                os.unlink(probe)
    except OSError as exc:
        # the lock sits beside the file the path names (a symlink's target)
        raise _os_error(real, exc, "create or lock a file beside the results CSV") from None


def _open_to_append(target: Path, doing: str) -> None:
    """Open an existing file the way an append does (and close it); a missing one is fine.

    A symlink to a file not there yet counts as missing: the first append creates it
    (where its directory takes no file, the probe of `_try_writing` says so).
    """
    if not os.path.exists(target):
        return
    try:
        # read and write, as the transcript's append opens it (it reads the last byte)
        fd = os.open(target, os.O_RDWR | os.O_APPEND | os.O_CLOEXEC)
    except OSError as exc:
        raise _os_error(target, exc, doing) from None
    os.close(fd)
