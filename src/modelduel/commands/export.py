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
from typing import TYPE_CHECKING

from modelduel.errors import CsvError, ModelduelError

if TYPE_CHECKING:
    from modelduel.storage.transcript import Transcript

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
    p.add_argument(
        "--no-text",
        action="store_true",
        help="leave the prompts and answers out (jsonl, markdown): figures only, and no "
        "complaint when the CSV's transcript (.jsonl) is not beside it",
    )
    p.epilog = (
        "exit status: 0 exported; 1 no run matched, or (jsonl, markdown) some answers' texts "
        "were missing from the transcript beside the CSV (said on stderr; the rest is "
        "exported); 2 a bad file or option"
    )


def run_export(args: argparse.Namespace) -> int:
    """Export; exit 2 when the CSV cannot be read or an option is bad, 1 when no run matches
    or when texts the format carries are missing (the export is written, and incomplete)."""
    from modelduel.core.routing import plural
    from modelduel.storage import read_rows
    from modelduel.storage.export import export_rows
    from modelduel.storage.transcript import read_transcript

    since = None if args.since is None else parse_since(args.since)
    if not args.csv.exists():
        raise CsvError(f"{args.csv}: no such file")
    if args.out is not None:
        from modelduel.storage.export import refuse_to_overwrite_results

        refuse_to_overwrite_results(args.out, [args.csv])
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
    texts = args.format != "csv" and not getattr(args, "no_text", False)
    transcript = read_transcript(args.csv)
    export_rows(
        rows,
        transcript.records,
        args.out,
        args.format,
        args.brief_columns,
        texts=texts,
        source=transcript,
    )
    missing = _missing_texts(rows, args.csv, transcript) if texts else None
    if args.out is not None:
        without = " (texts missing: see above)" if missing else ""
        if missing:
            print(missing, file=sys.stderr)
        print(f"exported {plural(len(rows))} to {args.out}{without}", file=sys.stderr)
    elif missing:  # after the export, so it is the last thing a terminal shows
        print(missing, file=sys.stderr)
    return 1 if missing else 0


def _missing_texts(rows: list[dict[str, str]], csv: Path, transcript: Transcript) -> str | None:
    """The one line saying which texts the export lacks and why, or None when none is missing.

    No transcript at all (the CSV moved or renamed without its `.jsonl`) and a transcript
    that lacks some runs are told apart: the fix differs.
    """
    from modelduel.core.routing import plural
    from modelduel.storage.export import runs_without_text

    if not transcript.found:
        return (
            f"modelduel: no transcript {transcript.path} beside {csv.name}: the answers' texts "
            f"are not in this export (a results CSV keeps them in the .jsonl of the same "
            f"name: move or rename the two together; --no-text exports without texts)"
        )
    absent = runs_without_text(rows, transcript.records)
    if not absent:
        return None
    bad = len(transcript.bad_lines)
    if bad:  # a corrupt line is most likely the missing run: name it, not "no record"
        whose = "that run's texts are" if bad == 1 else "those runs' texts are"
        told = f"modelduel: {transcript.bad_line_names()}; {whose} missing from this export"
        rest = absent - bad
        if rest <= 0:
            return told
        return f"{told}; and {rest} of {plural(len(rows))} have no record in {transcript.path}"
    return (
        f"modelduel: {absent} of {plural(len(rows))} have no record in {transcript.path}: "
        f"their texts are not in this export (the other runs' are)"
    )


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
