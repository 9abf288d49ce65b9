"""Promises of the measuring engine that a small change to the code would break unseen.

Each test here was written against a hand-made mutation that the rest of the suite let
through (README "Development", mutation testing): the request-sent stamp, retries, the
meter's reset on a retry, the SSE grammar's `id:`/`retry:` fields and colon-less lines;
and, found by the mutation run, the worker pipe's codec and the retry schedule.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import time

from modelduel.core.codec import decode_event_line, encode_event_line
from modelduel.core.duel import ClientPool, DuelRunner, RunPlan, backoff_delay
from modelduel.core.meter import StreamMeter
from modelduel.core.worker import ChildDuelRunner
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
from modelduel.providers.base import ModelRequest, SSEEvent
from modelduel.providers.http import StreamTarget, Timeouts
from modelduel.providers.sse import SSEDecoder
from tests.support.engine import Collect
from tests.support.replay_server import Script, running_server, sse

KEY = "sk-test-promises-0123456789"
MS = 1_000_000


def chat_frames(texts: list[str]) -> list[bytes]:
    """A Chat Completions stream as SSE frames: role, content, finish, usage, [DONE]."""
    base = {"id": "c1", "object": "chat.completion.chunk", "model": "m"}
    events: list[tuple[str | None, object]] = [
        (None, {**base, "choices": [{"index": 0, "delta": {"role": "assistant"}}]})
    ]
    events += [(None, {**base, "choices": [{"index": 0, "delta": {"content": t}}]}) for t in texts]
    events.append((None, {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}))
    usage = {"prompt_tokens": 7, "completion_tokens": len(texts), "total_tokens": 7 + len(texts)}
    events.append((None, {**base, "choices": [], "usage": usage}))
    events.append((None, "[DONE]"))
    return sse(*events)


def chat_plan(base_url: str) -> RunPlan:
    target = StreamTarget("openai-chat", f"{base_url}/v1", lambda: KEY, "OPENAI_API_KEY")
    return RunPlan("r1", "local", target, ModelRequest(model_id="m", prompt="hi"))


async def run_one(plan: RunPlan, **runner_kw: object) -> Collect:
    sink = Collect()
    pool = ClientPool(Timeouts(connect=5, stall=5))
    try:
        await DuelRunner(sink, pool, **runner_kw).run([plan])  # type: ignore[arg-type]
    finally:
        await pool.aclose()
    return sink


# --- request sent --------------------------------------------------------------------------


async def test_request_sent_is_stamped_once_connected_never_before() -> None:
    """README: "request sent" is when the request's last byte was written, so the time
    spent connecting is never counted as the model's latency."""
    readings: list[int] = []
    ticks = itertools.count(1_000 * MS, MS)  # every reading of the clock is 1 ms later

    def clock() -> int:
        readings.append(next(ticks))
        return readings[-1]

    async with running_server(lambda r: Script([(0.0, f) for f in chat_frames(["ok"])])) as srv:
        sink = await run_one(chat_plan(srv.base), clock=clock)
    sent = [s for s in sink.events if isinstance(s.event, RequestSent)]
    assert len(sent) == 1
    connect_ns = sent[0].event.connect_ns
    assert connect_ns is not None and connect_ns >= MS  # a fresh connection was timed
    # The stamp comes after connecting: at least the connect time after the first reading.
    assert sent[0].t_ns >= readings[0] + connect_ns
    stats = sink.meter.stats()
    assert stats.status == "done" and stats.text == "ok"
    assert stats.connect_s == connect_ns / 1e9


# --- retries -------------------------------------------------------------------------------


async def test_a_failure_after_content_arrived_is_never_retried() -> None:
    """A retry after tokens arrived would bill the prompt twice and show a different
    answer than the one that streamed: the run fails and keeps its partial text."""
    frames = chat_frames(["par", "tial", "never"])
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    # role chunk, "par", "tial", then the connection drops (a retryable failure)
    script = Script([(0.0, f) for f in frames], drop_after=3)
    async with running_server(lambda r: script) as srv:
        sink = await run_one(chat_plan(srv.base), retries=3, sleep=fake_sleep)
    stats = sink.meter.stats()
    assert len(srv.requests) == 1
    assert slept == [] and not any(isinstance(s.event, Retrying) for s in sink.events)
    assert stats.status == "failed" and stats.error is not None
    assert stats.error.kind == "connection" and stats.error.retryable
    assert stats.text == "partial" and stats.retries == 0


async def test_a_failure_before_any_content_is_retried_when_asked() -> None:
    """The other side of the rule: nothing streamed yet, so a retry is safe."""
    frames = chat_frames(["fine"])
    scripts = iter([Script([(0.0, frames[0])], drop_after=1), Script([(0, f) for f in frames])])

    async def fake_sleep(seconds: float) -> None:
        pass

    async with running_server(lambda r: next(scripts)) as srv:
        sink = await run_one(chat_plan(srv.base), retries=1, sleep=fake_sleep)
    stats = sink.meter.stats()
    assert len(srv.requests) == 2
    assert stats.status == "done" and stats.text == "fine" and stats.retries == 1


def test_the_meter_describes_only_the_attempt_that_answered() -> None:
    """After a `Retrying` event nothing of the failed attempt remains in the figures:
    not its text, reasoning, first-token times, gaps, rate, nor any usage field the
    answering attempt does not report again."""
    meter = StreamMeter()
    first = [
        Stamped(0, RequestSent(5 * MS)),
        Stamped(100 * MS, ReasoningDelta("stale thought")),
        Stamped(200 * MS, TextDelta("stale")),
        Stamped(900 * MS, TextDelta(" text")),
        Stamped(950 * MS, Usage(input_tokens=50, cached_input_tokens=40, output_tokens=9)),
        Stamped(1000 * MS, Retrying(1, 0.5, ErrorInfo("overloaded", "busy", retryable=True))),
    ]
    second = [
        Stamped(2000 * MS, RequestSent(0)),
        Stamped(2500 * MS, TextDelta("fres")),  # one network chunk, two deltas
        Stamped(2500 * MS, TextDelta("h")),
    ]
    for stamped in first + second[:2]:
        meter.observe(stamped)
    live = meter.stats(now_ns=2600 * MS)  # mid-stream: an estimate from this attempt's text
    assert (live.status, live.text, live.output_tokens, live.tokens_exact) == (
        "streaming",
        "fres",
        1,
        False,
    )
    assert live.input_tokens is None and live.elapsed_s == 0.6
    for stamped in [
        second[2],
        Stamped(3000 * MS, Usage(input_tokens=60, output_tokens=2)),
        Stamped(3000 * MS, Finished("stop", "stop")),
    ]:
        meter.observe(stamped)
    s = meter.stats()
    assert (s.status, s.text, s.reasoning_text) == ("done", "fresh", "")
    assert s.ttft_s == 0.5 and s.time_to_first_useful_s == 0.5 and s.wall_time_s == 1.0
    assert s.connect_s == 0
    assert (s.input_tokens, s.cached_input_tokens, s.output_tokens) == (60, None, 2)
    assert s.tokens_exact and s.retries == 1
    assert s.gap_max_s is None  # one content chunk in the answering attempt: no gap
    assert s.output_tokens_per_s is None
    assert sum(s.rate_buckets) == 2  # "fresh" alone: 5 chars, 2 estimated tokens


# --- SSE grammar ---------------------------------------------------------------------------


def decode(data: bytes) -> list[SSEEvent]:
    decoder = SSEDecoder()
    return decoder.feed(data) + decoder.flush()


def test_sse_id_and_retry_fields_are_fields_not_garbage() -> None:
    """`id:` and `retry:` are SSE fields (proxies and some servers send them); they must
    not come out as a raw non-SSE line, which the adapters read as a malformed stream."""
    stream = b"id: 41\nretry: 3000\nevent: delta\ndata: x\n\nid:42\ndata: y\nretry:10\n\n"
    assert decode(stream) == [SSEEvent("delta", "x"), SSEEvent("message", "y")]


def test_sse_line_without_a_colon_is_a_field_with_an_empty_value() -> None:
    """The SSE grammar: a line without a colon is a field name with an empty value."""
    assert decode(b"event\ndata: x\n\n") == [SSEEvent("message", "x")]
    assert decode(b"data\ndata: b\n\n") == [SSEEvent("message", "\nb")]
    assert decode(b"data\n\n") == [SSEEvent("message", "")]
    assert decode(b"id\nretry\ndata: z\n\n") == [SSEEvent("message", "z")]


async def test_a_stream_with_sse_ids_and_retry_hints_completes() -> None:
    """End to end: an OpenAI-compatible server that numbers its events still streams."""
    frames = [b"retry: 1000\n"] + [
        b"id: %d\n" % i + frame for i, frame in enumerate(chat_frames(["Hel", "lo"]))
    ]
    async with running_server(lambda r: Script([(0.0, f) for f in frames])) as srv:
        sink = await run_one(chat_plan(srv.base))
    stats = sink.meter.stats()
    assert stats.error is None and stats.status == "done"
    assert stats.text == "Hello" and stats.output_tokens == 2 and stats.tokens_exact


# --- the worker's pipe and the retry schedule -----------------------------------------------


def test_every_event_crosses_the_worker_pipe_unchanged() -> None:
    """The child-process runner reports exactly the events the in-process one does: each
    kind, with every field set, survives encoding to a line and back, stamp and run id too."""
    error = ErrorInfo("rate_limited", "slow down — ünïcode", 429, 7.5, retryable=True)
    events = [
        RequestSent(12_345),
        RequestSent(None),
        ReasoningDelta("thinking…"),
        TextDelta('text with "quotes"\n and \u2028'),
        Usage(100, 20, 50, 30),
        Usage(None, None, 7, None),
        Finished("length", "max_tokens"),
        StreamFailed(error),
        Retrying(2, 1.5, error),
    ]
    for i, event in enumerate(events):
        stamped = Stamped(1_000_000_007 + i, event)
        line = encode_event_line(f"run-{i}", stamped)
        assert line.endswith(b"\n") and line.count(b"\n") == 1
        assert decode_event_line(line) == (f"run-{i}", stamped)
        assert decode_event_line(line.decode()) == (f"run-{i}", stamped)


def test_retries_wait_what_the_provider_asks_else_half_a_second_doubling_to_eight() -> None:
    no_jitter, most_jitter = (lambda: 0.0), (lambda: 1.0)
    schedule = [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert [backoff_delay(n, None, no_jitter) for n in range(1, 7)] == schedule
    # jitter only ever shortens a wait, by at most a quarter
    assert [backoff_delay(n, None, most_jitter) for n in range(1, 7)] == [
        0.75 * d for d in schedule
    ]
    assert backoff_delay(1, 7.0) == 7.0 and backoff_delay(6, 30.0) == 30.0
    # a hint of 0 s gets the schedule, as the official SDKs do (only 0 < hint <= cap is taken)
    assert backoff_delay(3, 0.0, no_jitter) == 2.0


async def test_cancelling_one_run_in_the_child_process_leaves_the_others_running() -> None:
    """`x` cancels the focused pane only: through the worker process too, the other runs
    of the duel go on to their end (a worker that stopped everything would pass a test
    that only looks at the cancelled run)."""
    frames = chat_frames(["first", "second"])
    chunks = [(0.0, f) for f in frames]
    chunks[2] = (1.0, frames[2])  # "second" comes a second later
    async with running_server(lambda r: Script(chunks)) as srv:
        meters: dict[str, StreamMeter] = {}

        def sink(run_id: str, stamped: Stamped) -> None:
            meters.setdefault(run_id, StreamMeter()).observe(stamped)

        # the worker inherits this environment (and so the import path of the code tested)
        child = ChildDuelRunner(sink, env={**os.environ, "OPENAI_API_KEY": KEY})
        plans = [chat_plan(srv.base), chat_plan(srv.base)]
        plans[1] = RunPlan("r2", plans[1].client_key, plans[1].target, plans[1].request)
        await child.start(plans)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not all(
            rid in meters and meters[rid].stats().text == "first" for rid in ("r1", "r2")
        ):
            await asyncio.sleep(0.01)
        await child.cancel("r1")
        await asyncio.wait_for(child.wait(), 10)
        await child.aclose()
    cancelled, other = meters["r1"].stats(), meters["r2"].stats()
    assert cancelled.status == "cancelled" and cancelled.text == "first"
    assert other.status == "done" and other.text == "firstsecond" and other.error is None


async def test_cancel_reports_whether_there_was_a_run_to_cancel() -> None:
    async with running_server(lambda r: Script([(0.0, f) for f in chat_frames(["ok"])])) as srv:
        sink = Collect()
        pool = ClientPool()
        runner = DuelRunner(sink, pool)
        assert runner.cancel("never-started") is False
        await runner.run([chat_plan(srv.base)])
        assert runner.cancel("r1") is False  # it already ended: nothing to cancel
        await pool.aclose()
    assert sink.meter.stats().status == "done"


async def test_a_large_chunk_crosses_the_worker_pipe_whole() -> None:
    """A server may send a long answer in one event: the worker's line for it is far over
    asyncio's default 64 KiB line limit, and must still arrive as one piece of text."""
    big = "x" * 300_000
    frames = chat_frames([big])
    async with running_server(lambda r: Script([(0.0, f) for f in frames])) as srv:
        meters: dict[str, StreamMeter] = {}

        def sink(run_id: str, stamped: Stamped) -> None:
            meters.setdefault(run_id, StreamMeter()).observe(stamped)

        child = ChildDuelRunner(sink, env={**os.environ, "OPENAI_API_KEY": KEY})
        await child.start([chat_plan(srv.base)])
        await asyncio.wait_for(child.wait(), 20)
        await child.aclose()
    stats = meters["r1"].stats()
    assert stats.error is None and stats.status == "done" and stats.text == big
