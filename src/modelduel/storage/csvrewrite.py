"""Writing a whole results CSV: rows rendered, the atomic rewrite, columns added.

An update (or an append that adds columns) rewrites the file: a complete new copy goes to
a temp file in the same directory, is fsynced and renamed over the CSV, so a reader sees
the old file or the new one, never a mix. The caller holds the lock (`lock.file_lock`).
Cells not changed are written back exactly as they were read; a malformed row is never
padded into looking valid. Appending a row and the lock are `csvstore`'s.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import tempfile
from pathlib import Path

from modelduel.errors import CsvError
from modelduel.storage.csvparse import _BOM, _os_error, _Parsed
from modelduel.storage.transcript import fsync_dir, write_all

__all__ = ["extend_header", "render_rows", "rewrite_atomically"]


def render_rows(rows: list[list[str]], newline: str) -> str:
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


def rewrite_atomically(path: Path, bom: bool, rows: list[list[str]], newline: str) -> None:
    """Replace the CSV atomically with ``rows`` (header first): temp file, fsync, rename.

    The caller holds the lock. A symlinked CSV stays a symlink: its target is replaced.
    """
    path = Path(os.path.realpath(path))
    payload = (_BOM if bom else b"") + render_rows(rows, newline).encode("utf-8")
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


def extend_header(path: Path, parsed: _Parsed, names: list[str]) -> None:
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
