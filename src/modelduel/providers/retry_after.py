"""A provider's Retry-After hint: read from the headers, clamped to what a duel waits.

`retry-after-ms` wins over `retry-after` (seconds or an HTTP date), as in the official
SDKs. Whether an error is retried at all is decided with its words (`providers.errors`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from email.utils import parsedate_to_datetime

__all__ = ["MAX_RETRY_AFTER_S", "clamp_retry_after", "parse_retry_after"]

MAX_RETRY_AFTER_S = 120.0
"""A Retry-After above this (or negative, NaN, infinite) is clamped: a duel never sleeps an hour."""


def clamp_retry_after(seconds: float | None) -> float | None:
    """A usable delay from a provider's hint: None stays None; bad or huge values are clamped."""
    if seconds is None or math.isnan(seconds):
        return None
    if seconds < 0:
        return 0.0
    return min(seconds, MAX_RETRY_AFTER_S)


def parse_retry_after(
    headers: Mapping[str, str], now_epoch_s: float, *, clamp: bool = True
) -> float | None:
    """Seconds to wait from `retry-after-ms` or `retry-after` (seconds or an HTTP date).

    Args:
        clamp: cap the value at MAX_RETRY_AFTER_S; without it a huge hint is returned as
            given (negative ones as 0), so the caller can report it instead of waiting.
    """
    fix = clamp_retry_after if clamp else _non_negative
    ms = headers.get("retry-after-ms")
    if ms is not None:
        try:
            return fix(float(ms) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    value = value.strip()
    try:
        return fix(float(value))
    except ValueError:
        pass
    try:
        # typeshed says datetime, but older Pythons returned None for junk: both handled
        when: datetime | None = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if not isinstance(when, datetime):
        return None
    return fix(when.timestamp() - now_epoch_s)


def _non_negative(seconds: float | None) -> float | None:
    if seconds is None or math.isnan(seconds):
        return None
    return max(seconds, 0.0)
