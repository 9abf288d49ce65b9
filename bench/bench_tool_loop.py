"""The tool loop's own cost: engine CPU per tool round against the provider's time.

Run: `python bench/bench_tool_loop.py [--rounds N] [--kind openai-chat] [--chunk-ms 2]`.
Talks only to 127.0.0.1. A scripted server in a *separate process* plays a model that
calls `read_file` for N rounds (text, then one call streamed in fragments, then usage),
then answers; so this process's CPU time (`time.process_time`) is the engine's alone:
SSE decoding, parsing, the meter, answering the call from the ToolWorld, building and
sending the next request with the whole conversation.

Printed per round: engine CPU (mean, p50/p95 of the per-round CPU), the engine's wall
time between a round's last byte and the next request sent (the loop's own latency), and
the provider's time (request sent -> last byte of the response), with their ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.replay_server import Received, Script, running_server
from tests.support.tool_streams import BASE_PATHS, Round, stream

from modelduel.core.duel import ClientPool, DuelRunner, RunPlan
from modelduel.core.meter import StreamMeter
from modelduel.core.percentiles import percentile
from modelduel.core.toolworld import ToolWorld
from modelduel.events import (
    ConversationState,
    Finished,
    RequestSent,
    Stamped,
    ToolResultReady,
)
from modelduel.providers.base import ModelRequest
from modelduel.providers.http import StreamTarget, Timeouts

FILES = {f"src/m{i}.py": ("\n".join(f"line {j} of m{i}" for j in range(200)) + "\n").encode()
         for i in range(20)}  # fmt: skip


def serve(port_file: str, kind: str, rounds: int, chunk_ms: float) -> None:
    """The model's side, in its own process: N rounds of calls, then an answer."""
    counter = {"n": 0}

    def route(got: Received) -> Script:
        counter["n"] += 1
        n = counter["n"]
        if n % (rounds + 1) == 0:
            r = Round(text="Done: the files were read.", delay=chunk_ms / 1000)
        else:
            path = f"src/m{n % 20}.py"
            r = Round(
                text="Reading the next file.",
                calls=[("read_file", {"path": path, "start_line": 1, "end_line": 120})],
                delay=chunk_ms / 1000,
            )
        return stream(kind, r, n)

    async def main() -> None:
        async with running_server(route) as server:
            Path(port_file).write_text(server.base)
            await asyncio.Event().wait()

    asyncio.run(main())


async def measure(base: str, kind: str, runs: int) -> dict[str, list[float]]:
    per_round_cpu: list[float] = []
    loop_wall: list[float] = []
    provider: list[float] = []
    pool = ClientPool(Timeouts(connect=5))
    for i in range(runs):
        events: list[tuple[int, float, object]] = []
        meter = StreamMeter()

        def sink(
            _: str, stamped: Stamped, events: list = events, meter: StreamMeter = meter
        ) -> None:
            meter.observe(stamped)
            events.append((stamped.t_ns, time.process_time(), stamped.event))

        target = StreamTarget(kind=kind, base_url=base + BASE_PATHS[kind], api_key=lambda: "k",
                              key_env="K")  # fmt: skip
        request = ModelRequest(model_id="gpt-5.5" if kind == "openai" else "m", prompt="read")
        plan = RunPlan(f"r{i}", kind, target, request, world=ToolWorld([], FILES),
                       max_tool_rounds=100)  # fmt: skip
        await DuelRunner(sink, pool, timeout_s=600).run([plan])
        # split into rounds at each RequestSent
        sent = [k for k, e in enumerate(events) if isinstance(e[2], RequestSent)]
        for a, b in itertools.pairwise(sent):
            # the round's last stream byte: the event before its first tool result
            first_result = next(k for k in range(a, b) if isinstance(events[k][2], ToolResultReady))
            last_byte = events[first_result - 1]
            provider.append((last_byte[0] - events[a][0]) / 1e9)
            loop_wall.append((events[b][0] - last_byte[0]) / 1e9)
            per_round_cpu.append(events[b][1] - events[a][1])
        end = next(e for e in reversed(events) if isinstance(e[2], Finished))
        assert not isinstance(end[2], ConversationState)
        assert meter.stats().finish_reason == "stop", meter.stats().error
    await pool.aclose()
    return {"cpu": per_round_cpu, "loop": loop_wall, "provider": provider}


def show(name: str, values: list[float]) -> str:
    v = sorted(values)
    return (
        f"{name:<28} mean {statistics.fmean(v) * 1e3:7.2f} ms  p50 {percentile(v, 50) * 1e3:7.2f}"  # type: ignore[operator]
        f"  p95 {percentile(v, 95) * 1e3:7.2f}  (n={len(v)})"  # type: ignore[operator]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="tool rounds per run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--kind", default="openai-chat")
    parser.add_argument("--chunk-ms", type=float, default=2.0, help="server delay per chunk")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.kind, args.rounds, args.chunk_ms)
        return
    port_file = Path(f"/tmp/bench_tool_loop_{time.monotonic_ns()}.url")
    cmd = [sys.executable, __file__, "--serve", str(port_file), "--kind", args.kind,
           "--rounds", str(args.rounds), "--chunk-ms", str(args.chunk_ms)]  # fmt: skip
    server = subprocess.Popen(cmd)
    try:
        while not port_file.exists():
            time.sleep(0.05)
        time.sleep(0.05)
        base = port_file.read_text()
        figures = asyncio.run(measure(base, args.kind, args.runs))
    finally:
        server.terminate()
        server.wait()
        port_file.unlink(missing_ok=True)
    print(f"{args.kind}: {args.runs} runs x {args.rounds} tool rounds, {args.chunk_ms} ms/chunk")
    print(show("engine CPU per round", figures["cpu"]))
    print(show("loop wall (last byte->sent)", figures["loop"]))
    print(show("provider (sent->last byte)", figures["provider"]))
    ratio = statistics.fmean(figures["cpu"]) / statistics.fmean(figures["provider"])
    print(f"engine CPU / provider time: {ratio * 100:.1f} %")
    print(json.dumps({k: round(statistics.median(v) * 1e3, 3) for k, v in figures.items()}))


if __name__ == "__main__":
    main()
