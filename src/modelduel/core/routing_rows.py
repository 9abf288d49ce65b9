"""Reading the rows a routing report is built from: several results CSVs, validated.

modelduel's own CSVs and hand-written ones with just the brief's 11 columns are read
through storage's one CSV parser (`read_rows_with_lines`); every row is checked by
`core.routing.row_problems` (file, line and column on failure) and a run id is counted
once across files. Used by `modelduel route` and the TUI's routing report alike.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from modelduel.core.routing import dedupe_runs, row_problems
from modelduel.errors import CsvError
from modelduel.storage import read_rows_with_lines

__all__ = ["LoadedRows", "load_route_rows"]


@dataclass(frozen=True)
class LoadedRows:
    """Rows of every file, validated and de-duplicated, with what happened on the way.

    Attributes:
        rows: the rows to route on.
        files: the files read.
        skipped: bad rows left out (only with skip_bad_rows).
        duplicates: rows dropped because their run_id was already seen.
    """

    rows: list[Mapping[str, str]]
    files: list[Path]
    skipped: int
    duplicates: int


def _stderr(message: str) -> None:
    print(f"modelduel: {message}", file=sys.stderr)


def load_route_rows(
    paths: Sequence[Path],
    *,
    skip_bad_rows: bool = False,
    check_timestamp: bool = False,
    warn: Callable[[str], None] = _stderr,
) -> LoadedRows:
    """Read, validate and de-duplicate the rows of several results CSVs.

    Args:
        paths: the CSV files, in the order given (a later copy of a run id wins ties).
        skip_bad_rows: leave bad rows out (reporting each through `warn`) instead of failing.
        check_timestamp: also require parsable timestamps (for `--by-week`).
        warn: where notices and skipped rows are reported.

    Returns:
        The rows and counts of what was skipped or de-duplicated.

    Raises:
        CsvError: a file is missing or unreadable, lacks a required column, or has a bad
            row ("FILE:LINE: column 'score': 'abc' is not a number") and skip_bad_rows
            is off.
    """
    kept: list[Mapping[str, str]] = []
    skipped = 0
    for path in paths:
        if not path.is_file():
            raise CsvError(f"{path}: no such file" if not path.exists() else f"{path}: not a file")
        # a report never edits files: a torn last row is skipped and reported, not repaired
        read = read_rows_with_lines(path, on_notice=warn, repair=False)
        problems_at: list[tuple[int, list[str]]] = [(bad.line, [bad.problem]) for bad in read.bad]
        for line, row in read.rows:
            problems = row_problems(row, check_timestamp=check_timestamp)
            if not problems:
                kept.append(row)
            else:
                problems_at.append((line, problems))
        for line, problems in sorted(problems_at):
            where = f"{path}:{line}: {'; '.join(problems)}"
            if not skip_bad_rows:
                raise CsvError(f"{where} (--skip-bad-rows leaves such rows out)")
            warn(f"skipped {where}")
            skipped += 1
    rows_out, duplicates = dedupe_runs(kept)
    return LoadedRows(list(rows_out), list(paths), skipped, duplicates)
