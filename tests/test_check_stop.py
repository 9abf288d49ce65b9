"""Checks cancelled (a batch stopping): none starts after, a running one is killed, no
verdict; and a terminal's ctrl+c (its foreground process group) never reaches a check's
child, whose death would otherwise be recorded as "check failed to run"."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from modelduel.core.check_stop import ChecksCancelled, CheckStop
from modelduel.core.checks import run_checks
from modelduel.tasks import load_task
from tests.support.cli import wait_for

TASK = """\
id = "t"
type = "research_summary"
title = "T"
prompt = "Do it."
criteria = ["a", "b", "c"]
output_format = "text"

[[checks]]
name = "words"
kind = "max_words"
part = "format"
max = 10
"""


def slow_checker(tmp_path: Path) -> tuple[str, Path]:
    """An interpreter that says its pid, then hangs (the text checker, stuck)."""
    pid_file = tmp_path / "pid"
    fake = tmp_path / "python"
    fake.write_text(f"#!/bin/sh\necho $$ > {pid_file}\nexec sleep 60\n", encoding="utf-8")
    fake.chmod(0o755)
    return str(fake), pid_file


def test_a_cancel_kills_the_running_checker_and_gives_no_verdict(tmp_path: Path) -> None:
    (tmp_path / "t.toml").write_text(TASK, encoding="utf-8")
    task = load_task(tmp_path / "t.toml")
    python, pid_file = slow_checker(tmp_path)
    stop = CheckStop()
    got: list[object] = []

    def check() -> None:
        try:
            got.append(run_checks(task, "one two", python=python, stop=stop))
        except ChecksCancelled as exc:
            got.append(exc)

    thread = threading.Thread(target=check)
    thread.start()
    try:
        assert wait_for(lambda: pid_file.exists() and pid_file.read_text().strip() != "", 30)
        pid = int(pid_file.read_text())
        # its own process group: ctrl+c at the terminal signals the batch, not the child
        assert os.getpgid(pid) != os.getpgid(0)
        stop.cancel()
        thread.join(30)
    finally:
        stop.cancel()
    assert not thread.is_alive()
    assert len(got) == 1 and isinstance(got[0], ChecksCancelled), got
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # killed and reaped


def test_after_a_cancel_no_check_starts_a_child(tmp_path: Path) -> None:
    (tmp_path / "t.toml").write_text(TASK, encoding="utf-8")
    task = load_task(tmp_path / "t.toml")
    python, pid_file = slow_checker(tmp_path)
    stop = CheckStop()
    stop.cancel()
    with pytest.raises(ChecksCancelled):
        run_checks(task, "one two", python=python, stop=stop)
    assert not pid_file.exists()
