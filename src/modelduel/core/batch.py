"""Batch runs: every task of a suite on every model, resumable, rows written as runs end.

Each (task, repeat) is one duel: the task's prompt goes to every model at once, as in
the duel screen, so the models meet the same conditions. A run already in the CSV
for (task_id, model, repeat) is never done again, so an interrupted batch resumes.

A duel cut short (ctrl+c mid-duel: some models saved, one saved as cancelled; or a run
never saved at all) is completed, not split: the models it lacks run again under its
`duel_id`, in the panes they had, so scoring puts every model's answer of that task side
by side. The rows already saved stay as they are (the cancelled one too: it was paid for
and holds what streamed); the new run is one more row of that duel, as a re-run of a
pane in the duel screen is. A duel is only joined if it was sent the prompt the task
gives now (checked by the caller, `prompt_matches`): answers to another prompt are not
compared.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

__all__ = ["BatchItem", "plan_batch", "prompt_matches"]


@dataclass(frozen=True, slots=True)
class BatchItem:
    """One duel of a batch: a task, its repeat number, and the models still to run.

    Attributes:
        task_index: position of the task in the suite.
        repeat: 0-based repeat number.
        specs: the model specs to run for this (task, repeat).
        duel_id: the recorded duel these runs complete (None: a new duel).
        panes: for a recorded duel, each spec's pane (empty: their order in `specs`).
    """

    task_index: int
    repeat: int
    specs: tuple[str, ...]
    duel_id: str | None = None
    panes: tuple[int, ...] = ()


@dataclass
class _Recorded:
    """What the CSV holds of one duel: the models done in it, and every pane used."""

    done: set[str] = field(default_factory=set)
    seen: set[str] = field(default_factory=set)
    panes: dict[str, int] = field(default_factory=dict)  # model -> its latest row's pane


def _pane(cell: str | None) -> int | None:
    text = (cell or "").strip()
    return int(text) if text.isdigit() else None


def _recorded_duels(rows: list[Mapping[str, str]]) -> dict[str, dict[str, _Recorded]]:
    """task id -> its duels (id -> what they hold), in the order the CSV has them."""
    duels: dict[str, dict[str, _Recorded]] = {}
    for row in rows:
        duel_id = (row.get("duel_id") or "").strip()
        if not duel_id:
            continue
        model = row.get("model", "")
        duel = duels.setdefault(row.get("task_id", ""), {}).setdefault(duel_id, _Recorded())
        duel.seen.add(model)
        if row.get("finish_reason") != "cancelled":
            duel.done.add(model)
        pane = _pane(row.get("pane"))
        if pane is not None:
            duel.panes[model] = pane
    return duels


def _panes(todo: tuple[str, ...], specs: list[str], duel: _Recorded) -> tuple[int, ...]:
    """Each model's pane in a recorded duel: the one it had there, else its lineup place
    (or the next pane free, so two models never share one)."""
    taken = {p for m, p in duel.panes.items() if m not in todo}
    out = []
    for spec in todo:
        pane = duel.panes.get(spec)
        if pane is None:
            pane = specs.index(spec)
            while pane in taken:
                pane += 1
        taken.add(pane)
        out.append(pane)
    return tuple(out)


def plan_batch(
    task_ids: list[str],
    specs: list[str],
    repeat: int,
    existing_rows: Iterable[Mapping[str, str]],
    same_prompt: Callable[[str, str], bool] | None = None,
) -> list[BatchItem]:
    """The duels still to run, given the rows the CSV already holds.

    A (task_id, model) pair with k rows already has repeats 0..k-1 done; failed runs
    count as done (they were paid for and are in the CSV; rerun them from the TUI),
    but cancelled ones do not: an interrupted batch runs them again on resume.

    The models a (task, repeat) still needs join a recorded duel of that task (the first,
    in CSV order, not joined by another repeat) that holds one of the batch's models and
    none of them done; `same_prompt(task_id, duel_id)` says whether it was sent the
    task's prompt (None: not checked).
    """
    rows = list(existing_rows)
    done = Counter(
        (row.get("task_id", ""), row.get("model", ""))
        for row in rows
        if row.get("finish_reason") != "cancelled"
    )
    recorded = _recorded_duels(rows)
    joined: set[str] = set()
    items = []
    for index, task_id in enumerate(task_ids):
        for r in range(repeat):
            todo = tuple(s for s in specs if done[(task_id, s)] <= r)
            if not todo:
                continue
            item = BatchItem(index, r, todo)
            for duel_id, duel in recorded.get(task_id, {}).items():
                if duel_id in joined or duel.done & set(todo) or not duel.seen & set(specs):
                    continue
                if same_prompt is not None and not same_prompt(task_id, duel_id):
                    continue
                joined.add(duel_id)
                item = BatchItem(index, r, todo, duel_id, _panes(todo, specs, duel))
                break
            items.append(item)
    return items


def prompt_matches(
    transcripts: Callable[[], Mapping[str, Mapping[str, object]]],
    sent: Mapping[str, tuple[str, str | None]],
) -> Callable[[str, str], bool]:
    """`plan_batch`'s check: was a recorded duel sent the (prompt, system) a task gives now?

    Args:
        transcripts: reads the transcript records (run id -> record); called once, at
            the first question, so a batch with no duel to resume never reads them.
        sent: task id -> the (prompt, system) its duel is sent now.

    Returns:
        A check that is true only when the duel has transcript records and every one of
        them holds that prompt and system (nothing recorded: not known to be the same).
    """
    by_duel: dict[str, set[tuple[object, object]]] | None = None

    def check(task_id: str, duel_id: str) -> bool:
        nonlocal by_duel
        if by_duel is None:
            by_duel = {}
            for record in transcripts().values():
                key = (record.get("prompt"), record.get("system") or None)
                by_duel.setdefault(str(record.get("duel_id") or ""), set()).add(key)
        want = sent.get(task_id)
        return want is not None and by_duel.get(duel_id) == {(want[0], want[1] or None)}

    return check
