"""Batch runs: every task of a suite on every model, resumable, rows written as runs end.

Each (task, repeat) is one duel: the task's prompt goes to every model at once, as in
the duel screen, so the models meet the same conditions. A run already in the CSV
for (task_id, model, repeat) is never done again, so an interrupted batch resumes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from modelduel.config.resolve import model_name

__all__ = ["BatchItem", "plan_batch"]


@dataclass(frozen=True, slots=True)
class BatchItem:
    """One duel of a batch: a task, its repeat number, and the models still to run.

    Attributes:
        task_index: position of the task in the suite.
        repeat: 0-based repeat number.
        specs: the model specs to run for this (task, repeat).
    """

    task_index: int
    repeat: int
    specs: tuple[str, ...]


def plan_batch(
    task_ids: list[str],
    specs: list[str],
    repeat: int,
    existing_rows: Iterable[Mapping[str, str]],
) -> list[BatchItem]:
    """The duels still to run, given the rows the CSV already holds.

    A (task_id, model) pair with k rows already has repeats 0..k-1 done; failed runs
    count as done (they were paid for and are in the CSV; rerun them from the TUI),
    but cancelled ones do not: an interrupted batch runs them again on resume.
    """
    done = Counter(
        (row.get("task_id", ""), row.get("model", ""))
        for row in existing_rows
        if row.get("finish_reason") != "cancelled"
    )
    items = []
    for index, task_id in enumerate(task_ids):
        for r in range(repeat):
            # a row names the model without a simulator fault suffix (records.py)
            todo = tuple(s for s in specs if done[(task_id, model_name(s))] <= r)
            if todo:
                items.append(BatchItem(index, r, todo))
    return items
