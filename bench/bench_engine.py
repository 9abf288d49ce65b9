"""Engine benchmarks: TTFT measurement error, dispatch skew, parse-and-meter cost per event.

Run: `python bench/bench_engine.py [--runs N]`. Talks only to 127.0.0.1.

- TTFT error: a loopback server sends its first content event after a known delay and
  records (monotonic_ns, the client's clock too) when it received the request and when
  it handed each chunk to the kernel; error = client-measured ttft - server-side ttft.
- Dispatch skew: three models started together; skew = spread of their "request sent".
- Parse cost: recorded-format bytes through SSE decoder + adapter parser + meter.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.replay_server import Script, running_server, sse

from modelduel.core.duel import ClientPool, DuelRunner, RunPlan
from modelduel.core.meter import StreamMeter
from modelduel.core.worker import ChildDuelRunner
from modelduel.events import RequestSent, Stamped
from modelduel.providers.base import ModelRequest
from modelduel.providers.http import StreamTarget
from modelduel.providers.registry import get_adapter
from modelduel.providers.sse import SSEDecoder

FIRST_DELAY_S = 0.2


def chat_stream(n: int) -> list[bytes]:
    base = {"id": "c", "object": "chat.completion.chunk", "model": "m"}
    events = [(None, {**base, "choices": [{"index": 0, "delta": {"role": "assistant"}}]})]
    events += [
        (None, {**base, "choices": [{"index": 0, "delta": {"content": f" word{i}"}}]})
        for i in range(n)
    ]
    events.append((None, {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}))
    usage = {"prompt_tokens": 5, "completion_tokens": n, "total_tokens": 5 + n}
    events += [(None, {**base, "choices": [], "usage": usage}), (None, "[DONE]")]
    return sse(*events)


def target(base: str) -> StreamTarget:
    return StreamTarget("openai-chat", f"{base}/v1", lambda: "sk-bench", "OPENAI_API_KEY")


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q / 100 * (len(values) - 1)))]


async def ttft_error(runs: int, in_child: bool) -> list[float]:
    frames = chat_stream(20)
    chunks = [(0.0, frames[0]), (FIRST_DELAY_S, frames[1])] + [(0.005, f) for f in frames[2:]]
    errors: list[float] = []
    async with running_server(lambda r: Script(chunks)) as srv:
        meters: dict[str, StreamMeter] = {}

        def sink(run_id: str, st: Stamped) -> None:
            meters.setdefault(run_id, StreamMeter()).observe(st)

        pool = ClientPool()
        child = ChildDuelRunner(sink, env={"OPENAI_API_KEY": "sk-bench"}) if in_child else None
        runner = DuelRunner(sink, pool)
        for i in range(runs):
            p = RunPlan(f"r{i}", "local", target(srv.base), ModelRequest("m", "hi"))
            if child is not None:
                await child.start([p])
                await child.wait()
            else:
                await runner.run([p])
            truth = srv.requests[-1]
            true_ttft = (truth.written_ns[1] - truth.received_ns) / 1e9
            measured = meters[p.run_id].stats().ttft_s
            assert measured is not None
            errors.append((measured - true_ttft) * 1000)
        if child is not None:
            await child.aclose()
        await pool.aclose()
    return errors


async def dispatch_skew(runs: int) -> list[float]:
    frames = chat_stream(5)
    skews: list[float] = []
    async with running_server(lambda r: Script([(0.0, f) for f in frames])) as srv:
        for i in range(runs):
            sent: dict[str, int] = {}

            def sink(run_id: str, st: Stamped, sent: dict[str, int] = sent) -> None:
                if isinstance(st.event, RequestSent):
                    sent[run_id] = st.t_ns

            pool = ClientPool()  # fresh clients each time: the worst case, new connections
            plans = [
                RunPlan(f"{i}-{k}", k, target(srv.base), ModelRequest("m", "hi"))
                for k in ("openai", "anthropic", "gemini")
            ]
            await DuelRunner(sink, pool).run(plans)
            await pool.aclose()
            skews.append((max(sent.values()) - min(sent.values())) / 1e6)
    return skews


def parse_cost(events: int) -> float:
    body = b"".join(chat_stream(events))
    chunks = [body[i : i + 1400] for i in range(0, len(body), 1400)]  # ~MTU-sized reads
    adapter = get_adapter("openai-chat")
    best = float("inf")
    for _ in range(5):
        meter = StreamMeter()
        decoder = SSEDecoder()
        parser = adapter.new_parser()
        t0 = time.perf_counter_ns()
        for chunk in chunks:
            now = time.monotonic_ns()
            for ev in decoder.feed(chunk):
                for e in parser.feed(ev):
                    meter.observe(Stamped(now, e))
        for ev in decoder.flush():
            for e in parser.feed(ev):
                meter.observe(Stamped(0, e))
        parser.close()
        best = min(best, (time.perf_counter_ns() - t0) / 1000 / (events + 4))
    return best


def report(name: str, values: list[float], unit: str) -> None:
    print(
        f"{name}: n={len(values)} p50={statistics.median(values):.3f}{unit} "
        f"p99={pct(values, 99):.3f}{unit} max={max(values):.3f}{unit}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=200)
    args = ap.parse_args()
    report("ttft error, in-process (ms)", asyncio.run(ttft_error(args.runs, False)), "ms")
    report("ttft error, child process (ms)", asyncio.run(ttft_error(args.runs, True)), "ms")
    report("dispatch skew, 3 models (ms)", asyncio.run(dispatch_skew(args.runs // 4)), "ms")
    print(f"parse+meter per SSE event: {parse_cost(20000):.2f} µs")


if __name__ == "__main__":
    main()
