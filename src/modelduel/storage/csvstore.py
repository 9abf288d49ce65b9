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
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import logging
import operator
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, overload

from modelduel.errors import CsvError

# the names are re-exported; the code reads them through the module, so the table is the
# one source even where a test swaps it
from modelduel.storage import columns
from modelduel.storage.cells import decode_cell, encode_cell
from modelduel.storage.columns import BRIEF_COLUMNS, COLUMNS, EXTRA_COLUMNS
from modelduel.storage.durable import append_durably
from modelduel.storage.lock import file_lock
from modelduel.storage.transcript import (
    append_transcript,
    fsync_dir,
    transcript_path,
    write_all,
)

__all__ = [
    "BRIEF_COLUMNS",
    "COLUMNS",
    "EXTRA_COLUMNS",
    "BadRow",
    "ColumnChunk",
    "ColumnChunks",
    "CsvRows",
    "append_run",
    "ensure_writable",
    "read_column_chunks",
    "read_rows",
    "read_rows_with_lines",
    "update_run",
]


Notice = Callable[[str], None]

_BOM = b"\xef\xbb\xbf"
_log = logging.getLogger("modelduel.storage")


def _raise_field_limit() -> None:
    """Lift the csv module's 131,072-character cell limit so long notes and errors read back."""
    limit = sys.maxsize
    while True:
        try:
            csv.field_size_limit(limit)
            return
        except OverflowError:  # a C long is 32 bits on some platforms
            limit //= 2


_raise_field_limit()


def _log_notice(message: str) -> None:
    _log.warning("%s", message)


def _os_error(path: Path, exc: OSError, doing: str) -> CsvError:
    """One line for an OS error, naming the file and what to do about it."""
    reason = exc.strerror or str(exc)
    if isinstance(exc, IsADirectoryError):
        hint = "it is a directory; pass a file path"
    elif isinstance(exc, PermissionError):
        hint = "check the permissions of the file and its directory"
    elif isinstance(exc, FileNotFoundError):
        hint = "check that the directory exists"
    else:
        hint = "check the disk and the path"
    return CsvError(f"{path}: cannot {doing} ({reason}); {hint}")


class _TornLine(Exception):
    """Raised inside the line feeder: the final, unterminated line is not valid text."""


@dataclass
class _Parsed:
    """A results CSV as read: raw cells (not decoded), plus what is needed to write it back."""

    bom: bool
    header: list[str]
    rows: list[list[str]]  # data records as stored; a blank line is []
    row_lines: list[int]  # 1-based line on which each data record starts
    newline: str  # the file's line terminator, kept when we write
    needs_newline: bool  # the last record is complete but has no final newline
    torn_at: int | None  # byte offset where an incomplete last record starts
    torn_reason: str


def _split_lines(data: bytes, start: int) -> tuple[list[bytes], list[int]]:
    """Split at b"\\n" only (keeping it), with each line's byte offset.

    Splitting bytes at b"\\n" is safe for UTF-8 (no multi-byte character contains it) and
    keeps U+2028, VT, FF and lone CRs inside the lines, where the csv module expects them.
    """
    lines: list[bytes] = []
    offsets: list[int] = []
    pos = start
    while pos < len(data):
        end = data.find(b"\n", pos)
        end = len(data) if end < 0 else end + 1
        lines.append(data[pos:end])
        offsets.append(pos)
        pos = end
    return lines, offsets


def _parse(path: Path, data: bytes) -> _Parsed:
    """Parse a whole CSV file; detect (but do not repair) a torn last record.

    Raises:
        CsvError: The file is damaged somewhere other than its last record (bad quoting,
            NUL bytes, not UTF-8), or its header is incomplete.
    """
    bom = data.startswith(_BOM)
    lines, offsets = _split_lines(data, len(_BOM) if bom else 0)
    newline = "\r\n" if lines and lines[0].endswith(b"\r\n") else "\n"

    def feed() -> Iterator[str]:
        for i, raw in enumerate(lines):
            final_unterminated = i == len(lines) - 1 and not raw.endswith(b"\n")
            # NUL bytes mean binary damage (a file system fills a crashed append with zeros).
            if b"\x00" in raw:
                if final_unterminated:
                    raise _TornLine("NUL bytes")
                raise CsvError(
                    f"{path}: line {i + 1} contains NUL bytes; the file is damaged "
                    "(restore it from a copy or remove that line)"
                )
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError:
                if final_unterminated:  # a write cut inside a multi-byte character
                    raise _TornLine("not UTF-8") from None
                raise CsvError(
                    f"{path}: line {i + 1} is not UTF-8 text; save the file as 'CSV UTF-8'"
                ) from None

    # strict: a stray quote mid-file is an error here, instead of silently swallowing the
    # rest of the file into one cell (which would look like a torn last record).
    reader = csv.reader(feed(), strict=True)
    records: list[list[str]] = []
    starts: list[int] = []  # 0-based index of each record's first line
    torn_line: int | None = None
    torn_reason = ""
    while True:
        first = reader.line_num
        try:
            record = next(reader)
        except StopIteration:
            break
        except _TornLine as exc:
            torn_line, torn_reason = first, f"its last line is cut short ({exc})"
            break
        except csv.Error as exc:
            if "unexpected end of data" in str(exc):
                torn_line, torn_reason = first, "it ends inside a quoted cell"
                break
            raise CsvError(
                f"{path}: line {reader.line_num}: {exc}; fix the quoting on that line"
            ) from None
        records.append(record)
        starts.append(first)

    header = records[0] if records else []
    needs_newline = False
    if torn_line is None and records:
        # The last non-blank data record decides (a trailing blank line is harmless).
        last = max((i for i, r in enumerate(records) if r), default=0)
        ends_with_newline = data.endswith(b"\n")
        if last > 0 and len(records[last]) != len(header):
            torn_line = starts[last]
            torn_reason = (
                f"its last row has {len(records[last])} cells where the header has {len(header)}"
            )
        elif not ends_with_newline:
            # A complete last record without a final newline is what many exporters write
            # (e.g. Google Sheets); it is kept, and a newline is added before the next row.
            needs_newline = True
    if torn_line is not None:
        if torn_line == 0:
            raise CsvError(
                f"{path}: the header row is incomplete ({torn_reason}); fix or remove the file"
            )
        records = records[: starts.index(torn_line)] if torn_line in starts else records
    return _Parsed(
        bom=bom,
        header=header,
        rows=records[1:],
        row_lines=[s + 1 for s in starts[1 : len(records)]],
        newline=newline,
        needs_newline=needs_newline,
        torn_at=None if torn_line is None else offsets[torn_line],
        torn_reason=torn_reason,
    )


@dataclass(frozen=True)
class BadRow:
    """A data row whose number of cells differs from the header's: left out, never padded.

    Attributes:
        line: the 1-based line on which the row starts.
        cells: how many cells it has.
        expected: how many the header has.
    """

    line: int
    cells: int
    expected: int

    @property
    def problem(self) -> str:
        """`malformed row: 9 cells where the header has 11`."""
        return f"malformed row: {self.cells} cells where the header has {self.expected}"

    def describe(self, path: Path) -> str:
        """`FILE:LINE: malformed row: 9 cells where the header has 11`."""
        return f"{path}:{self.line}: {self.problem}"


@dataclass(frozen=True)
class CsvRows:
    """A results CSV as read, with line numbers.

    Attributes:
        rows: (line, row) for every well-formed, non-blank data row, in file order; each
            row maps every column of `COLUMNS` and of the header to its decoded cell.
        bad: the malformed rows, left out of `rows`.
    """

    rows: list[tuple[int, dict[str, str]]]
    bad: list[BadRow]


def _semicolon_hint(header: list[str]) -> str | None:
    """A fix for a `;`-separated file (what spreadsheets export in many locales), if it is one."""
    if len(header) != 1 or ";" not in header[0]:
        return None
    names = {name.strip() for name in header[0].split(";")}
    if not set(columns.BRIEF_COLUMNS) <= names:
        return None
    return (
        "it is ;-separated, and modelduel reads comma-separated CSV: export it again as "
        "'CSV UTF-8 (comma delimited)', or convert it with "
        """python -c "import csv,sys; csv.writer(sys.stdout).writerows(csv.reader(sys.stdin, """
        """delimiter=';'))" < IN.csv > OUT.csv"""
    )


def _check_header(path: Path, parsed: _Parsed) -> None:
    """Require the brief's columns, each once (we could not tell which copy to use)."""
    _check_header_cells(path, parsed.header)


def _check_header_cells(path: Path, header: list[str]) -> None:
    seen: set[str] = set()
    for name in header:
        if name in seen and name in columns.COLUMNS:
            raise CsvError(f"{path}: column {name!r} appears twice in the header; remove one")
        seen.add(name)
    missing = [c for c in columns.BRIEF_COLUMNS if c not in seen]
    semicolons = _semicolon_hint(header) if missing else None
    if semicolons is not None:
        raise CsvError(f"{path}: not a results CSV as it is: {semicolons}")
    if missing:
        raise CsvError(
            f"{path}: not a results CSV: the header lacks {', '.join(missing)} "
            "(pick another --csv path, or add those columns)"
        )


def _read(path: Path) -> bytes | None:
    """The file's bytes, or None when it does not exist."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _os_error(path, exc, "read the results CSV") from None


def _torn_path(path: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    candidate = path.with_name(f"{path.name}.torn-{stamp}")
    n = 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.name}.torn-{stamp}-{n}")
    return candidate


def _repair(path: Path, data: bytes, torn_at: int, reason: str, notice: Notice) -> bytes:
    """Move the torn tail into a ``.torn-`` file beside the CSV, then cut it off the CSV.

    The caller holds the lock. The tail is made durable in its own file before the CSV is
    truncated, so a crash in between leaves the bytes in both places, never in neither.
    """
    tail = data[torn_at:]
    torn = _torn_path(path)
    try:
        fd = os.open(torn, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
        try:
            write_all(fd, tail)
            os.fsync(fd)
        finally:
            os.close(fd)
        fsync_dir(path.parent)
        with open(path, "r+b") as f:
            f.truncate(torn_at)
            f.flush()
            os.fsync(f.fileno())
    except OSError as exc:
        raise _os_error(path, exc, "repair its torn last row") from None
    notice(
        f"{path}: the last row was incomplete ({reason}); moved its {len(tail)} bytes "
        f"to {torn.name} and removed them from the CSV"
    )
    return data[:torn_at]


def _load_locked(
    path: Path, notice: Notice, *, reading: bool = False
) -> tuple[bytes | None, _Parsed | None]:
    """Read and parse the CSV under the caller's lock, repairing a torn last record.

    Args:
        path: The results CSV.
        notice: Told about a repair.
        reading: Only reading: if the repair fails (a read-only file), skip the torn
            record and say so instead of failing.

    Returns:
        The (repaired) bytes and parse; (None, None) for a missing file and
        (data, None) for an empty one (zero bytes or only a BOM).
    """
    data = _read(path)
    if data is None or data in (b"", _BOM):
        return data, None
    parsed = _parse(path, data)
    # The header first: a file that is not a results CSV is refused, and never "repaired".
    _check_header(path, parsed)
    if parsed.torn_at is not None:
        try:
            data = _repair(path, data, parsed.torn_at, parsed.torn_reason, notice)
        except CsvError as exc:
            if not reading:
                raise
            notice(f"{path}: the last row is incomplete ({parsed.torn_reason}); skipped it ({exc})")
            data = data[: parsed.torn_at]
        parsed.torn_at = None
    return data, parsed


def _render(rows: list[list[str]], newline: str) -> str:
    """Rows as CSV text (QUOTE_MINIMAL) ending each record with ``newline``."""
    # The csv writer only quotes a cell for the line-end characters in its lineterminator:
    # with "\n" a lone "\r" would go out unquoted and break the file. So write with "\r\n"
    # (every CR or LF in a cell gets quoted) and swap each record's own terminator.
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    out: list[str] = []
    for row in rows:
        writer.writerow(row)
        out.append(buf.getvalue()[:-2])
        out.append(newline)
        buf.seek(0)
        buf.truncate()
    return "".join(out)


def _rewrite(path: Path, bom: bool, rows: list[list[str]], newline: str) -> None:
    """Replace the CSV atomically with ``rows`` (header first): temp file, fsync, rename.

    The caller holds the lock. A symlinked CSV stays a symlink: its target is replaced.
    """
    path = Path(os.path.realpath(path))
    payload = (_BOM if bom else b"") + _render(rows, newline).encode("utf-8")
    try:
        mode = os.stat(path).st_mode & 0o7777
    except OSError:
        mode = None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise _os_error(path, exc, "create a temporary file beside the results CSV") from None
    try:
        try:
            write_all(fd, payload)
            if mode is not None:
                os.fchmod(fd, mode)  # mkstemp makes 0600; keep the original permissions
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise _os_error(path, exc, "rewrite the results CSV") from None
        raise
    fsync_dir(path.parent)


def _extend(path: Path, parsed: _Parsed, names: list[str]) -> None:
    """Add columns at the end of the header, padding well-formed rows so cells stay aligned.

    A malformed row with fewer cells stays as it was (still malformed under the wider
    header); one with more cells could come out looking valid, so it stops the change.
    """
    width = len(parsed.header)
    for row, line in zip(parsed.rows, parsed.row_lines, strict=True):
        if len(row) > width:
            raise CsvError(
                f"{path}: line {line} has more cells than the header, so columns cannot be "
                "added safely; fix that row"
            )
    parsed.header.extend(names)
    for row in parsed.rows:
        if len(row) == width:
            row.extend([""] * (len(parsed.header) - width))


def _missing_columns(header: list[str], row: Mapping[str, object]) -> list[str]:
    """Our columns and the row's keys that the header lacks, in a stable order."""
    present = set(header)
    names = [c for c in columns.COLUMNS if c not in present]
    names += [k for k in row if k not in present and k not in columns.COLUMNS]
    return names


def _append_bytes(path: Path, payload: bytes) -> None:
    """Append ``payload`` with one write, fsync; undo a partial write. Caller holds the lock."""
    try:
        append_durably(path, payload)
    except OSError as exc:
        # os.open names the file in its error; a failed write or fsync does not
        doing = "open the results CSV for writing" if exc.filename else "append to the results CSV"
        raise _os_error(path, exc, doing) from None


def _write_transcript(path: Path, record: Mapping[str, object]) -> None:
    try:
        append_transcript(path, record)
    except OSError as exc:
        raise _os_error(transcript_path(path), exc, "append to the transcript") from None


def append_run(
    path: Path,
    row: Mapping[str, object],
    transcript: Mapping[str, object] | None = None,
    *,
    on_notice: Notice | None = None,
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

    Raises:
        CsvError: The file cannot be read as a results CSV or cannot be written.
    """
    notice = on_notice or _log_notice
    try:
        with file_lock(path):
            _, parsed = _load_locked(path, notice)
            if parsed is None:
                header = list(columns.COLUMNS) + [k for k in row if k not in columns.COLUMNS]
                payload = _render([header, [encode_cell(row.get(c)) for c in header]], "\n")
                if transcript is not None:
                    _write_transcript(path, transcript)
                # Header and first row in one write, so a crash leaves no header-only file.
                # An empty file that holds only a BOM keeps it: this appends after it.
                _append_bytes(path, payload.encode("utf-8"))
                return
            names = _missing_columns(parsed.header, row)
            if names:
                _extend(path, parsed, names)
                _rewrite(path, parsed.bom, [parsed.header, *parsed.rows], parsed.newline)
                parsed.needs_newline = False  # the rewrite ended the file with a newline
            if transcript is not None:
                _write_transcript(path, transcript)
            cells = [encode_cell(row.get(c)) for c in parsed.header]
            text = _render([cells], parsed.newline)
            if parsed.needs_newline:
                text = parsed.newline + text
            _append_bytes(path, text.encode("utf-8"))
    except OSError as exc:
        raise _os_error(path, exc, "lock or write the results CSV") from None


def update_run(
    path: Path,
    run_id: str,
    changes: Mapping[str, object],
    *,
    on_notice: Notice | None = None,
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

    Raises:
        CsvError: The run is not in the file, or the file cannot be read or written.
    """
    notice = on_notice or _log_notice
    try:
        with file_lock(path):
            data, parsed = _load_locked(path, notice)
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
                _extend(path, parsed, names)
            row = parsed.rows[target]
            for name, value in changes.items():
                row[parsed.header.index(name)] = encode_cell(value)
            _rewrite(path, parsed.bom, [parsed.header, *parsed.rows], parsed.newline)
    except OSError as exc:
        raise _os_error(path, exc, "lock or write the results CSV") from None


def read_rows(
    path: Path, *, on_notice: Notice | None = None, repair: bool = True
) -> list[dict[str, str]]:
    """Read every well-formed run of a results CSV; each malformed row is reported and left out.

    See `read_rows_with_lines` for the arguments; a malformed row (a different number of
    cells than the header, not the last row) is told to ``on_notice`` by file and line.

    Returns:
        One dict per row, as in `CsvRows.rows`.
    """
    notice = on_notice or _log_notice
    result = read_rows_with_lines(path, on_notice=notice, repair=repair)
    for bad in result.bad:
        notice(f"{bad.describe(path)}; left out (fix or remove that row)")
    return [row for _, row in result.rows]


def read_rows_with_lines(
    path: Path, *, on_notice: Notice | None = None, repair: bool = True
) -> CsvRows:
    """Read a results CSV with the line of each row, and its malformed rows apart.

    A torn last row is repaired first (see the module docstring) when the directory is
    writable; otherwise it is left in place, skipped, and reported.

    Args:
        path: The results CSV; a file that does not exist reads as no rows.
        on_notice: Told about a torn last row; defaults to a logged warning.
        repair: False for readers that must leave the file exactly as it is (`route`):
            a torn last row is then skipped and reported, not repaired.

    Returns:
        The well-formed rows, each with every column of `COLUMNS` and of the file's header
        -> the cell text with the formula neutralisation undone (a column the file lacks
        is ``""``); blank lines are skipped; malformed rows are in `CsvRows.bad`.

    Raises:
        CsvError: The file is not a readable results CSV (names the file and line).
    """
    notice = on_notice or _log_notice
    if not path.exists():  # checked first so that reading creates no lock file
        return CsvRows([], [])
    parsed = None
    locked = False
    if repair:
        try:
            with file_lock(path):
                data, parsed = _load_locked(path, notice, reading=True)
            locked = True
        except OSError:
            pass  # no lock possible (e.g. a read-only directory): read as-is below
    if not locked:
        data = _read(path)
        parsed = None
        if data is not None and data not in (b"", _BOM):
            parsed = _parse(path, data)
            _check_header(path, parsed)
            if parsed.torn_at is not None:
                why = "left as it is" if not repair else "the directory is not writable"
                notice(
                    f"{path}: the last row is incomplete ({parsed.torn_reason}); skipped it "
                    f"({why}, so it was not repaired)"
                )
    if parsed is None:
        return CsvRows([], [])
    width = len(parsed.header)
    rows: list[tuple[int, dict[str, str]]] = []
    bad: list[BadRow] = []
    for row, line in zip(parsed.rows, parsed.row_lines, strict=True):
        if not row:
            continue
        if len(row) != width:
            bad.append(BadRow(line, len(row), width))
            continue
        record = dict.fromkeys(columns.COLUMNS, "")
        for name, cell in zip(parsed.header, row, strict=True):
            record[name] = decode_cell(cell)
        rows.append((line, record))
    return CsvRows(rows, bad)


@dataclass(frozen=True)
class ColumnChunk:
    """Consecutive well-formed rows of a results CSV, column by column.

    Attributes:
        lines: the 1-based line on which each row starts.
        cells: column name -> that column's decoded cell of each row (as in `CsvRows.rows`;
            a column the file lacks is all ``""``).
    """

    lines: Sequence[int]
    cells: dict[str, list[str]]


class _Lines(Sequence[int]):
    """The start line of each kept record of a batch, worked out only when first asked for
    (a reader asks for the lines of bad rows only)."""

    def __init__(
        self, batch: list[list[str]], start: int, end: int | None, kept: list[int] | None
    ) -> None:
        self._batch, self._start, self._end, self._kept = batch, start, end, kept
        self._lines: list[int] | None = None
        self._len = len(batch) if kept is None else len(kept)

    def _all(self) -> list[int]:
        if self._lines is None:
            lines = _record_lines(self._batch, self._start, self._end)
            self._lines = lines if self._kept is None else [lines[i] for i in self._kept]
            self._batch = []
        return self._lines

    def __len__(self) -> int:
        return self._len

    @overload
    def __getitem__(self, index: int) -> int: ...
    @overload
    def __getitem__(self, index: slice) -> list[int]: ...
    def __getitem__(self, index: int | slice) -> int | list[int]:
        return self._all()[index]


def _decoded(cells: tuple[str, ...] | list[str]) -> list[str]:
    """`decode_cell` of every cell, skipping the per-cell call when no cell starts with '."""
    # NUL is never in a cell here (the file was checked for it), so it separates safely
    joined = "\x00".join(cells)
    if not joined.startswith("'") and "\x00'" not in joined:
        return list(cells)
    return [decode_cell(cell) for cell in cells]


class ColumnChunks:
    """A results CSV read as a stream of `ColumnChunk`s, for readers of a few columns.

    What `read_rows_with_lines(path, repair=False)` reads, cell for cell and with the same
    errors and notices, without a dict (or even a list) per row: records are parsed one
    at a time, only the asked columns are kept, and they are handed over `chunk_rows` rows
    at a time, so memory stays near the file's size however many rows it has. Iterate once;
    `bad` (the malformed rows) is complete when the iteration ends.

    A file that is damaged (NUL bytes, not UTF-8) or whose header is not a results CSV's
    is read by `read_rows_with_lines` itself, so its error or repair notice is that one's.
    """

    def __init__(
        self, path: Path, names: tuple[str, ...], on_notice: Notice, chunk_rows: int
    ) -> None:
        self.path = path
        self.names = names
        self.bad: list[BadRow] = []
        self._notice = on_notice
        self._chunk_rows = chunk_rows

    def _slow(self) -> Iterator[ColumnChunk]:
        read = read_rows_with_lines(self.path, on_notice=self._notice, repair=False)
        self.bad = list(read.bad)
        for start in range(0, len(read.rows), self._chunk_rows):
            part = read.rows[start : start + self._chunk_rows]
            cells = {name: [row[name] for _, row in part] for name in self.names}
            yield ColumnChunk([line for line, _ in part], cells)

    def __iter__(self) -> Iterator[ColumnChunk]:
        path = self.path
        if not path.exists():
            return
        data = _read(path)
        if data is None or data in (b"", _BOM):
            return
        if b"\x00" in data or not _is_utf8(data):
            yield from self._slow()  # its error names the line, or it skips a torn last row
            return
        stream = io.BytesIO(data)  # shares data's buffer, no copy
        if data.startswith(_BOM):
            stream.seek(len(_BOM))
        # newline="\n": lines end at "\n" only, as `_parse` splits them (a lone CR stays in)
        text = io.TextIOWrapper(stream, encoding="utf-8", newline="\n")
        reader = csv.reader(text, strict=True)
        try:
            header = next(reader)
            _check_header_cells(path, header)
        except (StopIteration, csv.Error, CsvError):
            yield from self._slow()  # the header's own error, exactly as the full parse says
            return
        width = len(header)
        index = {name: i for i, name in enumerate(header)}  # a repeated unknown name: the last
        present = [name for name in self.names if name in index]
        pick = operator.itemgetter(*(index[name] for name in present))
        single = len(present) == 1
        last_bad = False
        torn_reason = ""
        while not torn_reason:
            start = reader.line_num
            batch: list[list[str]] = []
            append = batch.append
            try:
                # records a batch at a time: the per-record work stays in C
                for record in itertools.islice(reader, self._chunk_rows):
                    append(record)
            except csv.Error as exc:
                if "unexpected end of data" not in str(exc):
                    raise CsvError(
                        f"{path}: line {reader.line_num}: {exc}; fix the quoting on that line"
                    ) from None
                # a torn record: the one before it is judged as any other record
                torn_reason = "it ends inside a quoted cell"
            if not batch:
                break
            end = None if torn_reason else reader.line_num
            lines: Sequence[int]
            if set(map(len, batch)) == {width}:
                kept = batch
                lines = _Lines(batch, start, end, None)
                last_bad = False
            else:
                all_lines = _record_lines(batch, start, end)
                kept, kept_lines = [], []
                for record, line in zip(batch, all_lines, strict=True):
                    if not record:
                        continue
                    if len(record) != width:
                        self.bad.append(BadRow(line, len(record), width))
                        last_bad = True
                        continue
                    last_bad = False
                    kept.append(record)
                    kept_lines.append(line)
                lines = kept_lines
            if torn_reason:
                last_bad = False
            if kept:
                yield self._chunk(present, single, list(map(pick, kept)), lines)
            if len(batch) < self._chunk_rows:
                break
        if last_bad:
            # the last record has another number of cells than the header: torn, as `_parse` says
            torn = self.bad.pop()
            torn_reason = f"its last row has {torn.cells} cells where the header has {width}"
        if torn_reason:
            self._notice(
                f"{path}: the last row is incomplete ({torn_reason}); skipped it "
                "(left as it is, so it was not repaired)"
            )

    def _chunk(
        self, present: list[str], single: bool, picked: list[Any], lines: Sequence[int]
    ) -> ColumnChunk:
        columns: list[tuple[str, ...]] = (
            [tuple(picked)] if single else list(zip(*picked, strict=True))
        )
        cells = {name: _decoded(col) for name, col in zip(present, columns, strict=True)}
        for name in self.names:
            cells.setdefault(name, [""] * len(lines))
        return ColumnChunk(lines, cells)


def _record_lines(batch: list[list[str]], start: int, end: int | None) -> list[int]:
    """The 1-based line on which each record of a batch starts.

    The batch began after line `start` and (when `end` is known) ended on line `end`. A
    record takes one line plus one per newline inside its quoted cells (lines are split
    at "\n" only), so when the batch took as many lines as it has records, they are
    consecutive; otherwise each record's newlines are counted.
    """
    if end is not None and end - start == len(batch):
        return list(range(start + 1, start + 1 + len(batch)))
    lines: list[int] = []
    line = start + 1
    for record in batch:
        lines.append(line)
        line += 1 + "\x00".join(record).count("\n")
    return lines


def _is_utf8(data: bytes) -> bool:
    if data.isascii():
        return True
    try:
        data.decode("utf-8")  # a transient copy, for files with non-ASCII text only
    except UnicodeDecodeError:
        return False
    return True


def read_column_chunks(
    path: Path,
    names: tuple[str, ...],
    *,
    on_notice: Notice | None = None,
    chunk_rows: int = 8192,
) -> ColumnChunks:
    """Read a few columns of a results CSV as a stream of chunks, never repairing the file.

    Args:
        path: The results CSV; a file that does not exist reads as no rows.
        names: the columns wanted (one the file lacks reads as ``""`` cells).
        on_notice: Told about a torn last row (skipped, left in the file).
        chunk_rows: rows per chunk.

    Returns:
        An iterable of `ColumnChunk`; after the iteration its `bad` lists the malformed rows.

    Raises:
        CsvError: (while iterating) as `read_rows_with_lines`.
    """
    return ColumnChunks(path, names, on_notice or _log_notice, chunk_rows)


def ensure_writable(path: Path) -> None:
    """Check, before any model runs, that results could be saved to ``path``.

    Never modifies the file (a torn last row is left for the first write to repair).

    Args:
        path: The results CSV, existing or not.

    Raises:
        CsvError: The directory is missing or not writable, the path is a directory, or the
            file exists but is not readable as a results CSV (e.g. lacks a brief column).
    """
    parent = path.parent
    if path.is_dir():
        raise CsvError(f"{path}: is a directory; pass a file path for --csv")
    if not parent.is_dir():
        raise CsvError(
            f"{path}: the directory {parent} does not exist; create it or pick another path"
        )
    # The directory must be writable too: the lock file and the temp file of an update live
    # beside the CSV.
    if not os.access(parent, os.W_OK | os.X_OK):
        raise CsvError(f"{path}: the directory {parent} is not writable; pick another path")
    data = _read(path)
    if data is None:
        return
    if not os.access(path, os.W_OK):
        raise CsvError(f"{path}: the file is not writable; check its permissions")
    if data in (b"", _BOM):
        return
    _check_header(path, _parse(path, data))
