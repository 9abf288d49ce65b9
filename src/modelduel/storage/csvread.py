"""Reading a results CSV under its lock, repairing a torn last record on the way.

The repair rule (see `csvstore`'s docstring): a last record that is incomplete is moved
byte for byte into ``PATH.torn-YYYYMMDDTHHMMSS`` and cut off the CSV, and the caller is
told; a reader that must not change the file skips it and says so.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from modelduel.errors import CsvError
from modelduel.storage import columns
from modelduel.storage.cells import decode_cell
from modelduel.storage.csvparse import (
    _BOM,
    BadRow,
    CsvRows,
    Notice,
    _check_header,
    _log_notice,
    _os_error,
    _parse,
    _Parsed,
    _read,
)
from modelduel.storage.lock import file_lock
from modelduel.storage.transcript import fsync_dir, write_all


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


def parsed_results(path: Path, data: bytes | None) -> _Parsed | None:
    """The parse of a results CSV's bytes, its header checked; None for no file or no rows.

    Raises:
        CsvError: the file is not a results CSV (it lacks a core column, names the line).
    """
    if data is None or data in (b"", _BOM):
        return None
    parsed = _parse(path, data)
    _check_header(path, parsed)
    return parsed


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
    # The header first: a file that is not a results CSV is refused, and never "repaired".
    parsed = parsed_results(path, data)
    if parsed is None or data is None:
        return data, None
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
                _, parsed = _load_locked(path, notice, reading=True)
            locked = True
        except OSError:
            pass  # no lock possible (e.g. a read-only directory): read as-is below
    if not locked:
        parsed = parsed_results(path, _read(path))
        if parsed is not None and parsed.torn_at is not None:
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
