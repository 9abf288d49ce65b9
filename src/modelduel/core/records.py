"""A finished run as the outside world sees it: a JSON line, a CSV row, a transcript record.

Every value comes from the meter's `StreamStats` (measured) or the provider's usage
(exact or marked estimated); nothing is recomputed here. Reading a row back into figures
is `core.recorded_stats`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from modelduel.conversation_json import conversation_to_json
from modelduel.core.metrics import StreamStats
from modelduel.core.session import DuelState, RunSlot
from modelduel.events import ErrorInfo
from modelduel.redact import redact_secrets
from modelduel.storage import columns

__all__ = ["ASK_JSON_KEYS", "csv_row", "run_json", "transcript_record"]

ASK_JSON_KEYS = (
    "run_id",
    "duel_id",
    "model",
    "provider",
    "model_id",
    "text",
    "reasoning_text",
    "input_tokens",
    "output_tokens",
    "reasoning_tokens",
    "cached_input_tokens",
    "connect_s",
    "ttft_s",
    "time_to_first_useful_s",
    "wall_time_s",
    "output_tokens_per_s",
    "cost_usd",
    "finish_reason",
    "error",
    "notices",
    "simulated",
)


def _error_json(error: ErrorInfo | None) -> dict[str, object] | None:
    """An error as JSON, its provider-written message stripped of key-like strings."""
    if error is None:
        return None
    return error.as_dict() | {"message": redact_secrets(error.message)}


def _error_cell(error: ErrorInfo | None) -> str | None:
    return None if error is None else f"{error.kind}: {redact_secrets(error.message)}"


def _r(value: float | None, digits: int = 6) -> float | None:
    return None if value is None else round(value, digits)


def run_json(duel: DuelState, slot: RunSlot) -> dict[str, Any]:
    """The `ask --json` object of one run, with exactly ASK_JSON_KEYS.

    `run_id` and `duel_id` join it to the CSV row and transcript of the same run;
    `simulated` is true for demo runs, whose text is not real model output.
    """
    s = slot.stats()
    m = slot.model
    return {
        "run_id": slot.run_id,
        "duel_id": duel.duel_id,
        "model": m.name,  # as in the CSV row: without a simulator fault suffix
        "provider": m.provider,
        "model_id": m.name_id,
        "text": s.text,
        "reasoning_text": s.reasoning_text,
        "input_tokens": s.input_tokens,
        "output_tokens": s.output_tokens,
        "reasoning_tokens": s.reasoning_tokens,
        "cached_input_tokens": s.cached_input_tokens,
        "connect_s": _r(s.connect_s),
        "ttft_s": _r(s.ttft_s),
        "time_to_first_useful_s": _r(s.time_to_first_useful_s),
        "wall_time_s": _r(s.wall_time_s),
        "output_tokens_per_s": _r(s.output_tokens_per_s, 3),
        "cost_usd": _r(s.cost_usd, 8),
        "finish_reason": s.finish_reason,
        "error": _error_json(s.error),
        # what the pane says once (a clamped budget, a refused parameter resent without):
        # a script must see it too, or it compares runs sent differently without knowing
        "notices": list(s.notices),
        "simulated": m.simulated,
    }


class _Run(NamedTuple):
    """What a column's writer reads: the duel, the run's slot, its figures, the blind flag."""

    duel: DuelState
    slot: RunSlot
    stats: StreamStats
    blind: bool


def _timestamp(duel: DuelState) -> str:
    return duel.started_at.isoformat(timespec="seconds").replace("+00:00", "Z")


def _later(_: _Run) -> None:
    """A cell filled in after the run (by scoring, checks or ranking): empty when it ends."""
    return None


# How each column of the table (storage.columns.TABLE) is filled from a finished run, in
# the table's order; a test keeps the two the same set, so a column cannot be forgotten.
_FROM_RUN: dict[str, Callable[[_Run], object]] = {
    "task_id": lambda r: r.duel.task_id,
    "task_type": lambda r: r.duel.task_type,
    # the model's name: a simulator fault suffix (`@fault=...`) is how the run was made to
    # fail, not which model it was (`error` says it failed); the transcript keeps the spec
    "model": lambda r: r.slot.model.name,
    "score": _later,
    "time_to_first_useful_s": lambda r: _r(r.stats.time_to_first_useful_s),
    "wall_time_s": lambda r: _r(r.stats.wall_time_s),
    "input_tokens": lambda r: r.stats.input_tokens,
    "output_tokens": lambda r: r.stats.output_tokens,
    "cost_usd": lambda r: _r(r.stats.cost_usd, 8),
    "manual_corrections": lambda r: 0,
    "notes": _later,
    "run_id": lambda r: r.slot.run_id,
    "duel_id": lambda r: r.duel.duel_id,
    "timestamp": lambda r: _timestamp(r.duel),
    "provider": lambda r: r.slot.model.provider,
    "model_id": lambda r: r.slot.model.name_id,
    "pane": lambda r: r.slot.pane,
    "blind": lambda r: r.blind,
    "connect_s": lambda r: _r(r.stats.connect_s),
    "ttft_s": lambda r: _r(r.stats.ttft_s),
    "reasoning_tokens": lambda r: r.stats.reasoning_tokens,
    "cached_input_tokens": lambda r: r.stats.cached_input_tokens,
    "output_tokens_per_s": lambda r: _r(r.stats.output_tokens_per_s, 3),
    "tokens_exact": lambda r: r.stats.tokens_exact,
    "price_source": lambda r: None if r.stats.cost is None else r.stats.cost.source,
    "finish_reason": lambda r: r.stats.finish_reason,
    "error": lambda r: _error_cell(r.stats.error),
    "retried": lambda r: r.stats.retries,
    "quality": _later,
    "correctness": _later,
    "format": _later,
    "rework": _later,
    # demo runs answer from the local simulator: never to be mistaken for real ones
    "simulated": lambda r: r.slot.model.simulated,
    "checks_passed": _later,
    "checks_total": _later,
    "max_output_tokens": lambda r: r.slot.max_output_tokens,
    "cache_write_tokens": lambda r: r.stats.cache_write_tokens,
    "rank": _later,
    "parts_source": _later,
    "effort": lambda r: r.slot.model.effort_word,
    "judge_model": _later,
    "judge_quality": _later,
    "judge_correctness": _later,
    "judge_format": _later,
    "judge_rework": _later,
    "judge_reason": _later,
    "judge_cost_usd": _later,
    "tool_calls": lambda r: r.stats.tool_calls,
    "tool_rounds": lambda r: r.stats.tool_rounds,
    "turns": lambda r: r.stats.turns,
}


def csv_row(duel: DuelState, slot: RunSlot, *, blind: bool = False) -> dict[str, Any]:
    """The results-CSV row of one run: every column of the table, in its order; unscored.

    Cells filled in later (score, rubric parts, checks, rank, notes) are None here.
    """
    run = _Run(duel, slot, slot.stats(), blind)
    return {c.name: _FROM_RUN[c.name](run) for c in columns.TABLE}


def transcript_record(duel: DuelState, slot: RunSlot) -> dict[str, Any]:
    """The transcript (JSONL) record of one run: the full texts, joined to the CSV by run_id.

    A run with tools or turns also holds `tool_calls` (every call of every round: turn,
    round, call id, name, arguments, label, result, is_error, summary) and
    `conversation` (the whole conversation as sent, `conversation_to_json`); a run of
    several turns, `turn_figures` (each turn's wall time, tokens, cost, tool calls).
    `duel_models` lists the models the duel's prompt was sent to at once (this run's
    among them): a resumed `run` completes a duel whose process was killed from it.
    """
    s = slot.stats()
    extra: dict[str, Any] = {}
    if s.tool_log:
        extra["tool_calls"] = [dict(e) for e in s.tool_log]
    if s.conversation is not None:
        extra["conversation"] = conversation_to_json(s.conversation)
    if s.turns > 1:
        extra["turn_figures"] = slot.meter.turn_figures()
    record: dict[str, Any] = {
        "run_id": slot.run_id,
        "duel_id": duel.duel_id,
        "task_id": duel.task_id,
        "model": slot.model.spec,
        "timestamp": _timestamp(duel),
        "duel_models": [s.model.spec for s in duel.slots],
        "prompt": duel.prompt,
        "system": duel.system,
        "text": s.text,
        "reasoning_text": s.reasoning_text,
        "error": _error_json(s.error),
    }
    return record | extra
