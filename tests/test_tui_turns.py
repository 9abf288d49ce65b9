"""The duel screen's tool loops, follow-ups, last-turn re-runs and attachments, live.

The runs go through the real engine (`DuelRunner`, the real HTTP path) to the simulator on
127.0.0.1, so every tool call, conversation and image is in the providers' wire formats;
the screen is asserted while it happens: a tool line mid-loop, a follow-up streaming in
one pane while another is done, blind across turns, and the CSV row on disk after each.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from modelduel.config import Config, resolve_model
from modelduel.core.duel import ClientPool, DuelRunner, RunPlan
from modelduel.simulator import SimulatorHandle, run_in_thread
from modelduel.storage import read_rows, read_transcripts
from modelduel.tasks import load_task
from modelduel.tui.app import AppSettings, ModelduelApp, Runner
from modelduel.tui.pane import ResponsePane
from modelduel.tui.wrapped_text import strip_text

SPECS = ["openai/gpt-5.5", "anthropic/claude-opus-4-7", "gemini/gemini-3.1-pro-preview"]
QUICK = {"ttft_ms": 10, "reasoning_ms": 0, "tps": 4000}
SLOW_GEMINI = {"ttft_ms": 10, "reasoning_ms": 0, "tps": 25}

TASK = """\
id = "tool-task"
type = "agentic_terminal_work"
title = "find the failing test"
prompt = "Find out why CI is red."
criteria = ["names the test"]
output_format = "a paragraph"

[[tools]]
name = "run_command"
description = "Run a shell command in the checkout."
latency_ms = 1500
default = "bash: command not found"
parameters = { type = "object", required = ["command"], properties = { command = {\
type = "string" } } }

[[tools.rules]]
match = {}
result = "FAILED tests/test_tokens.py::test_expired_token_rejected"
"""


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorHandle]:
    profiles = {"gpt-5.5": QUICK, "claude-opus-4-7": QUICK, "gemini-3.1-pro-preview": SLOW_GEMINI}
    with run_in_thread(seed=12, profiles=profiles) as handle:  # type: ignore[arg-type]
        yield handle


class LoopbackRunner(Runner):
    """The real engine in this process (the child-process runner's parent side is
    covered elsewhere); tells the app each run's end as the worker would."""

    def __init__(self, app: ModelduelApp) -> None:
        self.app = app
        self.pool = ClientPool()
        self.engine = DuelRunner(app.sink, self.pool)
        self.started: list[RunPlan] = []

    async def start(self, plans: list[Any]) -> None:
        self.started.extend(plans)
        for task in self.engine.start(plans):
            task.add_done_callback(lambda t: self.app.run_ended(t.get_name()))

    async def cancel(self, run_id: str) -> None:
        self.engine.cancel(run_id)

    async def cancel_all(self) -> None:
        self.engine.cancel_all()

    async def aclose(self) -> None:
        self.engine.cancel_all()
        await self.engine.wait()
        await self.pool.aclose()


def make(sim: SimulatorHandle, tmp_path: Path, *, blind: bool = False, tasks: tuple[Any, ...] = ()):
    config = Config()
    env = sim.env()
    models = [resolve_model(spec, config, env) for spec in SPECS]
    csv_path = tmp_path / "r.csv"
    settings = AppSettings(config, models, csv_path, blind=blind, tasks=tasks, env=env)
    return ModelduelApp(settings, LoopbackRunner, rng=random.Random(3)), csv_path


def body(pane: ResponsePane) -> str:
    return "\n".join(strip_text(line) for line in pane.body.drawn_lines)


def shown(pane: ResponsePane) -> str:
    """Everything a pane puts on screen."""
    parts = [str(w.render()) for w in pane.query(".pane-header, .pane-stats, .pane-error")]
    parts += [str(w.render()) for w in pane.query(".pane-turns, .pane-calls") if w.display]
    return "\n".join([*parts, body(pane)])


def panes(app: ModelduelApp) -> list[ResponsePane]:
    return list(app.screen.query(ResponsePane))


async def until(pilot: Any, app: ModelduelApp, check: Any, timeout: float = 60.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while loop.time() < end:
        await app.refresh_panes()
        if check():
            return
        await pilot.pause(0.05)
    raise AssertionError("timed out waiting")


async def type_and_send(pilot: Any, text: str) -> None:
    await pilot.click("#prompt")
    for ch in text:
        await pilot.press("space" if ch == " " else ch)
    await pilot.press("ctrl+j")


def all_done(app: ModelduelApp) -> bool:
    return app.view is not None and app.view.all_ended and not app.ledger.pending


async def test_a_suite_tool_task_runs_its_loop_in_every_pane_with_live_tool_lines(
    sim: SimulatorHandle, tmp_path: Path
) -> None:
    folder = tmp_path / "suite"
    folder.mkdir()
    (folder / "task.toml").write_text(TASK, encoding="utf-8")
    task = load_task(folder / "task.toml")
    app, csv_path = make(sim, tmp_path, tasks=(task,))
    async with app.run_test(size=(150, 45)) as pilot:
        # the tool takes 1.5 s: meanwhile each pane shows its call, not yet answered
        seen_calling: set[int] = set()

        def calling() -> bool:
            for pane in panes(app):
                live = pane.query_one(".pane-calls")
                if live.display and "▸ run_command" in str(live.render()):
                    assert "→" not in str(live.render())  # no result yet
                    assert app.view is not None and not app.view.ended(pane.index)  # mid-loop
                    seen_calling.add(pane.index)
            return seen_calling == {0, 1, 2}

        await until(pilot, app, calling)
        plans = app.runner.started  # type: ignore[attr-defined]
        assert all(p.world is not None for p in plans)  # the task's world, as `run` sends it
        await until(pilot, app, lambda: all_done(app))
        for pane in panes(app):
            text = body(pane)
            assert "▸ run_command" in text and "→" in text, text  # folded, in the body
            assert text.index("▸ run_command") < len(text) - 1
        rows = read_rows(csv_path)
        assert [r["tool_calls"] for r in rows] == ["1", "1", "1"]
        assert all(r["tool_rounds"] == "1" for r in rows)


async def test_a_followup_streams_in_one_pane_while_another_is_done_and_updates_the_row(
    sim: SimulatorHandle, tmp_path: Path
) -> None:
    app, csv_path = make(sim, tmp_path)
    async with app.run_test(size=(150, 45)) as pilot:
        await type_and_send(pilot, "explain retries")
        await until(pilot, app, lambda: all_done(app))
        first = {r["run_id"]: r for r in read_rows(csv_path)}
        assert app.turns.follows_up()
        await pilot.press("escape", "4")  # a score on the first pane, kept across turns
        scored_id = app.view.run_id(0)  # type: ignore[union-attr]
        await type_and_send(pilot, "now shorter")
        view = app.view
        assert view is not None and len(app.views) == 1  # the same duel, not a new one
        gemini = next(i for i, p in enumerate(view.panes) if "gemini" in p.spec)
        others = [i for i in range(3) if i != gemini]

        def one_done_one_streaming() -> bool:
            return all(view.stats(i).turns == 2 and view.ended(i) for i in others) and (
                view.stats(gemini).status == "streaming" and view.stats(gemini).turns == 2
            )

        await until(pilot, app, one_done_one_streaming)
        done_pane = panes(app)[others[0]]
        assert "▸ turn 1" in shown(done_pane)  # the earlier turn folded to a line
        assert not done_pane.model.saved or app.ledger.is_saved(view.run_id(others[0]))
        streaming_pane = panes(app)[gemini]
        assert "saved" not in str(streaming_pane.query_one(".pane-stats").render())
        await until(pilot, app, lambda: all_done(app))
        rows = read_rows(csv_path)
        assert len(rows) == 3  # updated, not appended
        transcripts = read_transcripts(csv_path)
        for row in rows:
            before = first[row["run_id"]]
            assert row["turns"] == "2"
            assert int(row["output_tokens"]) > int(before["output_tokens"])  # summed
            assert int(row["input_tokens"]) > int(before["input_tokens"])
            assert float(row["wall_time_s"]) > float(before["wall_time_s"])
            assert row["ttft_s"] == before["ttft_s"]  # the first turn's
            assert len(transcripts[row["run_id"]]["turn_figures"]) == 2  # type: ignore[arg-type]
        assert {r["run_id"]: r for r in rows}[scored_id]["score"] == "4"
        # each model's own earlier answer went back in its own conversation
        for slot in view.live.slots:  # type: ignore[union-attr]
            conversation = slot.stats().conversation
            assert conversation is not None and len(conversation.turns()) == 2
            assert conversation.messages[1].text in slot.stats().text  # type: ignore[union-attr]


async def test_blind_stays_blind_across_turns(sim: SimulatorHandle, tmp_path: Path) -> None:
    app, _ = make(sim, tmp_path, blind=True)
    async with app.run_test(size=(150, 45)) as pilot:
        await type_and_send(pilot, "explain retries")
        await until(pilot, app, lambda: all_done(app))
        await type_and_send(pilot, "now shorter")
        view = app.view
        assert view is not None

        def mid_turn_two() -> bool:
            return any(view.ended(i) for i in range(3)) and not view.all_ended

        await until(pilot, app, mid_turn_two)
        seen = [shown(p) for p in panes(app)]
        for text in seen:
            for secret in ("gpt", "claude", "gemini", "openai", "anthropic", "$"):
                assert secret not in text.lower(), (secret, text)
        # the pane that is done looks like the ones still going: no fold, no new text yet
        assert len({s.replace("A", "?").replace("B", "?").replace("C", "?") for s in seen}) <= 3
        assert not any("▸ turn 1" in s for s in seen)  # the fold would say who is done
        assert all(p.hidden for p in view.panes)
        await until(pilot, app, lambda: all_done(app))
        assert all("▸ turn 1" in shown(p) for p in panes(app))  # veil lifted: all at once
        assert all(p.hidden for p in view.panes)  # unscored: names still hidden


async def test_blind_mode_switched_on_after_a_duel_starts_a_new_blind_duel(
    sim: SimulatorHandle, tmp_path: Path
) -> None:
    app, _ = make(sim, tmp_path)
    async with app.run_test(size=(150, 45)) as pilot:
        await type_and_send(pilot, "explain retries")
        await until(pilot, app, lambda: all_done(app))
        assert app.turns.follows_up()
        await pilot.press("escape", "b")
        assert app.blind and not app.turns.follows_up()  # not a follow-up of a named duel
        assert app.turns.mode_line().startswith("→ new duel")
        await type_and_send(pilot, "now blind")
        assert len(app.views) == 2 and app.view is not None and app.view.blind
        assert all(p.hidden for p in app.view.panes)
        await until(pilot, app, lambda: all_done(app))
        assert app.turns.follows_up()  # a follow-up of the blind duel stays blind


async def test_r_reruns_only_the_last_turn_of_that_pane(
    sim: SimulatorHandle, tmp_path: Path
) -> None:
    app, csv_path = make(sim, tmp_path)
    async with app.run_test(size=(150, 45)) as pilot:
        await type_and_send(pilot, "explain retries")
        await until(pilot, app, lambda: all_done(app))
        turn_one = {r["run_id"]: r for r in read_rows(csv_path)}
        await type_and_send(pilot, "now shorter")
        await until(pilot, app, lambda: all_done(app))
        view = app.view
        assert view is not None
        turn_two = {r["run_id"]: r for r in read_rows(csv_path)}
        runner = app.runner
        assert isinstance(runner, LoopbackRunner)
        before = len(runner.started)
        await pilot.press("escape")  # focus the first pane
        pane0 = panes(app)[0]
        app.screen.set_focus(pane0)
        await pilot.press("r")
        assert len(runner.started) == before + 1  # that pane only
        plan = runner.started[-1]
        assert plan.run_id == view.run_id(0)
        assert plan.request.conversation is not None
        assert len(plan.request.conversation.turns()) == 2  # turn 1 kept, turn 2 again
        await until(pilot, app, lambda: all_done(app))
        rows = {r["run_id"]: r for r in read_rows(csv_path)}
        assert len(rows) == 3
        rid = view.run_id(0)
        assert rows[rid]["turns"] == "2"
        assert rows[rid]["ttft_s"] == turn_one[rid]["ttft_s"]
        # turn 1's tokens plus the new turn 2's: never turn 2 counted twice
        assert int(rows[rid]["output_tokens"]) < 2 * int(turn_two[rid]["output_tokens"])
        for other in (view.run_id(1), view.run_id(2)):
            assert rows[other] == turn_two[other]  # the other panes untouched


async def test_ctrl_a_attaches_a_file_to_the_next_prompt_and_names_a_missing_one(
    sim: SimulatorHandle, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("the retry budget is 3\n", encoding="utf-8")
    app, _ = make(sim, tmp_path)
    async with app.run_test(size=(150, 45)) as pilot:
        await pilot.click("#prompt")
        await pilot.press("ctrl+a")
        await pilot.pause()
        assert type(app.screen).__name__ == "AttachScreen"
        missing = str(tmp_path / "nope.png")
        for ch in missing:
            await pilot.press(ch)
        await pilot.press("enter")
        await pilot.pause()
        status = str(app.screen.query_one("#status").render())
        assert "not attached" in status and "nope.png" in status and "no such file" in status
        assert app.turns.attachments == []
        await pilot.press("ctrl+a")
        await pilot.pause()
        for ch in str(notes):
            await pilot.press(ch)
        await pilot.press("enter")
        await pilot.pause()
        assert [a.name for a in app.turns.attachments] == [str(notes)]
        await type_and_send(pilot, "summarize")
        await until(pilot, app, lambda: all_done(app))
        runner = app.runner
        assert isinstance(runner, LoopbackRunner)
        for plan in runner.started:
            conversation = plan.request.conversation
            assert conversation is not None
            text = conversation.messages[0].text  # type: ignore[union-attr]
            assert f"Attached file: {notes}" in text and "retry budget is 3" in text
        assert app.turns.attachments == []  # used by that prompt only
