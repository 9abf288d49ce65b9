"""A fair duel over loopback: every model gets the same budget and effort, recorded in the CSV."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelduel.config import Config, DuelSettings, resolve_model
from modelduel.core.duel import ClientPool, DuelRunner
from modelduel.core.records import csv_row
from modelduel.core.session import DuelState
from modelduel.providers.http import Timeouts
from modelduel.storage import append_run, read_rows
from tests.support.canned import by_path
from tests.support.replay_server import Script, running_server

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
    assert [row["effort"] for row in read_rows(csv)] == ["high"] * 3


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


async def test_a_silent_model_reads_thinking_while_it_thinks() -> None:
    import asyncio
    import time

    from rich.console import Console

    from modelduel.ask_view import live_view
    from modelduel.display import status_word
    from tests.support.canned import chat_stream

    def slow(r: object) -> Script:
        chunks = chat_stream("done")
        return Script([(1.5, chunks[0][1]), *chunks[1:]])

    async with running_server(slow) as srv:
        env = {"MODELDUEL_DEMO": "1", "OPENAI_BASE_URL": f"{srv.base}/v1", "OPENAI_API_KEY": "k"}
        model = resolve_model("openai-chat/qwen3:8b", Config(), env, DuelSettings(effort="high"))
        state = DuelState.create([model], "hi", None)
        pool = ClientPool(Timeouts(connect=2, stall=0.3))
        runner = DuelRunner(state.sink, pool, stall_timeout_s=0.3)
        tasks = runner.start(state.plans())
        await asyncio.sleep(1.1)
        mid = state.slots[0].stats(time.monotonic_ns())
        word = status_word(mid)
        console = Console(width=120, record=True)
        console.print(live_view(state, time.monotonic_ns()))
        await asyncio.gather(*tasks)
        await pool.aclose()
    assert word.startswith("thinking (no output yet) ") and word.endswith(" s"), mid.error
    assert "thinking (no output yet)" in console.export_text()
    end = state.slots[0].stats()
    assert end.error is None and end.text == "done"  # silence past the stall limit was thinking
    assert status_word(end) == "done"


def test_the_ask_view_shows_a_notice() -> None:
    from rich.console import Console

    from modelduel.ask_view import live_view
    from modelduel.events import Notice, Stamped

    model = resolve_model("gemini/gemini-3.1-pro-preview", Config(), {}, DuelSettings(None, 99999))
    state = DuelState.create([model], "hi", None)
    state.plans()
    state.sink(state.slots[0].run_id, Stamped(1, Notice("said once")))
    console = Console(width=200, record=True)
    console.print(live_view(state, 2))
    text = console.export_text()
    assert "sent 65,536" in text and "said once" in text


def test_a_task_files_budget_reaches_every_model_and_the_csv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from modelduel import cli

    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "t.toml").write_text(
        'id = "t1"\ntype = "strict_json_extraction"\ntitle = "T"\nprompt = "Say hi"\n'
        'criteria = ["hi"]\noutput_format = "one word"\nmax_output_tokens = 1234\n'
    )
    monkeypatch.setenv("MODELDUEL_CONFIG", "")
    monkeypatch.setattr("modelduel.locations.config_path", lambda: tmp_path / "none.toml")
    csv = tmp_path / "r.csv"
    args = ["run", str(suite), "--demo", "--csv", str(csv), "--effort", "low"]
    with pytest.raises(SystemExit) as exc:
        cli.main([*args, "-m", "openai/gpt-5.5", "-m", "gemini/gemini-3.1-pro-preview"])
    assert exc.value.code == 0, capsys.readouterr().err
    assert [r["max_output_tokens"] for r in read_rows(csv)] == ["1234", "1234"]


async def test_the_duel_screen_pane_shows_a_clamped_budget(tmp_path: Path) -> None:
    from modelduel.tui.app import AppSettings, ModelduelApp
    from modelduel.tui.pane import ResponsePane
    from tests.test_tui import ENV, SPECS, ScriptedRunner, send, settle

    duel = DuelSettings(max_output_tokens=100000)
    models = [resolve_model(spec, Config(), ENV, duel) for spec in SPECS]
    settings = AppSettings(config=Config(), models=models, csv_path=tmp_path / "r.csv")
    app = ModelduelApp(settings, lambda a: ScriptedRunner(a, False))
    async with app.run_test(size=(300, 40)) as pilot:
        await send(pilot, "hi")
        await settle(pilot, app)
        # below the text, where a narrow pane's cut header cannot hide it
        lines = [str(p._error_w.render()) for p in app.screen.query(ResponsePane)]
    assert "sent 65,536" in lines[2]
    assert "sent 65,536" not in lines[0]


async def test_a_blind_pane_keeps_its_notices_veiled(tmp_path: Path) -> None:
    # "gemini-3.1-pro-preview takes at most 65,536" would name the model behind a label
    from modelduel.tui.app import AppSettings, ModelduelApp
    from modelduel.tui.pane import ResponsePane
    from tests.test_tui import ENV, SPECS, ScriptedRunner, send, settle

    duel = DuelSettings(max_output_tokens=100000)
    models = [resolve_model(spec, Config(), ENV, duel) for spec in SPECS]
    settings = AppSettings(config=Config(), models=models, csv_path=tmp_path / "r.csv", blind=True)
    app = ModelduelApp(settings, lambda a: ScriptedRunner(a, False))
    async with app.run_test(size=(300, 40)) as pilot:
        await send(pilot, "hi")
        await settle(pilot, app)
        panes = list(app.screen.query(ResponsePane))
        assert all(p.model.hidden for p in panes)
        assert not any("65,536" in str(p._error_w.render()) for p in panes)


def test_a_models_own_effort_and_budget_in_the_config_are_said_not_silent() -> None:
    config = Config.model_validate(
        {
            "models": {
                "openai/gpt-5.5": {"reasoning_effort": "xhigh", "max_output_tokens": 8000},
            }
        }
    )
    env = env_for("http://127.0.0.1:9")
    gpt = resolve_model("openai/gpt-5.5", config, env, DuelSettings(effort="low"))
    request, notices = gpt.plan_request("hi", None)
    assert request.reasoning_effort == "xhigh" and request.max_output_tokens == 8000
    assert any("'xhigh'" in n and "effort low" in n for n in notices), notices
    assert any("8,000" in n and "64,000" in n for n in notices), notices
    # the others, with nothing of their own, hear nothing
    claude = resolve_model("anthropic/claude-opus-4-7", config, env, DuelSettings(effort="low"))
    assert claude.plan_request("hi", None)[1] == ()
    # a budget from the command line wins over the model's own: nothing differs to say
    given = resolve_model("openai/gpt-5.5", config, env, DuelSettings(max_output_tokens=2000))
    assert not any("max_output_tokens" in n for n in given.plan_request("hi", None)[1])


async def test_a_thinking_budget_that_cannot_fit_the_output_limit_fails_that_run_only() -> None:
    """budget_tokens >= 1,024 and < max_tokens: at 1,000 no valid request exists for a
    budget-thinking Claude, so its run fails before sending; the other model goes on."""
    specs = ("anthropic/claude-sonnet-4-5", "openai/gpt-5.5")
    async with running_server(by_path) as srv:
        state = await run_duel(srv.base, specs, DuelSettings(effort="low", max_output_tokens=1000))
    sonnet, gpt = (slot.stats() for slot in state.slots)
    assert sonnet.error is not None and sonnet.error.kind == "config"
    assert "at least 1,024 tokens below its output limit" in sonnet.error.message
    assert gpt.error is None
    assert [r.path for r in srv.requests] == ["/v1/responses"]  # nothing sent for Claude
