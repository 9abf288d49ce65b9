"""`modelduel export`: a session (or chosen duels) to a file of its own.

CSV with every column (or only the 11 core columns with `--brief-columns`), JSON Lines
with the texts joined in, or Markdown for reading and sharing; the writing itself is
`storage.export.export_rows`, which the TUI's session export shares. The formats are
spelled here too (`FORMATS`) so building the parser imports no storage code.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime
from pathlib import Path

from modelduel.errors import CsvError, ModelduelError

FORMATS = ("csv", "jsonl", "markdown")  # storage.export.FORMATS; a test keeps them equal

__all__ = ["add_export_parser", "add_parser", "parse_since", "run", "run_export"]


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
    p.add_argument("--brief-columns", action="store_true", help="only the 11 core columns (csv)")
    p.add_argument("--duel", action="append", metavar="ID", help="only this duel id (repeatable)")
    p.add_argument("--since", metavar="DATE", help="only runs on or after DATE (YYYY-MM-DD)")


def run_export(args: argparse.Namespace) -> int:
    """Export; exit 2 when the CSV cannot be read or an option is bad, 1 when no run matches."""
    from modelduel.core.routing import plural
    from modelduel.storage import read_rows, read_transcripts
    from modelduel.storage.export import export_rows

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


# the command table's interface (`cli.COMMANDS`)
add_parser = add_export_parser
run = run_export
