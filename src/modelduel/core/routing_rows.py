"""Reading the rows a routing report is built from: several results CSVs, validated.

modelduel's own CSVs and hand-written ones with just the 11 core columns are read
through storage's CSV parser; every row is checked as `core.routing.row_problems` says
(file, line and column on failure) and a run id is counted once across files.

Two readers give the same rows: `load_route_rows` (a dict per row; the TUI's routing
report) and `load_route_table` (`modelduel route`): a stream of chunks of only the
columns routing reads, validated with numpy, into a `RunTable`, so 200,000 rows load in
well under a second and in memory near the file's size. A row the vectorised checks
doubt goes through `row_problems` itself, so both give the same one-line errors; a test
compares them on awkward files. The per-chunk work is in `core.routing_chunk`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from modelduel.core.blas_threads import import_numpy_with_one_blas_thread
from modelduel.core.gc_pause import paused_cyclic_gc
from modelduel.core.routing import RunTable, dedupe_runs, row_problems
from modelduel.core.routing_chunk import ROUTE_COLUMNS, ChunkPart, Codes, chunk_part, dedupe_order
from modelduel.core.routing_fast import fast_file_part
from modelduel.errors import CsvError
from modelduel.storage import read_rows_with_lines
from modelduel.storage.csvstore import read_column_chunks

__all__ = ["LoadedRows", "LoadedTable", "judge_rows", "load_route_rows", "load_route_table"]


JUDGE_COLUMNS: tuple[str, ...] = (
    "parts_source",
    *(
        name
        for part in ("quality", "correctness", "format", "rework")
        for name in (part, f"judge_{part}")
    ),
)


# Rows validated at a time: large enough for numpy to pay, small enough that the cell
# strings of one chunk are all that is ever held and stay in the CPU's cache (8192 rows
# took ~45 % more CPU to read than 1024 on a 200,000-row file; 512 no less than 1024).
CHUNK_ROWS = 1024


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


@dataclass(frozen=True)
class LoadedTable:
    """What `load_route_table` read: the rows as a `RunTable`, and what happened on the way.

    Attributes:
        table: the validated, de-duplicated rows.
        files: the files read.
        skipped: bad rows left out (only with skip_bad_rows).
        duplicates: rows dropped because their run_id was already seen.
        judged: some row names a judge model (`[judge]` was on for it).
    """

    table: RunTable
    files: list[Path]
    skipped: int
    duplicates: int
    judged: bool = False


def load_route_table(
    paths: Sequence[Path],
    *,
    skip_bad_rows: bool = False,
    check_timestamp: bool = False,
    warn: Callable[[str], None] = _stderr,
) -> LoadedTable:
    """`load_route_rows` as columns: the same rows, errors and notices, at dataframe speed.

    Each file is streamed (only `ROUTE_COLUMNS` are kept) and validated a chunk at a time
    with numpy; rows a vectorised check doubts go through `row_problems`, so a bad row gets
    the very message `load_route_rows` gives it.

    Args:
        paths: the CSV files, in the order given (a later copy of a run id wins ties).
        skip_bad_rows: leave bad rows out (reporting each through `warn`) instead of failing.
        check_timestamp: also require parsable timestamps (for `--by-week`).
        warn: where notices and skipped rows are reported.

    Returns:
        The rows as a `RunTable`, and counts of what was skipped or de-duplicated.

    Raises:
        CsvError: as `load_route_rows`.
    """
    import_numpy_with_one_blas_thread()
    import numpy as np  # noqa: PLC0415 - the CLI parser imports this module's callers

    task_types, models, timestamps = Codes(), Codes(), Codes()
    duels, ranks = Codes(), Codes()
    bad_timestamps: set[int] = set()
    parts: list[ChunkPart] = []
    skipped = 0
    for path in paths:
        if not path.is_file():
            raise CsvError(f"{path}: no such file" if not path.exists() else f"{path}: not a file")
        with paused_cyclic_gc():
            fast = fast_file_part(
                np, path, task_types, models, timestamps, check_timestamp, duels, ranks
            )
        if fast is not None:  # nothing in the file needs the row-by-row checks
            parts.append(fast)
            continue
        chunks = read_column_chunks(path, ROUTE_COLUMNS, on_notice=warn, chunk_rows=CHUNK_ROWS)
        problems_at: list[tuple[int, list[str]]] = []
        with paused_cyclic_gc():
            for chunk in chunks:
                part = chunk_part(
                    np,
                    chunk,
                    task_types,
                    models,
                    timestamps,
                    bad_timestamps,
                    check_timestamp,
                    duels,
                    ranks,
                )
                problems_at.extend(part.problems)
                parts.append(part)
        problems_at.extend((bad.line, [bad.problem]) for bad in chunks.bad)
        for line, problems in sorted(problems_at):
            where = f"{path}:{line}: {'; '.join(problems)}"
            if not skip_bad_rows:
                raise CsvError(f"{where} (--skip-bad-rows leaves such rows out)")
            warn(f"skipped {where}")
            skipped += 1

    def joined(name: str, dtype: Any) -> Any:
        return np.concatenate([p.arrays[name] for p in parts] or [np.zeros(0, dtype=dtype)])

    score = joined("score", np.float64)
    run_ids = [r for p in parts for r in p.run_ids]
    order, duplicates = dedupe_order(np, run_ids, ~np.isnan(score))
    table = RunTable(
        task_types=task_types.names,
        models=models.names,
        task_type=joined("task_type", np.int64),
        model=joined("model", np.int64),
        score=score,
        cost=joined("cost_usd", np.float64),
        ttfu=joined("time_to_first_useful_s", np.float64),
        timestamps=timestamps.names,
        timestamp=joined("timestamp", np.int64),
        simulated=joined("simulated", bool),
        duel_ids=duels.names,
        duel=joined("duel_id", np.int64),
        ranks=ranks.names,
        rank=joined("rank", np.int64),
    )
    if order is not None:
        table = table.take(order)
    judged = any(p.judged for p in parts)
    return LoadedTable(table, list(paths), skipped, duplicates, judged)


def judge_rows(paths: Sequence[Path]) -> list[dict[str, str]]:
    """The person's and the judge's rubric parts of every run, read file by file (a second
    pass, made only when `LoadedTable.judged` says a judge was ever asked).

    A run id seen twice counts once, as in the routing table: the later copy wins, unless
    only the earlier one is scored.
    """
    names = (*JUDGE_COLUMNS, "run_id", "score")
    kept: dict[str, dict[str, str]] = {}
    unnamed: list[dict[str, str]] = []
    for path in paths:
        for chunk in read_column_chunks(path, names, on_notice=lambda _: None):
            columns = [chunk.cells[name] for name in names]
            for cells in zip(*columns, strict=True):
                row = dict(zip(names, cells, strict=True))
                run_id = row["run_id"].strip()
                if not run_id:
                    unnamed.append(row)
                    continue
                earlier = kept.get(run_id)
                if earlier is None or row["score"].strip() or not earlier["score"].strip():
                    kept[run_id] = row
    return [*kept.values(), *unnamed]
