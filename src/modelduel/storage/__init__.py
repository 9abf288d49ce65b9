"""Results on disk: the results CSV and the JSON Lines transcript beside it."""

from __future__ import annotations

from modelduel.storage.cells import decode_cell, encode_cell
from modelduel.storage.csvstore import (
    BRIEF_COLUMNS,
    COLUMNS,
    EXTRA_COLUMNS,
    BadRow,
    CsvRows,
    OpenedFile,
    append_run,
    ensure_writable,
    read_rows,
    read_rows_with_lines,
    update_run,
    write_transcript,
)
from modelduel.storage.transcript import read_transcripts, transcript_path

__all__ = [
    "BRIEF_COLUMNS",
    "COLUMNS",
    "EXTRA_COLUMNS",
    "BadRow",
    "CsvRows",
    "OpenedFile",
    "append_run",
    "decode_cell",
    "encode_cell",
    "ensure_writable",
    "read_rows",
    "read_rows_with_lines",
    "read_transcripts",
    "transcript_path",
    "update_run",
    "write_transcript",
]
