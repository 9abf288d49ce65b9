"""Batch runs: every task of a suite on every model, resumable, rows written as runs end.

Each (task, repeat) is one duel: the task's prompt goes to every model at once, as in
the duel screen, so the models meet the same conditions. A run already in the CSV
for (task_id, model, repeat) is never done again, so an interrupted batch resumes.

A duel cut short (ctrl+c mid-duel: a model saved as cancelled; or the process killed, so
a model the duel was sent to has no row) is completed, not split: the models it lacks run
again under its `duel_id`, in the panes they had, so scoring puts every model's answer of
that task side by side. The rows already saved stay as they are (the cancelled one too: it
was paid for and holds what streamed); the new run is one more row of that duel, as a
re-run of a pane in the duel screen is. A duel is fair only if every model gets the same
prompt, budget and effort, so a duel is only joined if what its runs were sent is what
they would be sent now (`DuelRecords`: the prompt and system, each model's effort word and
output budget, the first message with its attached files); otherwise the runs make a new
duel, and the item says why (`BatchItem.not_joined`). A duel is the models sent its prompt
at once: a model added to the lineup since never joins it (finished or cut short), it gets a
duel of its own; for a duel cut short the item says so ("it was not sent to MODEL").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from modelduel.config.resolve import model_name
from modelduel.conversation import Text, UserMessage
from modelduel.conversation_json import message_to_json

__all__ = ["BatchItem", "DuelRecords", "Sent", "plan_batch"]


@dataclass(frozen=True, slots=True)
class BatchItem:
    """One duel of a batch: a task, its repeat number, and the models still to run.

    Attributes:
        task_index: position of the task in the suite.
        repeat: 0-based repeat number.
        specs: the model specs to run for this (task, repeat).
        duel_id: the recorded duel these runs complete (None: a new duel).
        panes: for a recorded duel, each spec's pane (empty: their order in `specs`).
        not_joined: (duel id, why) of each duel cut short these runs could not complete
            (it was sent something else, or not to them), in CSV order.
    """

    task_index: int
    repeat: int
    specs: tuple[str, ...]
    duel_id: str | None = None
    panes: tuple[int, ...] = ()
    not_joined: tuple[tuple[str, str], ...] = ()


@dataclass
class _Recorded:
    """What the CSV holds of one duel: the models done in it, and every pane used."""

    done: set[str] = field(default_factory=set)
    seen: set[str] = field(default_factory=set)
    cancelled: set[str] = field(default_factory=set)
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
        model = model_name(row.get("model", ""))  # older rows: with a fault suffix
        duel = duels.setdefault(row.get("task_id", ""), {}).setdefault(duel_id, _Recorded())
        duel.seen.add(model)
        if row.get("finish_reason") != "cancelled":
            duel.done.add(model)
        else:
            duel.cancelled.add(model)
        pane = _pane(row.get("pane"))
        if pane is not None:
            duel.panes[model] = pane
    return duels


def _panes(todo: tuple[str, ...], specs: list[str], duel: _Recorded) -> tuple[int, ...]:
    """Each model's pane in a recorded duel: the one it had there, else its lineup place
    (or the next pane free, so two models never share one). Every pane recorded is
    reserved first: a model without one never takes the pane a later model had."""
    taken = set(duel.panes.values())
    out = []
    for spec in todo:
        pane = duel.panes.get(model_name(spec))
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
    records: DuelRecords | None = None,
) -> list[BatchItem]:
    """The duels still to run, given the rows the CSV already holds.

    A (task_id, model) pair with k rows already has repeats 0..k-1 done; failed runs
    count as done (they were paid for and are in the CSV; rerun them from the TUI),
    but cancelled ones do not: an interrupted batch runs them again on resume.

    The models a (task, repeat) still needs join a recorded duel of that task (the first,
    in CSV order, not joined by another repeat) that was cut short: it holds one of the
    batch's models, none of the needed ones done, and a cancelled row of one of them or
    (says `records`, from the transcript) was sent to one of them that has no row. It is
    joined only if `records` says it was sent what they would be sent now (None: not
    checked, and no duel is known to have been sent to a model without a row), and only by
    the needed models it was sent to (its rows' and its transcript's `duel_models`): the
    others, added to the lineup since, make a new duel, the item after it.
    """
    rows = list(existing_rows)
    done = Counter(  # older rows name the model with its fault suffix: not counted apart
        (row.get("task_id", ""), model_name(row.get("model", "")))
        for row in rows
        if row.get("finish_reason") != "cancelled"
    )
    recorded = _recorded_duels(rows)
    joined: set[str] = set()  # duels joined or refused: each is considered once
    lineup = {model_name(s) for s in specs}
    items = []
    for index, task_id in enumerate(task_ids):
        for r in range(repeat):
            # a row names the model without a simulator fault suffix (records.py)
            todo = tuple(s for s in specs if done[(task_id, model_name(s))] <= r)
            if not todo:
                continue
            item = BatchItem(index, r, todo)
            refused: list[tuple[str, str]] = []  # each duel refused, said one by one
            needed = {model_name(s) for s in todo}
            for duel_id, duel in recorded.get(task_id, {}).items():
                if duel_id in joined or duel.done & needed or not duel.seen & lineup:
                    continue
                if not duel.cancelled & needed and not _lost(duel_id, needed, duel, records):
                    continue  # finished (or not known to be cut short): never joined
                joined.add(duel_id)
                why = records.differs(task_id, duel_id) if records is not None else None
                if why is not None:
                    refused.append((duel_id, why))
                    item = BatchItem(index, r, todo, not_joined=tuple(refused))
                    continue
                # only the models it was sent to complete it; a model added to the
                # lineup since gets a duel of its own, as for a finished duel
                members = duel.seen | (records.sent_to(duel_id) if records is not None else set())
                joining = tuple(s for s in todo if model_name(s) in members)
                others = tuple(s for s in todo if model_name(s) not in members)
                panes = _panes(joining, specs, duel)
                item = BatchItem(index, r, joining, duel_id, panes, tuple(refused))
                if others:
                    items.append(item)
                    why = "it was not sent to " + ", ".join(model_name(s) for s in others)
                    item = BatchItem(index, r, others, not_joined=((duel_id, why),))
                break
            items.append(item)
    return items


def _lost(duel_id: str, needed: set[str], duel: _Recorded, records: DuelRecords | None) -> bool:
    """Whether the duel was sent to a needed model that has no row in it (a killed run)."""
    return records is not None and bool((records.sent_to(duel_id) & needed) - duel.seen)


@dataclass(frozen=True, slots=True)
class Sent:
    """What one model's run of a task is sent: what the runs of a duel must share.

    Attributes:
        prompt: the rendered prompt.
        system: the system prompt (None: none).
        effort: the effort word the request sends this model (None: its default).
        max_output_tokens: the output budget the request asks for.
        first_message: the first user message as the transcript stores it
            (`message_to_json`): the prompt with the task's and `--attach` files.
    """

    prompt: str
    system: str | None
    effort: str | None
    max_output_tokens: int | None
    first_message: Mapping[str, object]


def plain_first_message(prompt: str) -> dict[str, object]:
    """The first message of a run sent its prompt alone (no conversation recorded)."""
    return message_to_json(UserMessage((Text(prompt),)))


class DuelRecords:
    """What the recorded duels were sent, from their rows and transcript records.

    Args:
        rows: the CSV's rows (each run's `effort` and `max_output_tokens`).
        transcripts: reads the transcript records (run id -> record); called once, at
            the first question, so a batch with no duel to resume never reads them.
        now: (task id, model) -> what that model's run of the task would be sent now;
            None when not known (the model cannot be resolved): its rows are not compared.
    """

    def __init__(
        self,
        rows: Iterable[Mapping[str, str]],
        transcripts: Callable[[], Mapping[str, Mapping[str, object]]],
        now: Callable[[str, str], Sent | None],
    ) -> None:
        self._rows = {row.get("run_id") or "": row for row in rows}
        self._read = transcripts
        self._now = now
        self._by_duel: dict[str, list[Mapping[str, object]]] | None = None

    def _records(self, duel_id: str) -> list[Mapping[str, object]]:
        if self._by_duel is None:
            self._by_duel = {}
            for record in self._read().values():
                self._by_duel.setdefault(str(record.get("duel_id") or ""), []).append(record)
        return self._by_duel.get(duel_id, [])

    def sent_to(self, duel_id: str) -> set[str]:
        """The models the duel was sent to, as its runs' transcript records say."""
        out: set[str] = set()
        for record in self._records(duel_id):
            models = record.get("duel_models")
            if isinstance(models, list):
                out.update(model_name(str(m)) for m in models)
        return out

    def differs(self, task_id: str, duel_id: str) -> str | None:
        """Why the duel's runs were not sent what they would be sent now; None: the same."""
        compared = False
        for record in self._records(duel_id):
            model = str(record.get("model") or "")
            want = self._now(task_id, model)
            if want is None:
                continue
            why = _differs(record, self._rows.get(str(record.get("run_id") or "")), want)
            if why is not None:
                return why
            first = _first_sent(record)
            if first is None:
                continue  # sent nothing: the duel's other runs say what it was sent
            if first != want.first_message:
                return "the attached files differ"
            compared = True
        return None if compared else "its transcript does not say what it was sent"


def _differs(record: Mapping[str, object], row: Mapping[str, str] | None, want: Sent) -> str | None:
    """What differs between one recorded run (transcript record, CSV row) and `want`,
    but its first message (`_first_sent`)."""
    if record.get("prompt") != want.prompt:
        return "the prompt differs"
    if (record.get("system") or None) != (want.system or None):
        return "the system prompt differs"
    if row is not None:
        effort = (row.get("effort") or "").strip()
        if effort != (want.effort or ""):
            return f"effort differs: {effort or 'default'} vs {want.effort or 'default'}"
        budget = (row.get("max_output_tokens") or "").strip()
        if budget != str(want.max_output_tokens or ""):
            return (
                f"max_output_tokens differs: {budget or 'not recorded'} vs "
                f"{want.max_output_tokens or 'default'}"
            )
    return None


NEVER_SENT = "cancelled by the user before its request was sent"  # core/duel.py


def _first_sent(record: Mapping[str, object]) -> Mapping[str, object] | None:
    """The first message a recorded run was sent: its conversation's, else its prompt
    alone; None for a run cancelled before its request, recorded without a conversation
    (transcripts written before such a record had the one planned): it was sent nothing,
    and its record does not say whether files were to be attached."""
    conversation = record.get("conversation")
    messages = conversation.get("messages") if isinstance(conversation, Mapping) else None
    if isinstance(messages, list) and messages and isinstance(messages[0], Mapping):
        return messages[0]
    error = record.get("error")
    if isinstance(error, Mapping) and error.get("message") == NEVER_SENT:
        return None
    return plain_first_message(str(record.get("prompt")))
