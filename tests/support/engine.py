"""What the engine tests share: a sink that records and meters, the `lookup` tool and its
world, and one run on the project's simulator (`modelduel.simulator.run_in_thread`)."""

from __future__ import annotations

import asyncio
from typing import Any

from modelduel.core.duel import ClientPool, DuelRunner, RunPlan
from modelduel.core.meter import StreamMeter
from modelduel.core.metrics import PriceFn, StreamStats
from modelduel.core.toolworld import ToolWorld
from modelduel.events import Stamped
from modelduel.providers.base import ModelRequest
from modelduel.providers.http import StreamTarget, Timeouts
from modelduel.simulator import SIMULATED_KEYS, SimulatorHandle
from modelduel.toolspec import ToolDecl


class Collect:
    """The runner's sink: every stamped event, and a meter over them."""

    def __init__(self, price: PriceFn | None = None) -> None:
        self.events: list[Stamped] = []
        self.meter = StreamMeter(price)

    def __call__(self, run_id: str, stamped: Stamped) -> None:
        self.events.append(stamped)
        self.meter.observe(stamped)

    def stats(self) -> StreamStats:
        """The meter's figures so far."""
        return self.meter.stats()

    def of(self, cls: type) -> list[Any]:
        """The events of one type, in order."""
        return [s.event for s in self.events if isinstance(s.event, cls)]


def lookup_tool(latency_ms: int | None = None) -> ToolDecl:
    """The `lookup` tool: "alpha" is ALPHA-RESULT, any other word "nothing known"."""
    spec: dict[str, Any] = {
        "name": "lookup",
        "description": "Look a word up.",
        "parameters": {
            "type": "object",
            "required": ["word"],
            "properties": {"word": {"type": "string"}},
            "additionalProperties": False,
        },
        "rules": [{"match": {"word": "alpha"}, "result": "ALPHA-RESULT"}],
        "default": "nothing known",
    }
    if latency_ms is not None:
        spec["latency_ms"] = latency_ms
    return ToolDecl.model_validate(spec)


def lookup_world(tool: ToolDecl | None = None) -> ToolWorld:
    """A world with `lookup` (or `tool`) and one file, `src/a.py`."""
    return ToolWorld([tool or lookup_tool()], {"src/a.py": b"one\ntwo\nthree\n"})


# ---------------------------------------------------------------- on the simulator

SIM_BASE_PATHS = {"openai": "/v1", "openai-chat": "/v1", "anthropic": "", "gemini": ""}
SIM_MODELS = {
    "openai": "gpt-5.5",
    "openai-chat": "gpt-5.5",
    "anthropic": "claude-opus-4-7",
    "gemini": "gemini-3.1-pro-preview",
}
SIM_KEYS = {
    "openai": SIMULATED_KEYS["OPENAI_API_KEY"],
    "openai-chat": SIMULATED_KEYS["OPENAI_API_KEY"],
    "anthropic": SIMULATED_KEYS["ANTHROPIC_API_KEY"],
    "gemini": SIMULATED_KEYS["GEMINI_API_KEY"],
}
SIM_FAST = {"x-simulate-ttft-ms": "0", "x-simulate-tps": "20000", "x-simulate-reasoning-ms": "0"}


def sim_plan(sim: SimulatorHandle, kind: str, tools: str | None, **kw: Any) -> RunPlan:
    """A run of protocol `kind` on the simulator, fast; `tools`: its `x-simulate-tools`."""
    target = StreamTarget(
        kind=kind,
        base_url=sim.base_url + SIM_BASE_PATHS[kind],
        api_key=lambda: SIM_KEYS[kind],
        key_env="K",
    )
    headers = SIM_FAST | ({"x-simulate-tools": tools} if tools else {})
    request = ModelRequest(
        model_id=SIM_MODELS[kind],
        prompt="find alpha in src/a.py",
        system="be brief",
        extra_headers=tuple(headers.items()),
    )
    return RunPlan("r1", kind, target, request, **kw)


def run_plan(p: RunPlan) -> Collect:
    """Run one plan to its end; what the sink saw."""

    async def go() -> Collect:
        sink = Collect()
        pool = ClientPool(Timeouts(connect=5))
        try:
            await DuelRunner(sink, pool, timeout_s=60).run([p])
        finally:
            await pool.aclose()
        return sink

    return asyncio.run(go())
