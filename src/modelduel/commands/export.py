"""`modelduel export`: a session (or chosen duels) to a file of its own.

CSV with every column (or only the brief's 11 with `--brief-columns`), JSON Lines
with the texts joined in, or Markdown for reading and sharing.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from modelduel.errors import CsvError

__all__ = ["add_export_parser", "export_rows", "run_export"]

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
    """Export; exit 2 when the CSV cannot be read."""
    from modelduel.storage import read_rows, read_transcripts

    if not args.csv.exists():
        raise CsvError(f"{args.csv}: no such file")
    rows = read_rows(args.csv, on_notice=lambda m: print(f"modelduel: {m}", file=sys.stderr))
    if args.duel:
        wanted = set(args.duel)
        rows = [r for r in rows if r.get("duel_id") in wanted]
    if args.since:
        rows = [r for r in rows if (r.get("timestamp") or "") >= args.since]
    transcripts = read_transcripts(args.csv)
    export_rows(rows, transcripts, args.out, args.format, args.brief_columns)
    if args.out is not None:
        print(f"exported {len(rows)} runs to {args.out}", file=sys.stderr)
    return 0


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
    from modelduel.fileutil import write_text_atomic

    try:
        write_text_atomic(out, text)
    except OSError as exc:
        raise CsvError(f"{out}: cannot write: {exc.strerror or exc}") from None


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


def _csv_text(rows: Sequence[Mapping[str, str]], columns: list[str]) -> str:
    import io

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        # values are the file's cells, already neutralised: copied as they are
        writer.writerow({c: row.get(c, "") for c in columns})
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
