"""A run cancelled before it started still ends as cancelled, on screen and in the CSV.

The worker child reads its pipe line by line without yielding while lines are buffered:
`r` (re-run a pane: `start`) and `x` (cancel it) typed in one burst during a race reach
it in one read, so the fresh run's task is cancelled before its first step. Its body
(where a cancelled run says `cancelled`) then never ran, and the run ended with no final
event: a CSV row with an empty finish_reason, no error and `no usage` (fresh-eyes run,
`send-keys Right Right 4 3 r x r` on the demo duel screen, twice).
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
from modelduel.events import RequestSent, StreamFailed
from modelduel.providers.base import ModelRequest
from modelduel.providers.http import StreamTarget
from modelduel.simulator import SimulatorHandle, run_in_thread
from modelduel.storage import read_rows
from modelduel.tui.app import AppSettings, ModelduelApp, Runner
from modelduel.tui.pane import ResponsePane
from tests.support.engine import Collect

SPECS = ["openai/gpt-5.5", "anthropic/claude-opus-4-7", "gemini/gemini-3.1-pro-preview"]
SLOW = {"ttft_ms": 10, "reasoning_ms": 0, "tps": 20}  # every answer still streams for seconds


def unreachable_plan(run_id: str) -> RunPlan:
    target = StreamTarget(
        kind="openai", base_url="http://127.0.0.1:9/v1", api_key=lambda: "k", key_env="K"
    )
    return RunPlan(run_id, "openai", target, ModelRequest(model_id="gpt-5.5", prompt="hi"))


async def test_a_run_cancelled_before_its_first_step_ends_cancelled_having_sent_nothing() -> None:
    sink = Collect()
    pool = ClientPool()
    runner = DuelRunner(sink, pool)
    try:
        runner.start([unreachable_plan("r1")])
        assert runner.cancel("r1")  # same step: the task has not run a line yet
        await runner.wait()
    finally:
        await pool.aclose()
    failures = sink.of(StreamFailed)
    assert [f.error.kind for f in failures] == ["cancelled"]
    assert sink.of(RequestSent) == []  # nothing was sent, and the row says so
    stats = sink.stats()
    assert (stats.status, stats.finish_reason) == ("cancelled", "cancelled")
    assert runner.active == []


async def test_cancelling_twice_before_the_first_step_ends_the_run_once() -> None:
    sink = Collect()
    pool = ClientPool()
    runner = DuelRunner(sink, pool)
    try:
        runner.start([unreachable_plan("r1")])
        runner.cancel("r1")
        runner.cancel("r1")  # `x` then `r` of the same pane: the re-run cancels it again
        await runner.wait()
    finally:
        await pool.aclose()
    assert len(sink.of(StreamFailed)) == 1


# -- the duel screen: `r x` in one burst, mid-race -----------------------------------------


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorHandle]:
    profiles = dict.fromkeys(("gpt-5.5", "claude-opus-4-7", "gemini-3.1-pro-preview"), SLOW)
    with run_in_thread(seed=5, profiles=profiles) as handle:  # type: ignore[arg-type]
        yield handle


class PipeRunner(Runner):
    """The real engine (in this process) behind a pipe like the worker child's.

    While `hold()` is on, commands wait in the pipe; `deliver()` hands them all to the
    engine in one step, as the child handles the lines of one read. Each run's end is
    told to the app as the worker tells it (after the run's last event).
    """

    def __init__(self, app: ModelduelApp) -> None:
        self.app = app
        self.pool = ClientPool()
        self.engine = DuelRunner(app.sink, self.pool)
        self.pipe: list[tuple[str, Any]] | None = None

    def hold(self) -> None:
        self.pipe = []

    def deliver(self) -> None:
        pipe, self.pipe = self.pipe or [], None
        for op, arg in pipe:
            self._apply(op, arg)

    def _send(self, op: str, arg: Any) -> None:
        if self.pipe is None:
            self._apply(op, arg)
        else:
            self.pipe.append((op, arg))

    def _apply(self, op: str, arg: Any) -> None:
        if op == "start":
            for task in self.engine.start(arg):
                task.add_done_callback(lambda t: self.app.run_ended(t.get_name()))
        elif op == "cancel":
            self.engine.cancel(arg)
        else:
            self.engine.cancel_all()

    async def start(self, plans: list[Any]) -> None:
        self._send("start", list(plans))

    async def cancel(self, run_id: str) -> None:
        self._send("cancel", run_id)

    async def cancel_all(self) -> None:
        self._send("cancel_all", None)

    async def aclose(self) -> None:
        self.deliver()
        self.engine.cancel_all()
        await self.engine.wait()
        await self.pool.aclose()


async def until(pilot: Any, check: Any, timeout: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not check():
        if loop.time() > end:
            raise AssertionError("timed out waiting")
        await pilot.pause(0.02)


async def test_r_x_in_one_burst_mid_race_records_the_fresh_run_as_cancelled(
    sim: SimulatorHandle, tmp_path: Path
) -> None:
    config = Config()
    env = sim.env()
    models = [resolve_model(spec, config, env) for spec in SPECS]
    csv_path = tmp_path / "bk.csv"
    settings = AppSettings(config, models, csv_path, env=env)
    app = ModelduelApp(settings, PipeRunner, rng=random.Random(3))
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.click("#prompt")
        for ch in "go":
            await pilot.press(ch)
        await pilot.press("ctrl+j")
        view = app.view
        assert view is not None
        await until(pilot, lambda: all(view.stats(i).text for i in range(3)))  # the race is on
        runner = app.runner
        assert isinstance(runner, PipeRunner)
        first = view.run_id(0)
        await pilot.press("escape")  # the first pane has the keys
        runner.hold()
        await pilot.press("r", "x")  # the re-run's `start` and its `cancel`: one read
        fresh = view.run_id(0)
        assert fresh != first
        runner.deliver()
        rows: dict[str, dict[str, str]] = {}

        def fresh_row_saved() -> bool:
            rows.update({r["run_id"]: r for r in read_rows(csv_path)} if csv_path.exists() else {})
            return fresh in rows

        await until(pilot, fresh_row_saved)
        # mid-race: the other panes still stream, the re-run pane says what happened
        assert view.stats(2).status not in ("done", "failed", "cancelled")
        assert view.stats(0).status == "cancelled"
        await app.refresh_panes()
        pane = next(p for p in app.screen.query(ResponsePane) if p.index == 0)
        shown = " ".join(str(w.render()) for w in pane.query(".pane-header, .pane-stats"))
        assert "cancelled" in shown and "waiting" not in shown, shown
        assert rows[first]["finish_reason"] == "cancelled"
        assert rows[fresh]["finish_reason"] == "cancelled"
        assert rows[fresh]["error"].startswith("cancelled")
        assert rows[fresh]["input_tokens"] == ""  # nothing was sent: no tokens claimed
        await pilot.press("r")  # and again: a run that streams
        await until(pilot, lambda: bool(view.stats(0).text))
        assert view.run_id(0) not in (first, fresh)
    saved = read_rows(csv_path)
    assert len(saved) == 5  # the first run, the one cancelled before it started, the third, 2 more
    assert all(r["finish_reason"] for r in saved), [(r["run_id"], r["error"]) for r in saved]
