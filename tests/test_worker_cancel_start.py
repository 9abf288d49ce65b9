"""A worker child still starting is never left behind: not by a cancel, not when given up.

ctrl+c under `asyncio.run`'s own handler cancels every task left, a start under way
included; `ask` and `run` give a start up (`abandon_start`) when stopped before their
runs start. Either way the child already made is killed and waited for. The child here
is held before its imports by tests/support/startup_stall.py (SIGINT ignored,
as the running child does), so it is sure to be still starting when the test acts.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from modelduel.core.worker import ChildDuelRunner
from tests.support.cli import _SRC
from tests.support.startup_stall import SHIM, alive


def _held_child_env(tmp_path: Path) -> tuple[dict[str, str], Path]:
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "sitecustomize.py").write_text(SHIM, encoding="utf-8")
    marks = tmp_path / "marks"
    marks.mkdir()
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(shim), _SRC])
    env["MODELDUEL_TEST_MARKS"] = str(marks)
    env["MODELDUEL_TEST_POINT"] = "none"
    env["MODELDUEL_TEST_CHILD_STALL"] = "60"  # longer than any test here waits
    return env, marks / "child"


async def _child_pid(marker: Path) -> int:
    for _ in range(600):
        if marker.exists():
            return int(marker.read_text())
        await asyncio.sleep(0.1)
    raise AssertionError("the worker child never started")


async def test_a_start_cancelled_as_the_loop_shuts_down_kills_its_child(tmp_path: Path) -> None:
    env, marker = _held_child_env(tmp_path)
    child = ChildDuelRunner(lambda run_id, stamped: None, env=env, log_path=tmp_path / "log")
    opening = asyncio.ensure_future(child.open())
    pid = await _child_pid(marker)
    try:
        # what asyncio.run does on ctrl+c: every task still there is cancelled, once
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        assert opening.cancelled()
        assert not alive(pid), "the half-started worker child was left running"
    finally:
        if alive(pid):
            os.kill(pid, 9)


async def test_abandon_start_kills_the_child_being_made_and_open_returns(tmp_path: Path) -> None:
    env, marker = _held_child_env(tmp_path)
    child = ChildDuelRunner(lambda run_id, stamped: None, env=env, log_path=tmp_path / "log")
    opening = asyncio.ensure_future(child.open())
    pid = await _child_pid(marker)
    try:
        child.abandon_start()
        await asyncio.wait_for(opening, 30)  # the child's 60 s stall is not waited out
        assert child.start_failure is not None
        assert "\n" not in child.start_failure
        assert not alive(pid)
        await child.open()  # no second child is made while given up, until aclose()
        assert child.start_failure is not None and "before it started" in child.start_failure
        await child.aclose()
    finally:
        if alive(pid):
            os.kill(pid, 9)


async def test_aclose_during_a_start_kills_the_child_being_made(tmp_path: Path) -> None:
    env, marker = _held_child_env(tmp_path)
    child = ChildDuelRunner(lambda run_id, stamped: None, env=env, log_path=tmp_path / "log")
    opening = asyncio.ensure_future(child.open())
    pid = await _child_pid(marker)
    try:
        # before, aclose waited for the child to be ready (up to START_TIMEOUT_S)
        await asyncio.wait_for(child.aclose(), 30)
        assert not alive(pid)
        await opening
        assert child.start_failure is not None
    finally:
        if alive(pid):
            os.kill(pid, 9)
