"""One chunk of a results CSV's routing columns, validated and converted with numpy.

`load_route_table` (in `core.routing_rows`) streams each file a chunk at a time and
hands every chunk here: the row checks of `core.routing.row_problems`, vectorised
(numbers parsed to float64, names and timestamps coded to small ints), with any row a
vectorised check doubts handed to `row_problems` itself, so the messages, and which rows
pass, are exactly those of the row-by-row reader. `dedupe_order` then keeps a run id
once, as `core.routing.dedupe_runs` does. numpy is passed in (`np`): its callers import
it only on the path that needs it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from modelduel.core.counted import CANCELLED
from modelduel.core.routing import iso_week, parse_number, row_problems
from modelduel.storage.csvstore import ColumnChunk

__all__ = ["ROUTE_COLUMNS", "ChunkPart", "Codes", "chunk_part", "dedupe_order"]

# The columns a routing report reads; the others are never parsed into anything.
ROUTE_COLUMNS: tuple[str, ...] = (
    "task_type",
    "model",
    "score",
    "time_to_first_useful_s",
    "cost_usd",
    "run_id",
    "timestamp",
    "simulated",
    # the pairwise preference (Bradley-Terry) pairs runs by duel and reads the person's rank
    "duel_id",
    "rank",
    # only whether a judge was ever asked: its agreement is read in a second pass, if so
    "judge_model",
    # a cancelled run's score never counts (`core.counted`): read as not scored
    "finish_reason",
)
_NUMBERS = ("score", "time_to_first_useful_s", "cost_usd")


class Codes:
    """Distinct stripped text -> a small int, with a cache from the raw cell."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.checked = 0  # names before this one were checked (timestamps: iso_week)
        self._code: dict[str, int] = {}
        self._raw: dict[str, int] = {}

    def array_of(self, np: Any, cells: list[str]) -> Any:
        """The code of each cell as int64, new names numbered as they are first seen.

        Made straight from the raw-cell cache (no list in between); the set of a chunk's
        cells is built only when one of them is new.
        """
        look = self._raw.__getitem__
        try:  # most chunks bring no new cell (task types, models, weeks, ranks)
            return np.fromiter(map(look, cells), dtype=np.int64, count=len(cells))
        except KeyError:
            self._learn(cells)
            return np.fromiter(map(look, cells), dtype=np.int64, count=len(cells))

    def _learn(self, cells: list[str]) -> None:
        """Code every cell not seen before (the names of one chunk in set order, as before)."""
        for cell in set(cells).difference(self._raw):
            name = cell.strip()
            if name not in self._code:
                self._code[name] = len(self.names)
                self.names.append(name)
            self._raw[cell] = self._code[name]


def _numbers(np: Any, cells: list[str]) -> tuple[Any, Any]:
    """A numeric column as float64 (NaN for empty) and a mask of cells `parse_number` may refuse.

    The common case (every cell empty or a plain finite number) is one comprehension; a
    cell with blanks only, an apostrophe, "nan" or "inf" makes the column go cell by cell.
    """
    nan = math.nan
    try:
        if "" in cells:
            values = np.array([float(c) if c else nan for c in cells], dtype=np.float64)
        else:  # no empty cell: the conversion stays in C
            values = np.fromiter(map(float, cells), dtype=np.float64, count=len(cells))
    except ValueError:
        values = None
    if values is not None:
        nans = int(np.isnan(values).sum())
        if nans == cells.count("") and not np.isinf(values).any():
            return values, np.zeros(len(cells), dtype=bool)
    values = np.empty(len(cells), dtype=np.float64)
    suspect = np.zeros(len(cells), dtype=bool)
    for i, cell in enumerate(cells):
        try:
            number = parse_number(cell)
        except ValueError:
            suspect[i] = True
            number = None
        values[i] = nan if number is None else number
    return values, suspect


@dataclass
class ChunkPart:
    """One chunk's rows that passed, as arrays, and the problems of those that did not."""

    arrays: dict[str, Any]
    run_ids: list[str]
    problems: list[tuple[int, list[str]]]
    judged: bool = False


def chunk_part(
    np: Any,
    chunk: ColumnChunk,
    task_types: Codes,
    models: Codes,
    timestamps: Codes,
    bad_timestamps: set[int],
    check_timestamp: bool,
    duels: Codes,
    ranks: Codes,
) -> ChunkPart:
    """Validate and convert one chunk: the row checks of `row_problems`, vectorised.

    A row any vectorised check doubts is handed to `row_problems` itself, so the messages
    (and which rows pass) are exactly those of the row-by-row path.
    """
    cells = chunk.cells
    n = len(chunk.lines)
    arrays: dict[str, Any] = {}
    suspect = np.zeros(n, dtype=bool)
    for name in _NUMBERS:
        values, doubtful = _numbers(np, cells[name])
        arrays[name] = values
        suspect |= doubtful
    with np.errstate(invalid="ignore"):
        suspect |= (arrays["score"] < 0) | (arrays["score"] > 5)
        suspect |= (arrays["time_to_first_useful_s"] < 0) | (arrays["cost_usd"] < 0)
    for name, codes in (("task_type", task_types), ("model", models)):
        arrays[name] = codes.array_of(np, cells[name])
        if "" in codes.names:
            suspect |= arrays[name] == codes.names.index("")
    arrays["timestamp"] = timestamps.array_of(np, cells["timestamp"])
    if check_timestamp:
        for code in range(timestamps.checked, len(timestamps.names)):
            try:
                iso_week(timestamps.names[code])
            except ValueError:
                bad_timestamps.add(code)
        timestamps.checked = len(timestamps.names)
        if bad_timestamps:
            suspect |= np.isin(arrays["timestamp"], sorted(bad_timestamps))
    arrays["simulated"] = np.array([c == "true" for c in cells["simulated"]], dtype=bool)
    arrays["duel_id"] = duels.array_of(np, cells["duel_id"])
    arrays["rank"] = ranks.array_of(np, cells["rank"])
    run_ids = list(map(str.strip, cells["run_id"]))
    problems: list[tuple[int, list[str]]] = []
    keep: Any = None
    if suspect.any():
        keep = np.ones(n, dtype=bool)
        for i in np.flatnonzero(suspect).tolist():
            row = {name: cells[name][i] for name in ROUTE_COLUMNS}
            found = row_problems(row, check_timestamp=check_timestamp)
            if found:
                problems.append((chunk.lines[i], found))
                keep[i] = False
                continue
            for name in _NUMBERS:  # e.g. a cell of blanks only: empty after all
                number = parse_number(row[name])
                arrays[name][i] = math.nan if number is None else number
        if not keep.all():
            arrays = {name: values[keep] for name, values in arrays.items()}
            run_ids = [r for r, k in zip(run_ids, keep.tolist(), strict=True) if k]
    _drop_cancelled(np, arrays, ranks, cells["finish_reason"], keep if problems else None)
    judged = any(not cell.isspace() for cell in cells["judge_model"] if cell)
    return ChunkPart(arrays, run_ids, problems, judged)


def _drop_cancelled(
    np: Any, arrays: dict[str, Any], ranks: Codes, finish: list[str], keep: Any | None
) -> None:
    """A cancelled run's score and rank read as empty (`core.counted`), as in
    `compute_stats` and the row-by-row preference."""
    cancelled = [i for i, cell in enumerate(finish) if cell and cell.strip() == CANCELLED]
    if not cancelled:
        return
    mask = np.zeros(len(finish), dtype=bool)
    mask[cancelled] = True
    if keep is not None:  # the rows left out as bad are gone from the arrays
        mask = mask[keep]
    arrays["score"][mask] = math.nan
    arrays["rank"][mask] = ranks.array_of(np, [""])[0]


def dedupe_order(np: Any, run_ids: list[str], scored: Any) -> tuple[Any | None, int]:
    """The rows `dedupe_runs` keeps, as indexes in its order; None when it keeps them all."""
    distinct = set(run_ids)
    distinct.discard("")
    if len(distinct) == len(run_ids) - run_ids.count(""):
        return None, 0
    out: list[int] = []
    where: dict[str, int] = {}
    is_scored = scored.tolist()
    dropped = 0
    for i, run_id in enumerate(run_ids):
        if not run_id:
            out.append(i)
            continue
        if run_id not in where:
            where[run_id] = len(out)
            out.append(i)
            continue
        dropped += 1
        if is_scored[i] or not is_scored[out[where[run_id]]]:
            out[where[run_id]] = i
    return np.array(out, dtype=np.int64), dropped
