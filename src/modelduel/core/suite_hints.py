"""What the suite screen says about a task type whose route is not separated yet.

The same verdict as `modelduel route` and the same `--repeat` arithmetic as
`modelduel run` (`core/power.py`), from the results CSV's scored runs, one line per task
type of the suite: `json: not separated — ~17 runs per model would separate them
(modelduel run tasks/starter --csv r.csv --repeat 17)`.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from modelduel.tasks import Task

__all__ = ["suite_command", "suite_hints"]


def suite_command(tasks: Sequence[Task], csv_path: Path) -> str:
    """`modelduel run SUITE --csv CSV`: the batch command for the suite the tasks came from."""
    folders = {str(t.path.parent) for t in tasks} or {"."}
    suite = os.path.commonpath(sorted(folders)) if len(folders) > 1 else folders.pop()
    return f"modelduel run {suite} --csv {csv_path}"


def suite_hints(
    rows: Iterable[Mapping[str, str]], tasks: Sequence[Task], command: str
) -> dict[str, str]:
    """Task type -> the line saying its route is not separated and what would separate it.

    Types that are separated, or whose spread cannot be estimated yet, get no line.
    """
    from modelduel.core.power import repeat_hints, separations  # noqa: PLC0415  # only when a suite runs
    from modelduel.core.routing import choose_routes, compute_stats, dedupe_runs, row_problems  # noqa: PLC0415  # only when a suite runs

    kept, _ = dedupe_runs(rows)
    stats = compute_stats(r for r in kept if not row_problems(r))
    seps = separations(stats, choose_routes(stats))
    per_type = Counter(t.type for t in tasks)
    return {
        h.task_type: (
            f"{h.task_type}: not separated — ~{h.separation.runs_per_model} runs per model "
            f"would separate them ({command} --repeat {h.repeat})"
        )
        for h in repeat_hints(seps, per_type, 1)
    }
