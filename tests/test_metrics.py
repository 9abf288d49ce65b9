"""The meter's figures from stamped events with known timestamps (no clock, no network)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modelduel.core.meter import RATE_BUCKET_NS, StreamMeter
from modelduel.core.metrics import Cost, estimate_tokens
from modelduel.core.percentiles import SortedValues, percentile
from modelduel.events import (
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

MS = 1_000_000


def feed(meter: StreamMeter, *items: tuple[int, object]) -> None:
    for t_ms, event in items:
        meter.observe(Stamped(t_ms * MS, event))  # type: ignore[arg-type]


def test_ttft_counts_reasoning_but_first_useful_waits_for_visible_text() -> None:
    meter = StreamMeter()
    feed(
        meter,
        (100, RequestSent(connect_ns=3 * MS)),
        (350, ReasoningDelta("Let me think")),
        (600, TextDelta("   \n")),  # whitespace: a token, but nothing useful yet
        (900, TextDelta("Answer")),
        (1100, TextDelta(" done")),
        (1100, Usage(input_tokens=10, output_tokens=40, reasoning_tokens=30)),
        (1150, Finished("stop", "end_turn")),
    )
    s = meter.stats()
    assert s.connect_s == pytest.approx(0.003)
    assert s.ttft_s == pytest.approx(0.25)
    assert s.time_to_first_useful_s == pytest.approx(0.8)
    assert s.wall_time_s == pytest.approx(1.05)
    assert s.text == "   \nAnswer done"
    assert s.reasoning_text == "Let me think"
    assert s.status == "done"
    assert s.finish_reason == "stop"
    assert s.output_tokens == 40 and s.tokens_exact
    # 40 tokens between the first token (350 ms) and the last (1100 ms)
    assert s.output_tokens_per_s == pytest.approx(40 / 0.75)


def test_empty_text_chunks_never_count_as_first_token() -> None:
    meter = StreamMeter()
    feed(meter, (0, RequestSent()), (50, TextDelta("")), (200, TextDelta("x")))
    assert meter.stats().ttft_s == pytest.approx(0.2)


def test_redacted_thinking_counts_as_first_token() -> None:
    meter = StreamMeter()
    feed(meter, (0, RequestSent()), (70, ReasoningDelta("")), (200, TextDelta("x")))
    s = meter.stats()
    assert s.ttft_s == pytest.approx(0.07)
    assert s.status == "streaming"


def test_gaps_are_between_distinct_chunk_arrivals() -> None:
    meter = StreamMeter()
    feed(
        meter,
        (0, RequestSent()),
        (100, TextDelta("a")),
        (100, TextDelta("b")),  # same network chunk: not a gap
        (110, TextDelta("c")),
        (140, TextDelta("d")),
        (340, TextDelta("e")),
    )
    s = meter.stats()
    assert s.gap_max_s == pytest.approx(0.2)
    assert s.gap_p50_s == pytest.approx(0.03)


def test_live_output_is_an_estimate_until_exact_usage_arrives() -> None:
    meter = StreamMeter()
    feed(meter, (0, RequestSent()), (10, TextDelta("x" * 40)))
    s = meter.stats()
    assert s.output_tokens == 10 and not s.tokens_exact
    feed(meter, (20, Usage(input_tokens=5, output_tokens=12)))
    s = meter.stats()
    assert s.output_tokens == 12 and s.tokens_exact
    # more text after the last exact count: exact part plus an estimate of the rest
    feed(meter, (30, TextDelta("y" * 8)))
    s = meter.stats()
    assert s.output_tokens == 14 and not s.tokens_exact
    feed(meter, (40, Usage(output_tokens=15)), (41, Finished("stop")))
    s = meter.stats()
    assert s.output_tokens == 15 and s.tokens_exact
    assert s.input_tokens == 5  # a later Usage only overrides the fields it carries


def test_failure_keeps_partial_text_and_usage() -> None:
    meter = StreamMeter()
    err = ErrorInfo("provider_error", "overloaded_error: Overloaded")
    feed(
        meter,
        (0, RequestSent()),
        (10, Usage(input_tokens=9, output_tokens=1)),
        (20, TextDelta("partial")),
        (30, StreamFailed(err)),
        (40, Finished("stop")),  # nothing after the end changes the outcome
    )
    s = meter.stats()
    assert s.status == "failed"
    assert s.error == err
    assert s.text == "partial"
    assert s.finish_reason == "error"
    assert s.input_tokens == 9
    assert s.wall_time_s == pytest.approx(0.03)


def test_cancelled_run_is_marked_cancelled() -> None:
    meter = StreamMeter()
    feed(
        meter,
        (0, RequestSent()),
        (5, TextDelta("half")),
        (9, StreamFailed(ErrorInfo("cancelled", "cancelled by the user"))),
    )
    s = meter.stats()
    assert s.status == "cancelled" and s.finish_reason == "cancelled" and s.text == "half"


def test_retry_restarts_the_figures_and_counts_the_retry() -> None:
    meter = StreamMeter()
    err = ErrorInfo("rate_limited", "HTTP 429", status=429, retryable=True)
    feed(
        meter,
        (0, RequestSent()),
        (50, Retrying(1, 0.5, err)),
        (600, RequestSent(connect_ns=0)),
        (800, TextDelta("ok")),
        (810, Finished("stop")),
    )
    s = meter.stats()
    assert s.retries == 1
    assert s.ttft_s == pytest.approx(0.2)


def test_elapsed_uses_now_while_running() -> None:
    meter = StreamMeter()
    feed(meter, (100, RequestSent()))
    assert meter.stats(now_ns=600 * MS).elapsed_s == pytest.approx(0.5)
    assert meter.stats().wall_time_s is None


def test_cost_comes_from_the_price_function_with_live_usage() -> None:
    seen: list[Usage] = []

    def price(u: Usage) -> Cost:
        seen.append(u)
        return Cost(usd=(u.output_tokens or 0) * 1e-6, source="test")

    meter = StreamMeter(price=price)
    feed(meter, (0, RequestSent()), (1, TextDelta("abcd" * 5)))
    s = meter.stats()
    assert s.cost_usd == pytest.approx(5e-6)
    assert seen[0].output_tokens == 5  # (the next call prices its rate per output token)


def test_percentile_and_estimate() -> None:
    assert percentile([], 50) is None
    assert percentile([1.0], 95) == 1.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == pytest.approx(2.5)
    assert estimate_tokens(0) == 0
    assert estimate_tokens(5) == 2


def test_a_cancelled_run_with_text_after_its_last_usage_is_an_estimate() -> None:
    from modelduel.events import ErrorInfo, StreamFailed, TextDelta, Usage

    meter = StreamMeter()
    meter.observe(Stamped(0, RequestSent(0)))
    meter.observe(Stamped(1, Usage(10, 0, 1, None)))  # Anthropic's message_start placeholder
    meter.observe(Stamped(2, TextDelta("x" * 400)))
    meter.observe(Stamped(3, StreamFailed(ErrorInfo("cancelled", "cancelled by the user"))))
    stats = meter.stats()
    assert not stats.tokens_exact
    assert stats.output_tokens == 1 + 100


# ------------------------------------------------ incremental figures == the exact ones


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(st.integers(0, 12) | st.integers(0, 10**10), max_size=200),
    q=st.sampled_from([0.0, 1.0, 37.5, 50.0, 95.0, 99.0, 100.0]),
)
def test_sorted_values_percentile_equals_percentile_of_sorted_values_after_every_add(
    values: list[int], q: float
) -> None:
    running = SortedValues()
    assert running.percentile(q, 1e9) is None
    seen: list[float] = []
    for v in values:
        running.add(v)
        seen.append(v / 1e9)
        assert running.percentile(q, 1e9) == percentile(sorted(seen), q)  # exact, not approx


_event = st.one_of(
    st.tuples(st.integers(0, 400), st.sampled_from(["text", "reasoning", "empty", "space"])),
    st.tuples(st.integers(0, 400), st.just("retry")),
)


@settings(max_examples=150, deadline=None)
@given(events=st.lists(_event, max_size=120), read_every=st.integers(1, 7))
def test_live_figures_mid_stream_equal_a_recomputation_from_scratch(
    events: list[tuple[int, str]], read_every: int
) -> None:
    meter = StreamMeter()
    t = 0
    meter.observe(Stamped(t, RequestSent()))
    sent = t
    last_chunk: int | None = None
    gaps: list[float] = []
    text: list[str] = []
    reasoning: list[str] = []
    buckets: list[int] = []
    err = ErrorInfo("rate_limited", "HTTP 429", status=429, retryable=True)
    for i, (step_ms, kind) in enumerate(events):
        t += step_ms * MS // 7  # some steps are 0: chunks that share an arrival time
        if kind == "retry":
            meter.observe(Stamped(t, Retrying(1, 0.1, err)))
            meter.observe(Stamped(t, RequestSent()))
            sent, last_chunk = t, None
            gaps, text, reasoning, buckets = [], [], [], []
        else:
            piece = {"text": f"w{i} ", "reasoning": f"r{i}", "empty": "", "space": " "}[kind]
            event = ReasoningDelta(piece) if kind == "reasoning" else TextDelta(piece)
            meter.observe(Stamped(t, event))
            if kind != "empty":  # an empty text is no token and no chunk
                (reasoning if kind == "reasoning" else text).append(piece)
                if last_chunk is not None and t != last_chunk:
                    gaps.append((t - last_chunk) / 1e9)
                last_chunk = t
                bucket = (t - sent) // RATE_BUCKET_NS
                buckets += [0] * (bucket + 1 - len(buckets))
                buckets[bucket] += estimate_tokens(len(piece)) or 1
        if i % read_every == 0:
            s = meter.stats()
            ordered = sorted(gaps)
            assert s.gap_p50_s == percentile(ordered, 50)
            assert s.gap_p95_s == percentile(ordered, 95)
            assert s.gap_max_s == (ordered[-1] if ordered else None)
            assert s.text == "".join(text)
            assert s.reasoning_text == "".join(reasoning)
            assert s.rate_buckets == tuple(buckets)


def test_sorted_values_stay_exact_across_block_splits_and_copies() -> None:
    import random

    from modelduel.core.percentiles import SortedValues

    rng = random.Random(13)
    values = SortedValues()
    seen: list[int] = []
    for i in range(6000):  # several splits of the 1024-value blocks, duplicates included
        v = rng.choice([rng.randrange(10**9), rng.randrange(5), 10**9 - i])
        values.add(v)
        seen.append(v)
        if i % 251 == 0 or i == 5999:
            ordered = sorted(x / 1e9 for x in seen)
            for q in (0.0, 50.0, 95.0, 99.0, 100.0):
                assert values.percentile(q, 1e9) == percentile(ordered, q)
    assert [values.kth(k) for k in range(0, 6000, 7)] == sorted(seen)[::7]
    snapshot = values.copy()
    values.add(-1)
    assert snapshot.kth(0) == min(seen) and values.kth(0) == -1 and len(snapshot) == 6000
