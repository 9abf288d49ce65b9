"""The routing rule over the columnar `RunTable`: the same `CellStats` as `compute_stats`,
without a dict per row (`route` reads 200k-row CSVs this way)."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from modelduel.core.preference import CodedRuns

from modelduel.core.routing_cells import (
    CellStats,
    cell_from_runs,
    iso_week,
)


@dataclass(frozen=True)
class RunTable:
    """Validated rows as columns (numpy arrays), what `compute_table_stats` reads.

    The columnar twin of a list of rows: one entry per row, in row order. Text columns
    are codes into a list of distinct (stripped) names, numbers are float64 with NaN for
    an empty cell.

    Attributes:
        task_types: distinct task types; `task_type` holds indexes into it.
        models: distinct models; `model` holds indexes into it.
        task_type: int64 per row.
        model: int64 per row.
        score: float64 per row; NaN = not scored.
        cost: float64 per row; NaN = price unknown.
        ttfu: float64 per row (time_to_first_useful_s); NaN = not recorded.
        timestamps: distinct timestamp cells; `timestamp` holds indexes into it.
        timestamp: int64 per row.
        simulated: bool per row: its `simulated` cell is ``true``.
        duel_ids: distinct duel ids; `duel` holds indexes into it (None: not read).
        duel: int64 per row, or None.
        ranks: distinct `rank` cells as written; `rank` holds indexes into it.
        rank: int64 per row, or None.
    """

    task_types: list[str]
    models: list[str]
    task_type: Any
    model: Any
    score: Any
    cost: Any
    ttfu: Any
    timestamps: list[str]
    timestamp: Any
    simulated: Any
    duel_ids: list[str] = field(default_factory=list)
    duel: Any = None
    ranks: list[str] = field(default_factory=list)
    rank: Any = None

    def __len__(self) -> int:
        return len(self.score)

    def take(self, which: Any) -> RunTable:
        """The rows picked by a boolean mask or an index array, in that order."""
        return RunTable(
            self.task_types,
            self.models,
            self.task_type[which],
            self.model[which],
            self.score[which],
            self.cost[which],
            self.ttfu[which],
            self.timestamps,
            self.timestamp[which],
            self.simulated[which],
            self.duel_ids,
            None if self.duel is None else self.duel[which],
            self.ranks,
            None if self.rank is None else self.rank[which],
        )

    def coded_runs(self) -> CodedRuns:
        """The rows as the pairwise preference reads them, coded from the columns at once
        (`preference.coded_runs_of_columns`): the same runs as `preference_rows` gives.

        Raises:
            ValueError: a `rank` cell is not a whole number >= 1 (names the duel).
        """
        # numpy (and the Bradley-Terry fit) load only for `route`: `modelduel --help` loads this
        from modelduel.core.preference import coded_runs_of_columns  # noqa: PLC0415

        if self.duel is None or self.rank is None:
            no_rows = self.model[:0]
            return coded_runs_of_columns(
                (self.task_types, self.models, [], []),
                no_rows, no_rows, self.score[:0], no_rows, no_rows,
            )  # fmt: skip
        return coded_runs_of_columns(
            (self.task_types, self.models, self.duel_ids, self.ranks),
            self.task_type, self.model, self.score, self.duel, self.rank,
        )  # fmt: skip

    def preference_rows(self) -> Iterator[dict[str, str]]:
        """The rows as the pairwise preference reads them (task_type, model, duel_id,
        score, rank as text), one at a time: rows of no duel are left out. `route` reads
        `coded_runs` instead; this row path is the reference the tests hold it to."""
        if self.duel is None or self.rank is None:
            return
        for task_type, model, score, duel, rank in zip(
            self.task_type.tolist(),
            self.model.tolist(),
            self.score.tolist(),
            self.duel.tolist(),
            self.rank.tolist(),
            strict=True,
        ):
            duel_id = self.duel_ids[duel]
            if not duel_id:
                continue
            yield {
                "task_type": self.task_types[task_type],
                "model": self.models[model],
                "duel_id": duel_id,
                "score": "" if math.isnan(score) else repr(score),
                "rank": self.ranks[rank],
            }

    def by_week(self) -> dict[str, RunTable]:
        """ISO week (`iso_week` of each row's timestamp) -> its rows; weeks in time order, then
        "undated".

        Raises:
            ValueError: a timestamp is not ISO 8601.
        """
        import numpy as np  # noqa: PLC0415 - `modelduel --help` loads this module

        # only the timestamps of these rows: a distinct cell may belong to a row left out
        # counts asked for: plain np.unique imports numpy.ma (see preference._distinct)
        label = {
            code: iso_week(self.timestamps[code])
            for code in np.unique(self.timestamp, return_counts=True)[0]
        }
        weeks = sorted(set(label.values()), key=lambda w: (w == "undated", w))
        week_of = np.zeros(len(self.timestamps), dtype=np.int64)
        for code, week in label.items():
            week_of[code] = weeks.index(week)
        row_week = week_of[self.timestamp]
        return {week: self.take(row_week == i) for i, week in enumerate(weeks)}

    def simulated_rows(self) -> list[Mapping[str, str]]:
        """As many rows as the table holds, carrying only their `simulated` cell (in no
        particular order): what `display.simulated_note` counts, without a dict per row.
        None simulated: no rows at all, as the note is None then whatever the count."""
        flagged = int(self.simulated.sum())
        if not flagged:
            return []
        true: Mapping[str, str] = {"simulated": "true"}
        unset: Mapping[str, str] = {}
        return [true] * flagged + [unset] * (len(self) - flagged)


def compute_table_stats(table: RunTable, success_score: float = 4) -> list[CellStats]:
    """`compute_stats` over a `RunTable`: the same CellStats, figure for figure.

    The rows are grouped with numpy; each cell's sums are still `math.fsum`s and its
    median `statistics.median`, over the cell's runs in row order, so no figure differs
    from what `compute_stats` makes of the same rows.

    Args:
        table: the rows (unscored ones are left out).
        success_score: the score from which a run counts as a success.

    Returns:
        One CellStats per cell with at least one scored run, sorted by (task type, model).
    """
    import numpy as np  # noqa: PLC0415 - `modelduel --help` loads this module

    scored = np.flatnonzero(~np.isnan(table.score))
    if not len(scored):
        return []
    n_models = len(table.models)
    cell = table.task_type[scored] * n_models + table.model[scored]
    order = np.argsort(cell, kind="stable")  # stable: each cell's runs stay in row order
    rows = scored[order]
    cell = cell[order]
    starts = np.flatnonzero(np.r_[True, cell[1:] != cell[:-1]])
    ends = np.r_[starts[1:], len(cell)]
    out: list[CellStats] = []
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        code = int(cell[start])
        task_type, model = table.task_types[code // n_models], table.models[code % n_models]
        out.append(_summarise_columns(task_type, model, table, rows[start:end], success_score))
    out.sort(key=lambda c: (c.task_type, c.model))
    return out


def _summarise_columns(
    task_type: str, model: str, table: RunTable, rows: Any, success_score: float
) -> CellStats:
    """`_summarise` of one cell's runs given as row indexes into the table."""
    import numpy as np  # noqa: PLC0415 - `modelduel --help` loads this module

    scores = table.score[rows]
    raw_cost = table.cost[rows]
    unpriced = np.isnan(raw_cost)
    # `cost or 0.0` in compute_stats: unknown and -0.0 both become 0.0 (-0.0 + 0.0 is 0.0)
    costs = np.where(unpriced, 0.0, raw_cost) + 0.0
    ttfus = table.ttfu[rows]
    timed = ~np.isnan(ttfus)
    # runs_detail in `_run_sort_key` order: lexsort's last key is the first compared
    ttfu_or_zero = np.where(timed, ttfus, 0.0)
    order = np.lexsort((unpriced, ttfu_or_zero, ~timed, costs, scores))
    ttfu_cells: list[float | None] = [
        t if ok else None
        for t, ok in zip(ttfus[order].tolist(), timed[order].tolist(), strict=True)
    ]
    detail = tuple(
        zip(
            scores[order].tolist(),
            costs[order].tolist(),
            ttfu_cells,
            unpriced[order].tolist(),
            strict=True,
        )
    )
    return cell_from_runs(
        task_type,
        model,
        np.sort(scores, kind="stable").tolist(),
        costs.tolist(),
        ttfus[timed].tolist(),
        int(unpriced.sum()),
        detail,
        success_score,
    )
