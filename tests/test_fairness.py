"""A fair duel over loopback: every model gets the same budget and effort, recorded in the CSV."""

from __future__ import annotations

from pathlib import Path

from modelduel.config import Config, DuelSettings, resolve_model
from modelduel.core.duel import ClientPool, DuelRunner
from modelduel.core.records import csv_row
from modelduel.core.session import DuelState
from modelduel.providers.http import Timeouts
from modelduel.storage import append_run, read_rows
from tests.support.canned import by_path
from tests.support.replay_server import running_server

DEFAULTS = ("openai/gpt-5.5", "anthropic/claude-opus-4-7", "gemini/gemini-3.1-pro-preview")


def env_for(base: str) -> dict[str, str]:
    return {
        "MODELDUEL_DEMO": "1",
        "OPENAI_BASE_URL": f"{base}/v1",
        "ANTHROPIC_BASE_URL": base,
        "GOOGLE_GEMINI_BASE_URL": base,
        "OPENAI_API_KEY": "sk-test",
        "ANTHROPIC_API_KEY": "sk-ant-test",
        "GEMINI_API_KEY": "g-test",
    }


async def run_duel(base: str, specs: tuple[str, ...], duel: DuelSettings) -> DuelState:
    env = env_for(base)
    models = [resolve_model(s, Config(), env, duel) for s in specs]
    state = DuelState.create(models, "hi", None)
    pool = ClientPool(Timeouts(connect=2))
    try:
        await DuelRunner(state.sink, pool).run(state.plans())
    finally:
        await pool.aclose()
    return state


def budget_of(body: dict) -> int:
    if "max_tokens" in body:
        return int(body["max_tokens"])
    if "max_output_tokens" in body:
        return int(body["max_output_tokens"])
    return int(body["generationConfig"]["maxOutputTokens"])


async def test_every_default_model_gets_the_same_budget_and_effort(tmp_path: Path) -> None:
    async with running_server(by_path) as srv:
        state = await run_duel(srv.base, DEFAULTS, DuelSettings(effort="high"))
    bodies = {r.path: r.json() for r in srv.requests}
    assert len(bodies) == 3
    assert {budget_of(b) for b in bodies.values()} == {64000}  # type: ignore[arg-type]
    gpt = next(b for p, b in bodies.items() if p.endswith("/responses"))
    claude = next(b for p, b in bodies.items() if p.endswith("/messages"))
    gemini = next(b for p, b in bodies.items() if "Generate" in p)
    assert gpt["reasoning"]["effort"] == "high"  # type: ignore[index]
    assert claude["output_config"] == {"effort": "high"}  # type: ignore[index]
    assert gemini["generationConfig"]["thinkingConfig"]["thinkingLevel"] == "high"  # type: ignore[index]
    for slot in state.slots:
        assert slot.stats().error is None and slot.stats().notices == ()
    csv = tmp_path / "r.csv"
    for slot in state.slots:
        append_run(csv, csv_row(state, slot))
    assert [row["max_output_tokens"] for row in read_rows(csv)] == ["64000"] * 3


async def test_a_budget_above_one_models_maximum_is_clamped_and_said(tmp_path: Path) -> None:
    async with running_server(by_path) as srv:
        state = await run_duel(srv.base, DEFAULTS, DuelSettings(max_output_tokens=100000))
    budgets = sorted(budget_of(r.json()) for r in srv.requests)  # type: ignore[arg-type]
    assert budgets == [65536, 100000, 100000]
    gemini = state.slots[2]
    assert gemini.stats().notices == (
        "max_output_tokens 100,000 is above gemini-3.1-pro-preview's maximum of 65,536: "
        "sent 65,536",
    )
    assert state.slots[0].stats().notices == ()
    csv = tmp_path / "r.csv"
    append_run(csv, csv_row(state, gemini))
    assert read_rows(csv)[0]["max_output_tokens"] == "65536"
