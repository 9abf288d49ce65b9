"""The meter's figures across a tool loop's retries: promises a mutation run let through.

A retry in round 2 or later (the request after a tool's result failed before its first
token) must drop what the failed attempt reported, and keep the earlier rounds' sums.
Each test was seen to fail against the mutant it names (`bench/mutation_list.py`).
"""

from __future__ import annotations

from modelduel.core.meter import StreamMeter
from modelduel.core.metrics import Cost
from modelduel.core.pricing import PriceOverride, price_run
from modelduel.events import (
    ErrorInfo,
    Finished,
    RequestSent,
    Retrying,
    RoundStarted,
    Stamped,
    TextDelta,
    Usage,
)

MS = 1_000_000
BUSY = ErrorInfo("provider_error", "overloaded", retryable=True)
# $1 a million input tokens, $0.10 cached, $2 output, cache writes at the input price
PRICE = PriceOverride(input_per_mtok=1.0, output_per_mtok=2.0, cached_input_per_mtok=0.1)


def priced(usage: Usage) -> Cost:
    """The meter's price function: the override above, as config prices a model."""
    return price_run("openai", "m", usage, PRICE)


def round_one(meter: StreamMeter) -> None:
    """Round 1 answered with a tool call: 100 in, 5 out, exact."""
    for stamped in [
        Stamped(0, RequestSent(1 * MS)),
        Stamped(100 * MS, TextDelta("calling")),
        Stamped(200 * MS, Usage(input_tokens=100, output_tokens=5)),
        Stamped(300 * MS, RoundStarted(2)),
    ]:
        meter.observe(stamped)


def test_a_retry_in_round_two_drops_what_the_failed_request_reported() -> None:
    """Mutant: `self._usage = Usage()` removed from the later-round `Retrying` branch.

    The failed round-2 request's `message_start` usage (input, cache read and write) is
    not the run's: right after the retry the figures are round 1's alone, and once the
    retry answers, round 1 + the answering request, nothing of the failed one."""
    meter = StreamMeter(priced)
    round_one(meter)
    for stamped in [
        Stamped(400 * MS, RequestSent(0)),
        Stamped(
            500 * MS,
            Usage(
                input_tokens=900, cached_input_tokens=800, cache_write_tokens=50, output_tokens=1
            ),
        ),
        Stamped(600 * MS, Retrying(1, 0.5, BUSY)),
    ]:
        meter.observe(stamped)
    mid = meter.stats(now_ns=700 * MS)  # between the failed request and its retry
    assert (mid.input_tokens, mid.cached_input_tokens, mid.cache_write_tokens) == (100, None, None)
    assert (mid.output_tokens, mid.tokens_exact, mid.retries) == (5, True, 1)
    assert mid.cost_usd is not None
    assert abs(mid.cost_usd - (100 * 1e-6 + 5 * 2e-6)) < 1e-12
    for stamped in [
        Stamped(1200 * MS, RequestSent(0)),
        Stamped(1300 * MS, TextDelta("done")),
        Stamped(1400 * MS, Usage(input_tokens=120, output_tokens=2)),
        Stamped(1400 * MS, Finished("stop", "stop")),
    ]:
        meter.observe(stamped)
    s = meter.stats()
    assert (s.status, s.text) == ("done", "callingdone")
    assert (s.input_tokens, s.cached_input_tokens, s.cache_write_tokens) == (220, None, None)
    assert (s.output_tokens, s.tokens_exact) == (7, True)
    assert s.cost_usd is not None
    assert abs(s.cost_usd - (220 * 1e-6 + 7 * 2e-6)) < 1e-12


def test_a_retry_in_round_two_keeps_round_ones_text_and_counts() -> None:
    """Mutant: the later-round branch resets the whole attempt (`_reset_attempt()`), as a
    round-1 retry does: round 1's text and usage would vanish with the failed request."""
    meter = StreamMeter()
    round_one(meter)
    meter.observe(Stamped(400 * MS, RequestSent(0)))
    meter.observe(Stamped(600 * MS, Retrying(1, 0.5, BUSY)))
    s = meter.stats(now_ns=700 * MS)
    assert (s.text, s.input_tokens, s.output_tokens, s.tokens_exact) == ("calling", 100, 5, True)
    assert s.ttft_s == 0.1  # round 1's first token stays the run's first token
