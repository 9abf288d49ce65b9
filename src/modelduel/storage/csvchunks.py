"""A results CSV read as a stream of column chunks, for readers of a few columns (`route`)."""

from __future__ import annotations

import csv
import io
import itertools
import operator
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from modelduel.errors import CsvError
from modelduel.storage.cells import decode_cell
from modelduel.storage.csvparse import (
    _BOM,
    BadRow,
    Notice,
    _check_header_cells,
    _log_notice,
    _read,
)
from modelduel.storage.csvread import read_rows_with_lines


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
            # Each record is checked and its columns picked as it is read, and its line
            # taken from the reader's count, so no batch of whole records is held: holding
            # them cost more than parsing (the cells of 8,192 records fall out of the cache).
            picked: list[Any] = []
            lines: list[int] = []
            keep, at = picked.append, lines.append
            line_after = reader.line_num
            count = 0
            try:
                for record in itertools.islice(reader, self._chunk_rows):
                    count += 1
                    if len(record) == width:
                        keep(pick(record))
                        at(line_after + 1)
                        last_bad = False
                    elif record:  # a blank line reads as [] and is no row at all
                        self.bad.append(BadRow(line_after + 1, len(record), width))
                        last_bad = True
                    line_after = reader.line_num
            except csv.Error as exc:
                if "unexpected end of data" not in str(exc):
                    raise CsvError(
                        f"{path}: line {reader.line_num}: {exc}; fix the quoting on that line"
                    ) from None
                # a torn record: the one before it is judged as any other record
                torn_reason = "it ends inside a quoted cell"
                last_bad = False
            if picked:
                yield self._chunk(present, single, picked, lines)
            if count < self._chunk_rows:
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
