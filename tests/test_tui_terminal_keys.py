"""Keys only a real terminal delivers as they are: in tmux, one `send-keys` call each.

- ctrl+z suspends the app as other terminal apps do (the shell says it stopped, the
  terminal is given back in cooked mode) and `fg` brings it back, redrawn;
- escape and a score key in one write (`send-keys Escape 4`) are two keys: the prompt
  is left and the pane scored, nothing typed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from modelduel.storage import read_rows
from tests.support.cli import FAST, clean_env, wait_for, write_config

TMUX = ["tmux", "-L", f"modelduel-keys-{os.getpid()}"]

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def tmux(*args: str) -> str:
    return subprocess.run(
        [*TMUX, *args], check=True, capture_output=True, text=True, timeout=10
    ).stdout


def screen(session: str) -> str:
    return tmux("capture-pane", "-p", "-t", session)


def start_in_shell(tmp_path: Path, session: str) -> Path:
    csv_path = tmp_path / "r.csv"
    config = write_config(tmp_path)
    subprocess.run(
        [*TMUX, "new-session", "-d", "-s", session, "-x", "140", "-y", "40", "sh"],
        check=True,
        env=clean_env(tmp_path),
        cwd=tmp_path,
    )
    app = f"{sys.executable} -m modelduel --demo --config {config} --csv {csv_path} -m {FAST}"
    tmux("send-keys", "-t", session, app, "Enter")
    assert wait_for(lambda: "Ready." in screen(session), 30), screen(session)
    return csv_path


def test_ctrl_z_suspends_and_fg_redraws(tmp_path: Path) -> None:
    session = f"modelduel-tstp-{os.getpid()}"
    try:
        start_in_shell(tmp_path, session)
        tmux("send-keys", "-t", session, "C-z")
        # the shell has the terminal again: it reports the stopped job and echoes typing
        assert wait_for(lambda: "Stopped" in screen(session) or "stopped" in screen(session), 10), (
            screen(session)
        )
        tmux("send-keys", "-t", session, "stty -a > stty.txt", "Enter")
        assert wait_for(lambda: (tmp_path / "stty.txt").exists(), 10)
        time.sleep(0.3)
        modes = (tmp_path / "stty.txt").read_text().split()
        assert "icanon" in modes and "echo" in modes  # given back in cooked mode
        tmux("send-keys", "-t", session, "fg", "Enter")
        assert wait_for(lambda: "Ready." in screen(session), 10), screen(session)
        tmux("send-keys", "-t", session, "C-q")
    finally:
        subprocess.run([*TMUX, "kill-server"], capture_output=True)


def test_escape_then_a_score_key_in_one_send_keys_scores(tmp_path: Path) -> None:
    session = f"modelduel-esc-{os.getpid()}"
    try:
        csv_path = start_in_shell(tmp_path, session)
        tmux("send-keys", "-t", session, "Explain CRDTs")
        time.sleep(0.5)
        tmux("send-keys", "-t", session, "C-j")
        assert wait_for(lambda: len(read_rows(csv_path)) == 1, 40)
        tmux("send-keys", "-t", session, "Escape", "4")
        assert wait_for(lambda: read_rows(csv_path)[0]["score"] == "4", 10), screen(session)
        tmux("send-keys", "-t", session, "C-q")
    finally:
        subprocess.run([*TMUX, "kill-server"], capture_output=True)
