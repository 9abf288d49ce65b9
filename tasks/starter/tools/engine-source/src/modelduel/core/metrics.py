"""The meter: stamped events in, the figures a user sees out.

Definitions (also in the README, "What the numbers mean"):
    request sent            the request's last byte was written to the socket
    connect_s               DNS + TCP + TLS for this request (0 on a reused connection)
    ttft_s                  request sent -> first token of any kind (reasoning included)
    time_to_first_useful_s  request sent -> first non-whitespace visible answer text
    gaps                    times between successive network chunks that carried tokens
    output_tokens_per_s     output tokens / (last token time - first token time)
    wall_time_s             request sent -> end of stream (finished, failed or cancelled)

A chunk with no content (a role-only delta, a ping, an empty text) never counts as a
first token. Every figure comes from `Stamped.t_ns`, taken where the bytes arrived,
so nothing a renderer does can move it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from modelduel.core.events import (
    ErrorInfo,
    Finished,
    ReasoningDelta,
    RequestSent,
    Retrying,
    Stamped,
    StreamFailed,
    TextDelta,
    Usage,
)

__all__ = [
    "CHARS_PER_TOKEN_ESTIMATE",
    "Cost",
    "RunStatus",
    "StreamMeter",
    "StreamStats",
    "estimate_tokens",
    "percentile",
]

RunStatus = Literal["waiting", "thinking", "streaming", "done", "failed", "cancelled"]

CHARS_PER_TOKEN_ESTIMATE = 4.0
"""Live estimate while no exact count has arrived; always shown marked as an estimate."""

RATE_BUCKET_NS = 250_000_000
"""Width of one sparkline bucket of the token rate."""


@dataclass(frozen=True, slots=True)
class Cost:
    """A run's cost in USD, or None when the price is unknown (never a silent $0).

    Attributes:
        usd: the cost, or None when unknown.
        source: which price data priced it (e.g. "genai-prices 0.2.3", "config").
    """

    usd: float | None
    source: str


def estimate_tokens(chars: int) -> int:
    """A rough token count for `chars` characters of text (ceil(chars / 4))."""
    return math.ceil(chars / CHARS_PER_TOKEN_ESTIMATE) if chars > 0 else 0


def percentile(sorted_values: list[float], q: float) -> float | None:
    """The q-th percentile (0..100) of already sorted values, linear interpolation."""
    if not sorted_values:
        return None
    if len(sorted_values) == 1:
        return sorted_values[0]
    pos = (len(sorted_values) - 1) * q / 100.0
    low = math.floor(pos)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (pos - low)


@dataclass(frozen=True, slots=True)
class StreamStats:
    """A snapshot of one run's figures; seconds are floats, None where not (yet) known."""

    status: RunStatus
    text: str
    reasoning_text: str
    connect_s: float | None
    ttft_s: float | None
    time_to_first_useful_s: float | None
    wall_time_s: float | None
    elapsed_s: float | None
    gap_p50_s: float | None
    gap_p95_s: float | None
    gap_max_s: float | None
    output_tokens_per_s: float | None
    input_tokens: int | None
    cached_input_tokens: int | None
    output_tokens: int | None
    reasoning_tokens: int | None
    tokens_exact: bool
    cost: Cost | None
    finish_reason: str | None
    error: ErrorInfo | None
    retries: int
    rate_buckets: tuple[int, ...] = field(default=())

    @property
    def cost_usd(self) -> float | None:
        """The cost in USD, None when unknown."""
        return None if self.cost is None else self.cost.usd


PriceFn = Callable[[Usage], Cost]


class StreamMeter:
    """Accumulates one run's stamped events; `stats()` gives the figures at any moment.

    Args:
        price: turns a (possibly estimated) Usage into a Cost; None leaves cost unknown.
    """

    def __init__(self, price: PriceFn | None = None) -> None:
        self._price = price
        self._text: list[str] = []
        self._reasoning: list[str] = []
        self._text_chars = 0
        self._reasoning_chars = 0
        self._sent_ns: int | None = None
        self._connect_ns: int | None = None
        self._first_token_ns: int | None = None
        self._first_useful_ns: int | None = None
        self._last_token_ns: int | None = None
        self._end_ns: int | None = None
        self._last_chunk_ns: int | None = None
        self._gaps_ns: list[int] = []
        self._usage = Usage()
        self._chars_at_usage = 0
        self._finish_reason: str | None = None
        self._error: ErrorInfo | None = None
        self._retries = 0
        self._buckets: list[int] = []

    def observe(self, stamped: Stamped) -> None:
        """Take one stamped event into account."""
        event = stamped.event
        t = stamped.t_ns
        if isinstance(event, TextDelta | ReasoningDelta):
            self._on_content(event, t)
        elif isinstance(event, Usage):
            self._usage = Usage(
                input_tokens=_later(event.input_tokens, self._usage.input_tokens),
                cached_input_tokens=_later(
                    event.cached_input_tokens, self._usage.cached_input_tokens
                ),
                output_tokens=_later(event.output_tokens, self._usage.output_tokens),
                reasoning_tokens=_later(event.reasoning_tokens, self._usage.reasoning_tokens),
            )
            if event.output_tokens is not None:
                self._chars_at_usage = self._text_chars + self._reasoning_chars
        elif isinstance(event, RequestSent):
            # A retry starts the clock again: the figures describe the attempt that answered.
            self._sent_ns = t
            self._connect_ns = event.connect_ns
        elif isinstance(event, Finished):
            if self._end_ns is None:
                self._finish_reason = event.reason
                self._end_ns = t
        elif isinstance(event, StreamFailed):
            if self._end_ns is None:
                self._error = event.error
                self._finish_reason = "cancelled" if event.error.kind == "cancelled" else "error"
                self._end_ns = t
        elif isinstance(event, Retrying):
            self._retries += 1
            self._reset_attempt()

    def _reset_attempt(self) -> None:
        self._text.clear()
        self._reasoning.clear()
        self._text_chars = self._reasoning_chars = self._chars_at_usage = 0
        self._first_token_ns = self._first_useful_ns = self._last_token_ns = None
        self._last_chunk_ns = None
        self._gaps_ns.clear()
        self._buckets.clear()
        self._usage = Usage()

    def _on_content(self, event: TextDelta | ReasoningDelta, t: int) -> None:
        text = event.text
        if isinstance(event, TextDelta):
            if not text:
                return
            self._text.append(text)
            self._text_chars += len(text)
            if self._first_useful_ns is None and not text.isspace():
                self._first_useful_ns = t
        else:
            self._reasoning.append(text)
            self._reasoning_chars += len(text)
        # Redacted thinking (empty reasoning) is a real first token: the model is working.
        if self._first_token_ns is None:
            self._first_token_ns = t
        if self._last_chunk_ns is not None and t != self._last_chunk_ns:
            self._gaps_ns.append(t - self._last_chunk_ns)
        self._last_chunk_ns = t
        self._last_token_ns = t
        if self._sent_ns is not None:
            bucket = max(0, (t - self._sent_ns) // RATE_BUCKET_NS)
            while len(self._buckets) <= bucket:
                self._buckets.append(0)
            self._buckets[bucket] += estimate_tokens(len(text)) or 1

    def stats(self, now_ns: int | None = None) -> StreamStats:
        """The figures now; `now_ns` (the same clock) gives the elapsed time of a live run."""
        sent = self._sent_ns
        usage = self._usage
        chars = self._text_chars + self._reasoning_chars
        output = usage.output_tokens
        exact = output is not None and (self._end_ns is not None or chars == self._chars_at_usage)
        if output is None:
            output = estimate_tokens(chars) if chars else None
        elif not exact:
            output += estimate_tokens(chars - self._chars_at_usage)
        live_usage = Usage(
            input_tokens=usage.input_tokens,
            cached_input_tokens=usage.cached_input_tokens,
            output_tokens=output,
            reasoning_tokens=usage.reasoning_tokens,
        )
        cost = self._price(live_usage) if self._price is not None else None
        gaps = sorted(g / 1e9 for g in self._gaps_ns)
        tps = None
        first, last = self._first_token_ns, self._last_token_ns
        if output and first is not None and last is not None and last > first:
            tps = output / ((last - first) / 1e9)
        end_or_now = self._end_ns if self._end_ns is not None else now_ns
        return StreamStats(
            status=self._status(),
            text="".join(self._text),
            reasoning_text="".join(self._reasoning),
            connect_s=None if self._connect_ns is None else self._connect_ns / 1e9,
            ttft_s=_since(sent, first),
            time_to_first_useful_s=_since(sent, self._first_useful_ns),
            wall_time_s=_since(sent, self._end_ns),
            elapsed_s=_since(sent, end_or_now),
            gap_p50_s=percentile(gaps, 50),
            gap_p95_s=percentile(gaps, 95),
            gap_max_s=gaps[-1] if gaps else None,
            output_tokens_per_s=tps,
            input_tokens=usage.input_tokens,
            cached_input_tokens=usage.cached_input_tokens,
            output_tokens=output,
            reasoning_tokens=usage.reasoning_tokens,
            tokens_exact=exact,
            cost=cost,
            finish_reason=self._finish_reason,
            error=self._error,
            retries=self._retries,
            rate_buckets=tuple(self._buckets),
        )

    def _status(self) -> RunStatus:
        if self._error is not None:
            return "cancelled" if self._error.kind == "cancelled" else "failed"
        if self._end_ns is not None:
            return "done"
        if self._text_chars:
            return "streaming"
        if self._first_token_ns is not None:
            return "thinking"
        return "waiting"


def _later(new: int | None, old: int | None) -> int | None:
    return old if new is None else new


def _since(start_ns: int | None, end_ns: int | None) -> float | None:
    if start_ns is None or end_ns is None:
        return None
    return (end_ns - start_ns) / 1e9
