"""A finished run as the outside world sees it: a JSON line, a CSV row, a transcript record.

Every value comes from the meter's `StreamStats` (measured) or the provider's usage
(exact or marked estimated); nothing is recomputed here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast, get_args

from modelduel.core.metrics import Cost, RunStatus, StreamStats
from modelduel.core.session import DuelState, RunSlot
from modelduel.events import ErrorInfo, ErrorKind
from modelduel.redact import redact_secrets

__all__ = ["ASK_JSON_KEYS", "csv_row", "run_json", "stats_from_row", "transcript_record"]

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
        "error": _error_json(s.error),
        "simulated": m.simulated,
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
        "error": _error_cell(s.error),
        "retried": s.retries,
        # demo runs answer from the local simulator: never to be mistaken for real ones
        "simulated": m.simulated,
        "max_output_tokens": slot.max_output_tokens,
        "cache_write_tokens": s.cache_write_tokens,
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
        "error": _error_json(s.error),
    }


def _num(row: Mapping[str, str], key: str) -> float | None:
    from modelduel.core.routing import parse_number

    try:
        return parse_number(row.get(key))
    except ValueError:
        return None  # a hand-edited cell that is not a number: shown as unknown


def _int(row: Mapping[str, str], key: str) -> int | None:
    value = _num(row, key)
    return None if value is None else int(value)


def stats_from_row(row: Mapping[str, str], transcript: Mapping[str, Any] | None) -> StreamStats:
    """The figures of a recorded run, read back from its CSV row and transcript.

    Used to re-open and re-score past duels: every number is the one recorded when
    the run happened, none is recomputed.
    """
    transcript = transcript or {}
    error_text = row.get("error") or ""
    error = None
    if error_text:
        kind, _, message = error_text.partition(": ")
        known = kind if kind in get_args(ErrorKind) else "provider_error"
        error = ErrorInfo(cast(ErrorKind, known), message or error_text)
    cost = _num(row, "cost_usd")
    finish = row.get("finish_reason") or None
    status: RunStatus = "done"
    if error is not None:
        status = "cancelled" if error.kind == "cancelled" else "failed"
    return StreamStats(
        status=status,
        text=str(transcript.get("text") or ""),
        reasoning_text=str(transcript.get("reasoning_text") or ""),
        connect_s=_num(row, "connect_s"),
        ttft_s=_num(row, "ttft_s"),
        time_to_first_useful_s=_num(row, "time_to_first_useful_s"),
        wall_time_s=_num(row, "wall_time_s"),
        elapsed_s=_num(row, "wall_time_s"),
        gap_p50_s=None,
        gap_p95_s=None,
        gap_max_s=None,
        output_tokens_per_s=_num(row, "output_tokens_per_s"),
        input_tokens=_int(row, "input_tokens"),
        cached_input_tokens=_int(row, "cached_input_tokens"),
        output_tokens=_int(row, "output_tokens"),
        reasoning_tokens=_int(row, "reasoning_tokens"),
        tokens_exact=(row.get("tokens_exact") or "true") == "true",
        cost=Cost(cost, row.get("price_source") or "csv"),
        finish_reason=finish,
        error=error,
        retries=_int(row, "retried") or 0,
    )
