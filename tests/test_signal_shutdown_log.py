"""A stop signal mid-race leaves no error in modelduel's log (the rows were always saved).

`kill -TERM` (or -INT) of the duel screen asks the app to exit as ctrl+q does; its unmount
closes the worker, whose runs end then, after the screens are gone. Each run's end updated
the status bar of a screen that was no longer there: `ERROR a duel callback failed ...
textual.app.ScreenStackError: No screens on stack`, one traceback per run, in the log
(fresh-eyes run). The real child-process runner and its log file, on the simulator.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from modelduel.config import Config, resolve_model
from modelduel.core.cancelreasons import stop_reason
from modelduel.core.worker import ChildDuelRunner
from modelduel.simulator import SimulatorHandle, run_in_thread
from modelduel.storage import read_rows
from modelduel.tui.app import AppSettings, ModelduelApp
from modelduel.tui.launch import child_runner_factory

SPECS = ["openai/gpt-5.5", "anthropic/claude-opus-4-7", "gemini/gemini-3.1-pro-preview"]
SLOW = {"ttft_ms": 10, "reasoning_ms": 0, "tps": 20}


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorHandle]:
    profiles = dict.fromkeys(("gpt-5.5", "claude-opus-4-7", "gemini-3.1-pro-preview"), SLOW)
    with run_in_thread(seed=7, profiles=profiles) as handle:  # type: ignore[arg-type]
        yield handle


async def until(pilot: Any, check: Any, timeout: float = 60.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not check():
        if loop.time() > end:
            raise AssertionError("timed out waiting")
        await pilot.pause(0.05)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
async def test_a_stop_signal_mid_race_logs_no_callback_error(
    sim: SimulatorHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, signum: int
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))  # the log goes here
    config = Config()
    env = {**os.environ, **sim.env()}
    models = [resolve_model(spec, config, env) for spec in SPECS]
    csv_path = tmp_path / "r.csv"
    made: list[ChildDuelRunner] = []
    settings = AppSettings(config, models, csv_path, env=env)
    app = ModelduelApp(settings, child_runner_factory(config, env, made))  # type: ignore[arg-type]
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.click("#prompt")
        for ch in "go":
            await pilot.press(ch)
        await pilot.press("ctrl+j")
        view = app.view
        assert view is not None
        await until(pilot, lambda: all(view.stats(i).text for i in range(3)))  # the race is on
        (runner,) = made
        # what `run_tui`'s handler does on a stop signal (tui.launch: `stop`)
        runner.cancel_reason = stop_reason(signum)
        app.exit()
    log = runner.log_path
    assert log.is_relative_to(tmp_path)
    text = log.read_text(encoding="utf-8") if log.exists() else ""
    assert "ERROR" not in text, text
    assert runner.callback_errors == []
    rows = read_rows(csv_path)
    assert len(rows) == 3
    assert {r["finish_reason"] for r in rows} == {"cancelled"}  # saved, as they always were
    assert {r["error"] for r in rows} == {f"cancelled: {stop_reason(signum)}"}
