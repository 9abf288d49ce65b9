"""Parsing a results CSV: records, a torn last record found (not repaired), the header checked.

Nothing here writes; `csvread` repairs what this finds, `csvstore` writes.
"""

from __future__ import annotations

import csv
import errno
import logging
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from modelduel.errors import CsvError
from modelduel.storage import columns

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
    return CsvError(f"{path}: cannot {doing} ({reason}); {_hint(path, exc)}")


def _hint(path: Path, exc: OSError) -> str:
    """The fix that fits an OS error's reason (the errno), not one hint for all."""
    code = exc.errno
    if isinstance(exc, IsADirectoryError):
        return "it is a directory; pass a file path"
    if isinstance(exc, PermissionError):
        return "check the permissions of the file and its directory"
    if isinstance(exc, NotADirectoryError):
        return "a part of the path is a file, not a directory; pick another path"
    if isinstance(exc, FileNotFoundError):
        if path.parent.is_dir():  # it exists, yet takes no new file (e.g. under /proc)
            return f"no file can be created in {path.parent}; pick another path"
        return "check that the directory exists"
    if code == errno.EROFS:
        return "the file system is read-only; pick another path"
    if code in (errno.ENOSPC, errno.EDQUOT):
        return "free some disk space or pick another path"
    if code == errno.ENOLCK:
        return "this file system cannot lock files; pick a path on a local disk"
    return "check the disk and the path"


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
    """Require the 11 core columns (`BRIEF_COLUMNS`), each once (which copy would we use?)."""
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
