"""The meter: stamped events in, a run's figures (`core.metrics.StreamStats`) out.

The figures' definitions are in `core.metrics`' docstring (and the README, "What the
numbers mean"); this module is where they are computed.

Past 400 lines because `StreamMeter` is one state machine over the stamped events (about
380 lines): its first-token, useful-text, retry and round/turn boundaries read the same
state, and the definitions are checked against it in one place.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from modelduel.core.metrics import (
    Cost,
    PriceFn,
    RunStatus,
    StreamStats,
    estimate_tokens,
)
from modelduel.core.percentiles import SortedValues
from modelduel.events import (
    ConversationState,
    ErrorInfo,
    Finished,
    Notice,
    ReasoningDelta,
    RequestSent,
    Retrying,
    RoundStarted,
    Stamped,
    StreamFailed,
    TextDelta,
    ToolCallDone,
    ToolCallStarted,
    ToolResultReady,
    TurnStarted,
    Usage,
)

if TYPE_CHECKING:
    from modelduel.conversation import Conversation

__all__ = ["RATE_BUCKET_NS", "StreamMeter", "StreamText"]

RATE_BUCKET_NS = 250_000_000
"""Width of one sparkline bucket of the token rate."""

_RATE_SPAN = 1_000_000
"""Output tokens between the two prices a live estimate's rate per token is taken from."""


class StreamMeter:
    """Accumulates one run's stamped events; `stats()` gives the figures at any moment.

    Args:
        price: turns a (possibly estimated) Usage into a Cost; None leaves cost unknown.
    """

    def __init__(self, price: PriceFn | None = None) -> None:
        self._price = price
        self._priced: tuple[Usage, Cost | None] | None = None  # the last usage priced
        # a live estimate's pricing: (its usage but the output, output tokens, their
        # price, USD per output token)
        self._rate: tuple[Usage, int, Cost, float] | None = None
        self._text = _GrowingText()
        self._reasoning = _GrowingText()
        # a tool loop's next request thinks anew: its reasoning starts a paragraph
        self._reasoning_round_break = False
        self._text_chars = 0
        self._reasoning_chars = 0
        self._sent_ns: int | None = None
        self._connect_ns: int | None = None
        self._first_token_ns: int | None = None
        self._first_useful_ns: int | None = None
        self._last_token_ns: int | None = None
        # streaming time, request by request: tool waits, later prompts' prefill and the
        # person's typing between turns are not time spent producing output tokens
        self._req_first_ns: int | None = None
        self._req_last_ns: int | None = None
        self._streamed_prior_ns = 0
        self._end_ns: int | None = None
        self._last_chunk_ns: int | None = None
        # Live figures kept up to date per event, so `stats()` costs the same at the
        # 10th chunk and the 50,000th (it is called every frame for every pane).
        self._gaps = SortedValues()  # exact p50 and p95 at every read, ~9 bytes a gap
        self._gap_max_ns: int | None = None
        self._buckets_tuple: tuple[int, ...] | None = ()
        self._usage = Usage()
        self._chars_at_usage = 0
        self._finish_reason: str | None = None
        self._error: ErrorInfo | None = None
        self._retries = 0
        self._buckets: list[int] = []
        self._notices: list[str] = []
        # the loop: figures of the requests before the current one (see module docstring)
        self._boundaries = 0
        self._prior: Usage | None = None
        self._prior_exact = True
        self._prior_usd: float | None = 0.0
        self._prior_source: str | None = None
        self._req_chars_start = 0
        self._turns = 1
        self._turn_sent_ns: int | None = None
        self._wall_prior_ns = 0
        self._tool_calls = 0
        self._tool_rounds = 0
        self._tool_log: list[dict[str, Any]] = []
        self._tool_log_tuple: tuple[dict[str, Any], ...] | None = ()
        self._conversation: Conversation | None = None
        self._turn_marks: list[dict[str, Any]] = []  # cumulative figures at each turn's end
        self._replaced: _Spend | None = None  # turns run again: paid for, no longer shown

    def copy(self) -> StreamMeter:
        """An independent copy of the meter as it stands (a re-run of the last turn starts
        again from the one taken when that turn began). Texts are shared: they are str."""
        other = copy.copy(self)
        other._text = self._text.copy()
        other._reasoning = self._reasoning.copy()
        other._gaps = self._gaps.copy()
        other._buckets = list(self._buckets)
        other._notices = list(self._notices)
        other._tool_log = [dict(e) for e in self._tool_log]
        other._tool_log_tuple = None
        other._turn_marks = list(self._turn_marks)  # each mark is never changed
        return other

    def carry_spend(self, replaced: StreamMeter) -> None:
        """`replaced` ran on from this meter's state (a copy of it) and is being dropped
        for a re-run of its last turn: what it spent since (tokens, cost, streaming time)
        stays in this meter's totals, since it was paid for. The turns' own figures
        (`turn_figures`) leave it out: that turn is no longer in the conversation."""
        now, then = replaced._totals(), self._totals()
        spend = _Spend(
            Usage(
                input_tokens=_minus(now.input_tokens, then.input_tokens),
                cached_input_tokens=_minus(now.cached_input_tokens, then.cached_input_tokens),
                output_tokens=_minus(now.output_tokens, then.output_tokens),
                reasoning_tokens=_minus(now.reasoning_tokens, then.reasoning_tokens),
                cache_write_tokens=_minus(now.cache_write_tokens, then.cache_write_tokens),
            ),
            _cost_minus(now.cost, then.cost),
            now.tokens_exact,
            replaced._streamed_ns() - self._streamed_ns(),
        )
        self._replaced = spend if self._replaced is None else self._replaced.plus(spend)

    def _totals(self) -> StreamStats:
        return self._stats(None, with_replaced=False)

    def _streamed_ns(self) -> int:
        span = self._streamed_prior_ns
        if self._req_first_ns is not None and self._req_last_ns is not None:
            span += self._req_last_ns - self._req_first_ns
        return span

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
                cache_write_tokens=_later(event.cache_write_tokens, self._usage.cache_write_tokens),
                cache_write_1h_tokens=_later(
                    event.cache_write_1h_tokens, self._usage.cache_write_1h_tokens
                ),
            )
            if event.output_tokens is not None:
                self._chars_at_usage = self._text_chars + self._reasoning_chars
        elif isinstance(event, RequestSent):
            if self._boundaries == 0:
                # A retry starts the clock again: the figures describe the attempt that answered.
                self._sent_ns = self._turn_sent_ns = t
                self._connect_ns = event.connect_ns
            elif self._turn_sent_ns is None:
                self._turn_sent_ns = t  # a follow-up turn's first request
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
            if self._boundaries == 0:
                self._reset_attempt()
            else:
                # a later request is retried only before its first token: its usage goes
                self._usage = Usage()
                self._req_chars_start = self._chars_at_usage = self._text_chars + (
                    self._reasoning_chars
                )
        elif isinstance(event, Notice) and event.text not in self._notices:
            self._notices.append(event.text)
        elif isinstance(event, ToolCallStarted):
            if self._first_token_ns is None and self._turns == 1:
                self._first_token_ns = t
            self._last_token_ns = t
            self._streamed(t)
        elif isinstance(event, ToolCallDone):
            self._tool_calls += 1
            self._tool_log.append(
                {
                    "turn": self._turns,
                    "round": self._tool_rounds + 1,
                    "call_id": event.call_id,
                    "name": event.name,
                    "arguments": event.arguments,
                }
            )
            self._tool_log_tuple = None
        elif isinstance(event, ToolResultReady):
            for entry in reversed(self._tool_log):
                if entry["call_id"] == event.call_id and "result" not in entry:
                    entry.update(
                        label=event.label,
                        result=event.content,
                        is_error=event.is_error,
                        summary=event.summary,
                    )
                    break
            self._tool_log_tuple = None
        elif isinstance(event, RoundStarted):
            self._fold_request()
            self._tool_rounds += 1
            self._reasoning_round_break = True
        elif isinstance(event, TurnStarted):
            self._turn_marks.append(self._cumulative(t))
            if self._turn_sent_ns is not None:
                # the earlier turn ended at its finish (a run of its own), or now (scripted)
                end = self._end_ns if self._end_ns is not None else t
                self._wall_prior_ns += end - self._turn_sent_ns
            self._fold_request()
            self._turn_sent_ns = None
            self._turns = max(self._turns + 1, event.turn)
            self._end_ns = None
            self._finish_reason = None
            self._error = None
        elif isinstance(event, ConversationState):
            self._conversation = event.conversation

    def _request_usage(self, final: bool) -> tuple[Usage, bool]:
        """The current request's usage with its output (estimated when not exact)."""
        usage = self._usage
        chars = self._text_chars + self._reasoning_chars
        output = usage.output_tokens
        # A clean finish trusts the provider's last count; a failed or cancelled run with
        # text after its last usage (Anthropic's placeholder count in message_start) is
        # an estimate from that count plus the text since, marked as such.
        exact = output is not None and (chars == self._chars_at_usage or final)
        if output is None:
            since = chars - self._req_chars_start
            output = estimate_tokens(since) if since else None
        elif not exact:
            output += estimate_tokens(chars - self._chars_at_usage)
        live = Usage(
            input_tokens=usage.input_tokens,
            cached_input_tokens=usage.cached_input_tokens,
            output_tokens=output,
            reasoning_tokens=usage.reasoning_tokens,
            cache_write_tokens=usage.cache_write_tokens,
            cache_write_1h_tokens=usage.cache_write_1h_tokens,
        )
        return live, exact

    def _fold_request(self) -> None:
        """A request of the loop has ended: its figures join the sums of the earlier ones."""
        live, exact = self._request_usage(final=True)
        empty = live == Usage()
        self._boundaries += 1
        if not empty:
            self._prior_exact = self._prior_exact and exact
            cost = self._price(live) if self._price is not None else None
            if cost is None or cost.usd is None or self._prior_usd is None:
                self._prior_usd = None
            else:
                self._prior_usd += cost.usd
            if cost is not None:
                self._prior_source = cost.source
            self._prior = live if self._prior is None else _sum_usage(self._prior, live)
        self._usage = Usage()
        if self._req_first_ns is not None and self._req_last_ns is not None:
            self._streamed_prior_ns += self._req_last_ns - self._req_first_ns
        self._req_first_ns = self._req_last_ns = None
        chars = self._text_chars + self._reasoning_chars
        self._req_chars_start = self._chars_at_usage = chars
        self._last_chunk_ns = None  # the tool's time is not a gap of the stream
        self._end_ns = None
        self._finish_reason = None

    def _streamed(self, t: int) -> None:
        """A token of the current request arrived at `t` (its streaming span grows)."""
        if self._req_first_ns is None:
            self._req_first_ns = t
        self._req_last_ns = t

    def _reset_attempt(self) -> None:
        self._text.clear()
        self._reasoning.clear()
        self._text_chars = self._reasoning_chars = self._chars_at_usage = 0
        self._req_chars_start = 0
        self._first_token_ns = self._first_useful_ns = self._last_token_ns = None
        self._req_first_ns = self._req_last_ns = None
        self._streamed_prior_ns = 0
        self._last_chunk_ns = None
        self._gaps.clear()
        self._gap_max_ns = None
        self._buckets.clear()
        self._buckets_tuple = ()
        self._usage = Usage()

    def _on_content(self, event: TextDelta | ReasoningDelta, t: int) -> None:
        text = event.text
        if isinstance(event, TextDelta):
            if not text:
                return
            self._text.append(text)
            self._text_chars += len(text)
            if self._first_useful_ns is None and not text.isspace() and self._turns == 1:
                self._first_useful_ns = t
        else:
            if self._reasoning_round_break and text:
                self._reasoning_round_break = False
                so_far = self._reasoning.value()
                if so_far and not so_far.endswith("\n\n"):
                    # shown and kept apart, not counted as the model's characters
                    self._reasoning.append("\n" if so_far.endswith("\n") else "\n\n")
            self._reasoning.append(text)
            self._reasoning_chars += len(text)
        # Redacted thinking (empty reasoning) is a real first token: the model is working.
        if self._first_token_ns is None and self._turns == 1:
            self._first_token_ns = t
        if self._last_chunk_ns is not None and t != self._last_chunk_ns:
            gap = t - self._last_chunk_ns
            self._gaps.add(gap)
            if self._gap_max_ns is None or gap > self._gap_max_ns:
                self._gap_max_ns = gap
        self._last_chunk_ns = t
        self._last_token_ns = t
        self._streamed(t)
        if self._sent_ns is not None:
            bucket = max(0, (t - self._sent_ns) // RATE_BUCKET_NS)
            while len(self._buckets) <= bucket:
                self._buckets.append(0)
            self._buckets[bucket] += estimate_tokens(len(text)) or 1
            self._buckets_tuple = None

    def stats(self, now_ns: int | None = None) -> StreamStats:
        """The figures now; `now_ns` (the same clock) gives the elapsed time of a live run.

        Tokens, cost and the token rate count every request sent, a turn run again (and
        replaced) included: it was paid for (`carry_spend`).
        """
        return self._stats(now_ns, with_replaced=True)

    def text(self) -> StreamText:
        """What a pane's body shows: the status and the texts, no figure computed.

        The frame pacer draws each pane up to 30 times a second and needs only these;
        `stats()` builds every figure (the gap percentiles, the rate buckets, the price of
        an estimate that changes with every token) for the 10 Hz tick's lines.
        """
        return StreamText(self._status(), self._text.value(), self._reasoning.value())

    def _price_of(self, usage: Usage, exact: bool = True) -> Cost | None:
        """The price of `usage`, priced again only when it changed: `stats()` is read on
        every frame of every pane, and pricing (the price library's lookup) was 5 % of the
        app's main thread at three panes of 100 tokens/s, for the same tokens mostly.

        A live estimate (not `exact`: the output tokens counted from the text) is priced
        from the last one the library priced, at that usage's rate per output token; an
        exact usage is always the library's (the price the run is saved with).
        """
        if self._price is None:
            return None
        priced = self._priced
        if priced is None or priced[0] != usage:
            cost = None if exact else self._estimate_price(usage)
            priced = self._priced = (usage, self._price(usage) if cost is None else cost)
        return priced[1]

    def _estimate_price(self, usage: Usage) -> Cost | None:
        """An estimate's price without the library: its price at the output tokens last
        priced plus the tokens since at the rate per output token (prices are linear in
        output tokens once the input is fixed: a tier goes by the prompt's size), or None
        to price it with the library."""
        out = usage.output_tokens
        if out is None or self._price is None:
            return None
        rest = dataclasses.replace(usage, output_tokens=None)
        rate = self._rate
        if rate is None or rate[0] != rest:
            at = self._price(usage)
            later = self._price(dataclasses.replace(usage, output_tokens=out + _RATE_SPAN))
            if at.usd is None or later.usd is None or later.source != at.source:
                return at
            self._rate = (rest, out, at, (later.usd - at.usd) / _RATE_SPAN)
            return at
        _, out_at, at, per_token = rate
        assert at.usd is not None
        return Cost(at.usd + (out - out_at) * per_token, at.source)

    def _stats(self, now_ns: int | None, *, with_replaced: bool) -> StreamStats:
        sent = self._sent_ns
        live_usage, exact = self._request_usage(
            final=self._end_ns is not None and self._error is None
        )
        cost = self._price_of(live_usage, exact)
        if self._prior is not None or self._boundaries:
            cost = self._with_prior_cost(cost, live_usage)
            exact = self._prior_exact and (exact or live_usage.output_tokens is None)
            if self._prior is not None:
                live_usage = _sum_usage(self._prior, live_usage)
        span = self._streamed_ns()
        if with_replaced and self._replaced is not None:
            replaced = self._replaced
            live_usage = _sum_usage(live_usage, replaced.usage)
            cost = _cost_plus(cost, replaced.cost)
            exact = exact and replaced.exact
            span += replaced.streamed_ns
        output = live_usage.output_tokens
        tps = None
        if output and span > 0:
            tps = output / (span / 1e9)
        end_or_now = self._end_ns if self._end_ns is not None else now_ns
        turn_sent = self._turn_sent_ns
        wall = _since(turn_sent, self._end_ns)
        elapsed = _since(turn_sent, end_or_now)
        if self._wall_prior_ns:
            prior_s = self._wall_prior_ns / 1e9
            wall = None if wall is None else prior_s + wall
            elapsed = prior_s if elapsed is None else prior_s + elapsed
        return StreamStats(
            status=self._status(),
            text=self._text.value(),
            reasoning_text=self._reasoning.value(),
            connect_s=None if self._connect_ns is None else self._connect_ns / 1e9,
            ttft_s=_since(sent, self._first_token_ns),
            time_to_first_useful_s=_since(sent, self._first_useful_ns),
            wall_time_s=wall,
            elapsed_s=elapsed,
            gap_p50_s=self._gaps.percentile(50, 1e9),
            gap_p95_s=self._gaps.percentile(95, 1e9),
            gap_max_s=None if self._gap_max_ns is None else self._gap_max_ns / 1e9,
            output_tokens_per_s=tps,
            input_tokens=live_usage.input_tokens,
            cached_input_tokens=live_usage.cached_input_tokens,
            output_tokens=output,
            reasoning_tokens=live_usage.reasoning_tokens,
            tokens_exact=exact,
            cost=cost,
            finish_reason=self._finish_reason,
            error=self._error,
            retries=self._retries,
            rate_buckets=self._rate_buckets(),
            cache_write_tokens=live_usage.cache_write_tokens,
            notices=tuple(self._notices),
            tool_calls=self._tool_calls,
            tool_rounds=self._tool_rounds,
            turns=self._turns,
            tool_log=self._tool_log_view(),
            conversation=self._conversation,
        )

    def _cumulative(self, t: int) -> dict[str, Any]:
        """The run's figures so far, as the end of a turn (for the per-turn figures)."""
        s = self._stats(t, with_replaced=False)
        return {
            "wall_time_s": s.wall_time_s if s.wall_time_s is not None else s.elapsed_s,
            "input_tokens": s.input_tokens,
            "output_tokens": s.output_tokens,
            "cost_usd": s.cost_usd,
            "tool_calls": s.tool_calls,
            "tool_rounds": s.tool_rounds,
            "finish_reason": s.finish_reason,
        }

    def turn_figures(self, now_ns: int | None = None) -> list[dict[str, Any]]:
        """Each turn's own figures (wall time, tokens, cost, tool calls and rounds, finish):
        the run's totals cut at every `TurnStarted`; the last turn's are up to now."""
        marks = [*self._turn_marks, self._cumulative(now_ns if now_ns is not None else 0)]
        if now_ns is None and self._end_ns is not None:
            marks[-1] = self._cumulative(self._end_ns)
        out: list[dict[str, Any]] = []
        prev: dict[str, Any] = {}
        for turn, mark in enumerate(marks, 1):
            figures: dict[str, Any] = {"turn": turn, "finish_reason": mark["finish_reason"]}
            for key in ("wall_time_s", "input_tokens", "output_tokens", "cost_usd"):
                now, before = mark[key], prev.get(key)
                figures[key] = None if now is None else now - (before or 0)
            for key in ("tool_calls", "tool_rounds"):
                figures[key] = mark[key] - prev.get(key, 0)
            out.append(figures)
            prev = mark
        return out

    def _with_prior_cost(self, cost: Cost | None, current: Usage) -> Cost | None:
        """The current request's cost plus the earlier requests' (each priced alone)."""
        source = cost.source if cost is not None else self._prior_source
        if source is None:
            return None
        if current == Usage():
            usd = self._prior_usd  # the next request has reported nothing yet
        elif cost is None or cost.usd is None or self._prior_usd is None:
            usd = None
        else:
            usd = self._prior_usd + cost.usd
        return Cost(usd, source)

    def _tool_log_view(self) -> tuple[dict[str, Any], ...]:
        if self._tool_log_tuple is None:
            self._tool_log_tuple = tuple(dict(e) for e in self._tool_log)
        return self._tool_log_tuple

    def _rate_buckets(self) -> tuple[int, ...]:
        if self._buckets_tuple is None:
            self._buckets_tuple = tuple(self._buckets)
        return self._buckets_tuple

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


class _GrowingText:
    """Text that grows by pieces; reading it joins only the pieces since the last read."""

    __slots__ = ("_joined", "_pieces")

    def __init__(self) -> None:
        self._joined = ""
        self._pieces: list[str] = []

    def append(self, piece: str) -> None:
        self._pieces.append(piece)

    def copy(self) -> _GrowingText:
        other = _GrowingText()
        other._joined = self.value()
        return other

    def clear(self) -> None:
        self._joined = ""
        self._pieces.clear()

    def value(self) -> str:
        # one copy of the text per read (a memcpy), not a join of thousands of small strings
        if self._pieces:
            self._joined += "".join(self._pieces)
            self._pieces.clear()
        return self._joined


@dataclass(frozen=True, slots=True)
class StreamText:
    """A run's status and texts as `StreamMeter.stats()` gives them (`StreamMeter.text`)."""

    status: RunStatus
    text: str
    reasoning_text: str


@dataclass(frozen=True, slots=True)
class _Spend:
    """What replaced turns spent: usage, cost, whether the tokens are exact, streaming ns."""

    usage: Usage
    cost: Cost | None
    exact: bool
    streamed_ns: int

    def plus(self, other: _Spend) -> _Spend:
        return _Spend(
            _sum_usage(self.usage, other.usage),
            _cost_plus(self.cost, other.cost),
            self.exact and other.exact,
            self.streamed_ns + other.streamed_ns,
        )


def _minus(a: int | None, b: int | None) -> int | None:
    return None if a is None else a - (b or 0)


def _cost_minus(now: Cost | None, then: Cost | None) -> Cost | None:
    if now is None:
        return None
    before = 0.0 if then is None else then.usd
    if now.usd is None or before is None:
        return Cost(None, now.source)
    return Cost(now.usd - before, now.source)


def _cost_plus(a: Cost | None, b: Cost | None) -> Cost | None:
    """Two costs added; unknown + anything stays unknown (never a silent $0)."""
    if a is None or b is None:
        return a if b is None else b
    usd = None if a.usd is None or b.usd is None else a.usd + b.usd
    return Cost(usd, a.source)


def _add(a: int | None, b: int | None) -> int | None:
    return None if a is None and b is None else (a or 0) + (b or 0)


def _sum_usage(a: Usage, b: Usage) -> Usage:
    """Two requests' usage added field by field (unknown + unknown stays unknown)."""
    return Usage(
        input_tokens=_add(a.input_tokens, b.input_tokens),
        cached_input_tokens=_add(a.cached_input_tokens, b.cached_input_tokens),
        output_tokens=_add(a.output_tokens, b.output_tokens),
        reasoning_tokens=_add(a.reasoning_tokens, b.reasoning_tokens),
        cache_write_tokens=_add(a.cache_write_tokens, b.cache_write_tokens),
        cache_write_1h_tokens=_add(a.cache_write_1h_tokens, b.cache_write_1h_tokens),
    )


def _later(new: int | None, old: int | None) -> int | None:
    return old if new is None else new


def _since(start_ns: int | None, end_ns: int | None) -> float | None:
    if start_ns is None or end_ns is None:
        return None
    return (end_ns - start_ns) / 1e9
