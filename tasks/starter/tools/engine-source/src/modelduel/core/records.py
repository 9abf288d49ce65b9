"""A finished run as the outside world sees it: a JSON line, a CSV row, a transcript record.

Every value comes from the meter's `StreamStats` (measured) or the provider's usage
(exact or marked estimated); nothing is recomputed here.
"""

from __future__ import annotations

from typing import Any

from modelduel.core.session import DuelState, RunSlot

__all__ = ["ASK_JSON_KEYS", "csv_row", "run_json", "transcript_record"]

ASK_JSON_KEYS = (
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
)


def _r(value: float | None, digits: int = 6) -> float | None:
    return None if value is None else round(value, digits)


def run_json(slot: RunSlot) -> dict[str, Any]:
    """The `ask --json` object of one run, with exactly ASK_JSON_KEYS."""
    s = slot.stats()
    m = slot.model
    return {
        "model": m.spec,
        "provider": m.provider,
        "model_id": m.model_id,
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
        "error": None if s.error is None else s.error.as_dict(),
    }


def csv_row(duel: DuelState, slot: RunSlot, *, blind: bool = False) -> dict[str, Any]:
    """The results-CSV row of one run (the brief's 11 columns, then the extra ones); unscored."""
    s = slot.stats()
    m = slot.model
    return {
        "task_id": duel.task_id,
        "task_type": duel.task_type,
        "model": m.spec,
        "score": None,
        "time_to_first_useful_s": _r(s.time_to_first_useful_s),
        "wall_time_s": _r(s.wall_time_s),
        "input_tokens": s.input_tokens,
        "output_tokens": s.output_tokens,
        "cost_usd": _r(s.cost_usd, 8),
        "manual_corrections": 0,
        "notes": None,
        "run_id": slot.run_id,
        "duel_id": duel.duel_id,
        "timestamp": duel.started_at.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "provider": m.provider,
        "model_id": m.model_id,
        "pane": slot.pane,
        "blind": blind,
        "connect_s": _r(s.connect_s),
        "ttft_s": _r(s.ttft_s),
        "reasoning_tokens": s.reasoning_tokens,
        "cached_input_tokens": s.cached_input_tokens,
        "output_tokens_per_s": _r(s.output_tokens_per_s, 3),
        "tokens_exact": s.tokens_exact,
        "price_source": None if s.cost is None else s.cost.source,
        "finish_reason": s.finish_reason,
        "error": None if s.error is None else f"{s.error.kind}: {s.error.message}",
        "retried": s.retries,
    }


def transcript_record(duel: DuelState, slot: RunSlot) -> dict[str, Any]:
    """The transcript (JSONL) record of one run: the full texts, joined to the CSV by run_id."""
    s = slot.stats()
    return {
        "run_id": slot.run_id,
        "duel_id": duel.duel_id,
        "task_id": duel.task_id,
        "model": slot.model.spec,
        "timestamp": duel.started_at.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "prompt": duel.prompt,
        "system": duel.system,
        "text": s.text,
        "reasoning_text": s.reasoning_text,
        "error": None if s.error is None else s.error.as_dict(),
    }
