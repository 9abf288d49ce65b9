"""A run cancelled while it waits for its first token still records when it was sent.

Gemini's `streamGenerateContent` sends its response headers with its first chunk, so a
run cancelled during Gemini's time to first token had no `RequestSent` (it was reported
on the response's headers only): its row had no `wall_time_s` and no `connect_s`, where
an OpenAI or Anthropic run cancelled at the same moment had both (fresh-eyes run).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from modelduel.config import Config, resolve_model
from modelduel.core.duel import ClientPool, DuelRunner
from modelduel.core.session import DuelState
from modelduel.events import RequestSent, StreamFailed
from modelduel.simulator import SimulatorHandle, run_in_thread
from tests.support.engine import Collect

SPECS = ["openai/gpt-5.5", "anthropic/claude-opus-4-7", "gemini/gemini-3.1-pro-preview"]
WAITING = {"ttft_ms": 5000, "reasoning_ms": 0, "tps": 50}  # cancelled long before a token


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorHandle]:
    profiles = dict.fromkeys(("gpt-5.5", "claude-opus-4-7", "gemini-3.1-pro-preview"), WAITING)
    with run_in_thread(seed=3, profiles=profiles) as handle:  # type: ignore[arg-type]
        yield handle


@pytest.mark.parametrize("spec", SPECS)
async def test_a_run_cancelled_before_its_first_token_has_its_send_time(
    sim: SimulatorHandle, spec: str
) -> None:
    config = Config()
    model = resolve_model(spec, config, sim.env())
    duel = DuelState.create([model], "explain crdts", None)
    (slot,) = duel.slots
    sink = Collect()
    pool = ClientPool()
    runner = DuelRunner(sink, pool)
    try:
        runner.start([duel.plan(slot)])
        await asyncio.sleep(0.5)  # sent, and waiting for the first token
        assert runner.cancel(slot.run_id)
        await runner.wait()
    finally:
        await pool.aclose()
    assert [f.error.kind for f in sink.of(StreamFailed)] == ["cancelled"]
    assert len(sink.of(RequestSent)) == 1
    stats = sink.stats()
    assert stats.status == "cancelled" and stats.ttft_s is None
    assert stats.wall_time_s is not None and stats.wall_time_s >= 0.4
    assert stats.connect_s is not None
