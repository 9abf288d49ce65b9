"""The figures a user sees of one run: `StreamStats`, its `Cost`, the token estimate.

`core.meter.StreamMeter` computes them from stamped events; `core.percentiles` holds the
exact running percentiles of the chunk gaps.

Definitions (also in the README, "What the numbers mean"):
    request sent            the request's last byte was written to the socket
    connect_s               DNS + TCP + TLS for this request (0 on a reused connection)
    ttft_s                  request sent -> first token of any kind (reasoning included)
    time_to_first_useful_s  request sent -> first non-whitespace visible answer text
    gaps                    times between successive network chunks that carried tokens
    output_tokens_per_s     output tokens / the time spent streaming them (each request's
                            last token time - its first token time, summed over the
                            requests of a tool loop and the turns of a conversation)
    wall_time_s             request sent -> end of stream (finished, failed or cancelled)

A chunk with no content (a role-only delta, a ping, an empty text) never counts as a
first token.

Across a tool loop and a conversation's turns (boundaries: `RoundStarted`, `TurnStarted`)
the definitions hold for the whole run: ttft is the first token (a tool call's start
included) of the first request; time to first useful is the first visible answer text
of any round of the first turn (tool calls are not useful output); tokens and cost are
summed over every request (each request's usage is exact from its provider, and each
request is priced on its own, so a per-request price tier applies as billed);
`wall_time_s` runs from the first request sent to the end of the loop, and across turns
is the sum of each turn's (the user's time to write a follow-up is not the model's).

Every figure comes from `Stamped.t_ns`, taken where the bytes arrived,
so nothing a renderer does can move it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from modelduel.events import ErrorInfo, Usage

if TYPE_CHECKING:
    from modelduel.conversation import Conversation

__all__ = [
    "CHARS_PER_TOKEN_ESTIMATE",
    "Cost",
    "PriceFn",
    "RunStatus",
    "StreamStats",
    "estimate_tokens",
]

RunStatus = Literal["waiting", "thinking", "streaming", "done", "failed", "cancelled"]

CHARS_PER_TOKEN_ESTIMATE = 4.0
"""Live estimate while no exact count has arrived; always shown marked as an estimate."""


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
    cache_write_tokens: int | None = None
    notices: tuple[str, ...] = ()
    tool_calls: int = 0
    tool_rounds: int = 0
    turns: int = 1
    tool_log: tuple[dict[str, Any], ...] = ()
    conversation: Conversation | None = None

    @property
    def cost_usd(self) -> float | None:
        """The cost in USD, None when unknown."""
        return None if self.cost is None else self.cost.usd


PriceFn = Callable[[Usage], Cost]
