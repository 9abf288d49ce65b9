"""A recorded run's figures, read back from its CSV row and transcript record.

Used to re-open and re-score past duels: every number is the one recorded when the run
happened, none is recomputed; a hand-edited cell that is not a number is unknown, never
a guess. Writing a run out is `core.records`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, cast, get_args

from modelduel.core.metrics import Cost, RunStatus, StreamStats
from modelduel.events import ErrorInfo, ErrorKind
from modelduel.storage import columns

__all__ = ["stats_from_row"]


def _num(row: Mapping[str, str], key: str) -> float | None:
    """A number column's cell, read by the column table; None when empty or not a number."""
    value = columns.typed_cell(key, row.get(key) or "")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None  # a hand-edited cell that is not a number: shown as unknown
    return float(value) if math.isfinite(value) else None


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
        # an empty cell (a row from before the column) counts as exact, as those runs were
        tokens_exact=columns.typed_cell("tokens_exact", row.get("tokens_exact") or "")
        in (None, True),
        cost=Cost(cost, row.get("price_source") or "csv"),
        finish_reason=finish,
        error=error,
        retries=_int(row, "retried") or 0,
        cache_write_tokens=_int(row, "cache_write_tokens"),
    )
