"""A duel worker that cannot start (its interpreter is missing, it dies on import) is one
line naming the log file on each run it was given, never an exception or a traceback on
the terminal; the next start tries again. A child that died later is started afresh too."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

import pytest

from modelduel.core.worker import ChildDuelRunner
from tests.support.replay_server import Script, running_server
from tests.test_engine_loopback import SECRET, Collect, chat_chunks, plan


def broken_install(tmp_path: Path) -> str:
    """A `modelduel` package first on the child's import path that fails to import."""
    package = tmp_path / "shadow" / "modelduel"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("raise ImportError('a broken install: boom')\n")
    return str(package.parent)


def assert_one_clear_line(message: str, log: Path) -> None:
    assert "\n" not in message and "Traceback" not in message
    assert message.startswith("the duel worker process could not start")
    assert str(log) in message and "send the prompt again" in message


async def test_a_child_that_dies_at_start_fails_its_runs_in_one_line_and_is_retried(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "modelduel.log"
    env = dict(os.environ, OPENAI_API_KEY=SECRET, PYTHONPATH=broken_install(tmp_path))
    async with running_server(lambda r: Script(chat_chunks(["Hel", "lo"]))) as srv:
        sink, ended = Collect(), []
        child = ChildDuelRunner(sink, env=env, on_run_ended=ended.append, log_path=log)
        await child.open()  # raises nothing
        assert child.start_failure is not None and "(exit status 1)" in child.start_failure
        assert_one_clear_line(child.start_failure, log)
        await child.start([plan(srv.base, "first")])  # nor does a start
        await asyncio.wait_for(child.wait(), 60)
        assert ended == ["first"]
        first = sink.stats("first")
        assert first.status == "failed" and first.error is not None
        assert_one_clear_line(first.error.message, log)
        # the child's traceback is in the log file, not on the terminal
        assert "a broken install: boom" in log.read_text(encoding="utf-8")
        assert "Traceback" not in capfd.readouterr().err
        # the install is mended: the next prompt's start makes a working child
        del env["PYTHONPATH"]
        await child.start([plan(srv.base, "second")])
        await asyncio.wait_for(child.wait(), 60)
        await child.aclose()
    assert ended == ["first", "second"]
    assert sink.stats("second").text == "Hello" and child.start_failure is None


async def test_a_missing_interpreter_is_one_line_and_the_next_start_tries_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "modelduel.log"
    python = sys.executable
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-such-python"))
    async with running_server(lambda r: Script(chat_chunks(["ok"]))) as srv:
        sink, ended = Collect(), []
        child = ChildDuelRunner(
            sink,
            env={**os.environ, "OPENAI_API_KEY": SECRET},
            on_run_ended=ended.append,
            log_path=log,
        )
        await child.start([plan(srv.base, "a"), plan(srv.base, "b")])
        await asyncio.wait_for(child.wait(), 60)
        assert ended == ["a", "b"]
        for run_id in "ab":
            error = sink.stats(run_id).error
            assert error is not None
            assert_one_clear_line(error.message, log)
            assert "No such file" in error.message
        assert "Traceback" not in capfd.readouterr().err
        assert "the duel worker could not be started" in log.read_text(encoding="utf-8")
        monkeypatch.setattr(sys, "executable", python)
        await child.start([plan(srv.base, "c")])
        await asyncio.wait_for(child.wait(), 60)
        await child.aclose()
    assert sink.stats("c").text == "ok"


async def test_a_child_that_died_mid_session_is_started_afresh_by_the_next_start() -> None:
    chunks = chat_chunks(["first", "second"])
    chunks[2] = (10.0, chunks[2][1])  # the run waits here while the child is killed
    async with running_server(lambda r: Script(chunks)) as srv:
        sink, ended = Collect(), []
        child = ChildDuelRunner(sink, env={"OPENAI_API_KEY": SECRET}, on_run_ended=ended.append)
        await child.start([plan(srv.base, "r1")])
        deadline = time.monotonic() + 10
        while "r1" not in sink.meters or sink.stats("r1").text != "first":
            assert time.monotonic() < deadline
            await asyncio.sleep(0.01)
        child._proc.kill()  # type: ignore[union-attr]  # a crash of the worker
        await asyncio.wait_for(child.wait(), 60)
        error = sink.stats("r1").error
        assert error is not None and "ended unexpectedly (killed by SIGKILL)" in error.message
        # no "worker is not running" on the next prompt: a new child takes it
        await child.start([plan(srv.base, "r2")])
        deadline = time.monotonic() + 10
        while "r2" not in sink.meters or sink.stats("r2").text != "first":
            assert time.monotonic() < deadline
            await asyncio.sleep(0.01)
        await child.cancel("r2")
        await asyncio.wait_for(child.wait(), 60)
        await child.aclose()
    assert ended == ["r1", "r2"]
    assert sink.stats("r2").status == "cancelled"


async def test_the_duel_screen_shows_a_failed_start_in_its_panes_and_the_next_prompt_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    # the app as `modelduel` makes it (tui.launch's factory), on the simulator
    from modelduel.config import Config, resolve_model
    from modelduel.simulator import run_in_thread
    from modelduel.tui.app import AppSettings, ModelduelApp
    from modelduel.tui.launch import child_runner_factory
    from tests.test_tui_turns import QUICK, SPECS, all_done, panes, shown, type_and_send, until

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))  # the log file's home
    python = sys.executable
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-such-python"))
    profiles = dict.fromkeys(["gpt-5.5", "claude-opus-4-7", "gemini-3.1-pro-preview"], QUICK)
    with run_in_thread(seed=3, profiles=profiles) as sim:  # type: ignore[arg-type]
        config, env = Config(), sim.env()
        models = [resolve_model(spec, config, env) for spec in SPECS]
        settings = AppSettings(config, models, tmp_path / "r.csv", env=env)
        app = ModelduelApp(settings, child_runner_factory(config, {**os.environ, **env}))
        async with app.run_test(size=(150, 45)) as pilot:
            for prompt in ("first try", "second try"):
                await type_and_send(pilot, prompt)
                await until(pilot, app, lambda: all_done(app))
                for pane in panes(app):
                    assert "could not start" in shown(pane)
            monkeypatch.setattr(sys, "executable", python)
            await type_and_send(pilot, "third try")
            await until(pilot, app, lambda: all_done(app))
            assert all("could not start" not in shown(p) for p in panes(app))
            assert all(p.body.drawn_lines for p in panes(app))
    assert "Traceback" not in capfd.readouterr().err
