"""Runs of a results CSV written to a file of their own: CSV, JSON Lines or Markdown.

CSV with every column (or only the brief's 11), JSON Lines with cells typed and each
run's transcript joined in, or Markdown for reading and sharing. Used by `modelduel
export` and the TUI's session export alike.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from modelduel.fileutil import write_export
from modelduel.storage import columns as table
from modelduel.storage.cells import encode_cell

__all__ = ["FORMATS", "export_rows"]

FORMATS = ("csv", "jsonl", "markdown")
"""The formats `export_rows` writes."""


def export_rows(
    rows: Sequence[Mapping[str, str]],
    transcripts: Mapping[str, Mapping[str, Any]],
    out: Path | None,
    fmt: str,
    brief_columns: bool,
) -> None:
    """Write rows as csv, jsonl or markdown to `out` (None: stdout)."""
    if fmt == "csv":
        columns = list(table.BRIEF_COLUMNS if brief_columns else table.COLUMNS)
        if not brief_columns:
            for row in rows:
                columns.extend(k for k in row if k not in columns)
        text = _csv_text(rows, columns)
    elif fmt == "jsonl":
        lines = []
        for row in rows:
            # typed by the column table: numbers, flags, ids kept as text, empty as null
            record: dict[str, Any] = {k: table.typed_cell(k, v) for k, v in row.items()}
            record["transcript"] = transcripts.get(row.get("run_id") or "")
            lines.append(json.dumps(record, ensure_ascii=False))
        text = "".join(line + "\n" for line in lines)
    else:
        text = _markdown(rows, transcripts)
    if out is None:
        sys.stdout.write(text)
        return
    write_export(out, text)


def _fmt(cell: str, digits: int) -> str:
    try:
        return f"{float(cell):.{digits}g}" if cell else ""
    except ValueError:
        return cell


_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")


def _export_cell(cell: str) -> str:
    """A read (decoded) cell as written to an exported CSV: a number as it is, text made safe.

    Every text cell is neutralised again, whoever typed it: one the app wrote and one
    written by hand into the source CSV (`=HYPERLINK(...)` in a note) alike.
    """
    return cell if _PLAIN_NUMBER.fullmatch(cell) else encode_cell(cell)


def _csv_text(rows: Sequence[Mapping[str, str]], columns: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: _export_cell(row.get(c, "")) for c in columns})
    return buffer.getvalue()


def _markdown(
    rows: Sequence[Mapping[str, str]], transcripts: Mapping[str, Mapping[str, Any]]
) -> str:
    parts: list[str] = ["# modelduel export\n"]
    by_duel: dict[str, list[Mapping[str, str]]] = {}
    for row in rows:
        by_duel.setdefault(row.get("duel_id") or row.get("run_id") or "?", []).append(row)
    for duel_id, duel_rows in by_duel.items():
        first = transcripts.get(duel_rows[0].get("run_id") or "", {})
        parts.append(f"\n## {duel_rows[0].get('task_id', '')} ({duel_id})\n")
        if first.get("prompt"):
            parts.append("\n> " + str(first["prompt"]).replace("\n", "\n> ") + "\n")
        parts.append("\n| model | score | ttfu s | wall s | in | out | cost $ |\n")
        parts.append("|---|---|---|---|---|---|---|\n")
        for r in duel_rows:
            parts.append(
                f"| {r.get('model', '')} | {r.get('score', '')} | "
                f"{_fmt(r.get('time_to_first_useful_s', ''), 3)} | "
                f"{_fmt(r.get('wall_time_s', ''), 3)} | "
                f"{r.get('input_tokens', '')} | {r.get('output_tokens', '')} | "
                f"{_fmt(r.get('cost_usd', ''), 3)} |\n"
            )
        for r in duel_rows:
            record = transcripts.get(r.get("run_id") or "", {})
            # fenced, so an answer's own headings do not break this document's outline
            text = str(record.get("text") or "(no text)")
            fence = "`" * max(4, _longest_backtick_run(text) + 1)
            parts.append(f"\n### {r.get('model', '')}\n\n{fence}markdown\n{text}\n{fence}\n")
    return "".join(parts)


def _longest_backtick_run(text: str) -> int:
    longest = run = 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    return longest
