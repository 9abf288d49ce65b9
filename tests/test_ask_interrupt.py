"""Ctrl+c during `ask`'s start-up: one line, exit 130, no worker child left behind.

A terminal's ctrl+c reaches the whole foreground group (modelduel and its worker child)
at any moment, on a loaded machine often while the worker child is being spawned. Each
point of start-up is held still here by a `sitecustomize` shim (on PYTHONPATH) that
stalls there and drops a marker file, so the signal lands at that point every time:

- `parse`: importing `ask`'s module to parse the command line;
- `platform`: importing the storage modules (the platform's check, before any command);
- `config`: importing the config's modules (pydantic), before the simulator starts;
- `loop`: `asyncio.run` has started (its own SIGINT handler), `ask`'s not yet installed;
- `before`: just before `asyncio.run` (imports done, the simulator up, no loop yet);
- `spawning`: inside the call that creates the worker child (as a fork under load);
- `child`: the worker child exists but is not ready (its imports, 1-2 s under load).

The worker child's shim ignores SIGINT (as the real child does once it is running) and
waits before it starts, so a child its parent forgot is still there when the parent
has exited; the test looks for it by its pid.
"""

from __future__ import annotations

import os
import pty
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import _SRC, FAST, SLOW, clean_env, wait_for, write_config
from tests.support.startup_stall import SHIM, alive

NOISE = ("Exception ignored", "Task was destroyed", "Traceback", "Error", "RuntimeError")


def _interrupt_at(
    tmp_path: Path, point: str, argv: list[str | Path], *, tty: bool
) -> tuple[int, str, Path]:
    """Run `python -m modelduel ARGV`, ctrl+c (SIGINT to its group) at `point`.

    Returns its exit status, its stderr and the marker directory.
    """
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "sitecustomize.py").write_text(SHIM, encoding="utf-8")
    marks = tmp_path / "marks"
    marks.mkdir()
    env = clean_env(tmp_path)
    env["PYTHONPATH"] = os.pathsep.join([str(shim), _SRC])
    env["MODELDUEL_TEST_MARKS"] = str(marks)
    env["MODELDUEL_TEST_POINT"] = point
    env["MODELDUEL_TEST_CHILD_STALL"] = "8"
    leader, terminal = pty.openpty()  # the live view (the worker child) needs a terminal
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "modelduel", *map(str, argv)],
            cwd=tmp_path,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=terminal if tty else subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        os.close(terminal)
        terminal = -1
        try:
            assert wait_for(lambda: (marks / point).exists(), 60), f"never reached {point}"
            os.killpg(proc.pid, signal.SIGINT)  # ctrl+c: the whole foreground group
            _, err = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    finally:
        if terminal >= 0:
            os.close(terminal)
        os.close(leader)
    return proc.returncode, err.decode(errors="replace"), marks


def _assert_child_gone(marks: Path) -> None:
    child = marks / "child"
    if child.exists():
        pid = int(child.read_text())
        left = alive(pid)
        if left:
            os.kill(pid, signal.SIGKILL)
        assert not left, "the worker child outlived modelduel"


POINTS = ["parse", "platform", "config", "before", "loop", "spawning", "child"]


@pytest.mark.parametrize("point", POINTS)
def test_ctrl_c_during_ask_start_up_says_one_line_and_leaves_no_child(
    tmp_path: Path, point: str
) -> None:
    csv_path = tmp_path / "r.csv"
    config = write_config(tmp_path)
    argv: list[str | Path] = ["ask", "--demo", "--config", config, "--csv", csv_path]
    argv += ["-m", FAST, "-m", SLOW, "Explain CRDTs"]
    code, err, marks = _interrupt_at(tmp_path, point, argv, tty=True)
    _assert_child_gone(marks)
    assert code == 130, err
    assert not any(word in err for word in NOISE), err
    lines = err.strip().splitlines()
    if point in ("parse", "platform"):  # before any command runs: said as for any
        assert lines == ["modelduel: stopped (ctrl+c) before it started; nothing saved"], err
    else:
        assert lines == ["modelduel: stopped (ctrl+c) before any model ran; nothing saved"], err
    assert not csv_path.exists() or csv_path.read_bytes() == b""


def test_ctrl_c_while_run_spawns_its_worker_leaves_no_child(tmp_path: Path) -> None:
    """`run` starts the same worker child the same way: the same ctrl+c, the same care."""
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "t0.toml").write_text(
        'id = "t0"\ntype = "research_summary"\ntitle = "T"\nprompt = "Say 0."\n'
        'criteria = ["a"]\noutput_format = "Text."\n',
        encoding="utf-8",
    )
    csv_path = tmp_path / "r.csv"
    config = write_config(tmp_path)
    argv: list[str | Path] = ["run", suite, "--demo", "--config", config, "--csv", csv_path]
    argv += ["-m", FAST]
    code, err, marks = _interrupt_at(tmp_path, "child", argv, tty=False)
    _assert_child_gone(marks)
    assert code == 130, err
    assert not any(word in err for word in NOISE), err
    stopped = [line for line in err.splitlines() if line.startswith("stopped (ctrl+c): ")]
    assert len(stopped) == 1, err
