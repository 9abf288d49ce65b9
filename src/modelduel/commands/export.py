"""`modelduel export`: a session (or chosen duels) to a file of its own.

CSV with every column (or only the brief's 11 with `--brief-columns`), JSON Lines
with the texts joined in, or Markdown for reading and sharing.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from modelduel.errors import CsvError, ModelduelError

__all__ = ["add_export_parser", "export_rows", "parse_since", "run_export"]

FORMATS = ("csv", "jsonl", "markdown")


def add_export_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The `export` subcommand's arguments."""
    p = sub.add_parser(
        "export",
        help="export runs of a results CSV (a session, or chosen duels) to a new file",
        description="Export rows of a results CSV, with their texts if asked, to a new file.",
    )
    p.add_argument("csv", type=Path, help="the results CSV to read")
    p.add_argument("-o", "--out", type=Path, help="file to write (default: stdout)")
    p.add_argument("--format", choices=FORMATS, default="csv", help="csv, jsonl or markdown")
    p.add_argument("--brief-columns", action="store_true", help="only the brief's 11 columns (csv)")
    p.add_argument("--duel", action="append", metavar="ID", help="only this duel id (repeatable)")
    p.add_argument("--since", metavar="DATE", help="only runs on or after DATE (YYYY-MM-DD)")


def run_export(args: argparse.Namespace) -> int:
    """Export; exit 2 when the CSV cannot be read or an option is bad, 1 when no run matches."""
    from modelduel.core.routing import plural
    from modelduel.storage import read_rows, read_transcripts

    since = None if args.since is None else parse_since(args.since)
    if not args.csv.exists():
        raise CsvError(f"{args.csv}: no such file")
    rows = read_rows(args.csv, on_notice=lambda m: print(f"modelduel: {m}", file=sys.stderr))
    total = len(rows)
    filters: list[str] = []
    if args.duel:
        wanted = set(args.duel)
        rows = [r for r in rows if r.get("duel_id") in wanted]
        filters.append("--duel " + " ".join(args.duel))
    if since is not None:
        rows = [r for r in rows if _on_or_after(r.get("timestamp") or "", since)]
        filters.append(f"--since {args.since}")
    if not rows:
        what = f"match {' and '.join(filters)}" if filters else "are in it"
        print(
            f"modelduel: no runs {what} ({args.csv} holds {plural(total)}); nothing exported",
            file=sys.stderr,
        )
        return 1
    transcripts = read_transcripts(args.csv)
    export_rows(rows, transcripts, args.out, args.format, args.brief_columns)
    if args.out is not None:
        print(f"exported {plural(len(rows))} to {args.out}", file=sys.stderr)
    return 0


def parse_since(text: str) -> date:
    """`--since`: a calendar date, YYYY-MM-DD.

    Raises:
        ModelduelError: anything else, naming the option and the form it takes.
    """
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ModelduelError(
            f"--since {text!r}: not a date; write it as YYYY-MM-DD (e.g. 2026-11-30)"
        ) from None


def _on_or_after(timestamp: str, since: date) -> bool:
    """Whether a row's UTC timestamp falls on `since` or later; undated rows never do."""
    try:
        return datetime.fromisoformat(timestamp).date() >= since
    except ValueError:
        return False


def export_rows(
    rows: Sequence[Mapping[str, str]],
    transcripts: Mapping[str, Mapping[str, Any]],
    out: Path | None,
    fmt: str,
    brief_columns: bool,
) -> None:
    """Write rows as csv, jsonl or markdown to `out` (None: stdout)."""
    from modelduel.storage import BRIEF_COLUMNS, COLUMNS

    if fmt == "csv":
        columns = list(BRIEF_COLUMNS if brief_columns else COLUMNS)
        if not brief_columns:
            for row in rows:
                columns.extend(k for k in row if k not in columns)
        text = _csv_text(rows, columns)
    elif fmt == "jsonl":
        lines = []
        for row in rows:
            record: dict[str, Any] = {k: _typed(k, v) for k, v in row.items()}
            record["transcript"] = transcripts.get(row.get("run_id") or "")
            lines.append(json.dumps(record, ensure_ascii=False))
        text = "".join(line + "\n" for line in lines)
    else:
        text = _markdown(rows, transcripts)
    if out is None:
        sys.stdout.write(text)
        return
    from modelduel.fileutil import write_export

    write_export(out, text)


_NUMBERS = frozenset(
    {
        "score",
        "time_to_first_useful_s",
        "wall_time_s",
        "input_tokens",
        "output_tokens",
        "cost_usd",
        "manual_corrections",
        "pane",
        "connect_s",
        "ttft_s",
        "reasoning_tokens",
        "cached_input_tokens",
        "output_tokens_per_s",
        "retried",
        "quality",
        "correctness",
        "format",
        "rework",
    }
)
_BOOLEANS = frozenset({"blind", "tokens_exact", "simulated"})


def _typed(column: str, cell: str) -> object:
    """A CSV cell as JSON: modelduel's number and flag columns typed, empty as null.

    Other columns stay text even when they look numeric (a task id `"007"`).
    """
    if cell == "":
        return None
    if column in _BOOLEANS and cell in ("true", "false"):
        return cell == "true"
    if column not in _NUMBERS:
        return cell
    try:
        return int(cell)
    except ValueError:
        pass
    try:
        return float(cell)
    except ValueError:
        return cell


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
    from modelduel.storage import encode_cell

    return cell if _PLAIN_NUMBER.fullmatch(cell) else encode_cell(cell)


def _csv_text(rows: Sequence[Mapping[str, str]], columns: list[str]) -> str:
    import io

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
