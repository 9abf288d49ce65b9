"""Keys only a real terminal delivers as they are: in tmux, one `send-keys` call each.

- ctrl+z suspends the app as other terminal apps do (the shell says it stopped, the
  terminal is given back in cooked mode) and `fg` brings it back, redrawn;
- escape and a score key in one write (`send-keys Escape 4`) are two keys: the prompt
  is left and the pane scored, nothing typed.

Each test has a tmux server of its own (`tmux_app`): one server per module, killed by one
test and reused at once by the next, failed in CI with "server exited unexpectedly"
(`kill-server` returns before the server has gone).
"""

from __future__ import annotations

import time
from pathlib import Path

from modelduel.storage import read_rows
from tests.support.cli import FAST, wait_for, write_config
from tests.support.tmux_app import NEEDS_TMUX, Tmux, demo_command, tmux_app

pytestmark = NEEDS_TMUX


def start_app(tmux: Tmux, tmp_path: Path) -> Path:
    """The duel screen started from the pane's shell (so ctrl+z has a shell to return to)."""
    csv_path = tmp_path / "r.csv"
    tmux.send_keys(demo_command(csv_path, write_config(tmp_path), [FAST]), "Enter")
    assert wait_for(lambda: "Ready." in tmux.screen(), 30), tmux.screen()
    return csv_path


def test_ctrl_z_suspends_and_fg_redraws(tmp_path: Path) -> None:
    with tmux_app("tstp", "sh", tmp_path) as tmux:
        start_app(tmux, tmp_path)
        tmux.send_keys("C-z")
        # the shell has the terminal again: it reports the stopped job and echoes typing
        assert wait_for(lambda: "stopped" in tmux.screen().lower(), 60), tmux.screen()
        tmux.send_keys("stty -a > stty.txt", "Enter")
        assert wait_for(lambda: (tmp_path / "stty.txt").exists(), 60)
        time.sleep(0.3)
        modes = (tmp_path / "stty.txt").read_text().split()
        assert "icanon" in modes and "echo" in modes  # given back in cooked mode
        tmux.send_keys("fg", "Enter")
        assert wait_for(lambda: "Ready." in tmux.screen(), 60), tmux.screen()
        tmux.send_keys("C-q")


def test_escape_then_a_score_key_in_one_send_keys_scores(tmp_path: Path) -> None:
    with tmux_app("esc", "sh", tmp_path) as tmux:
        csv_path = start_app(tmux, tmp_path)
        tmux.send_keys("Explain CRDTs")
        time.sleep(0.5)
        tmux.send_keys("C-j")
        assert wait_for(lambda: csv_path.exists() and len(read_rows(csv_path)) == 1, 40)
        tmux.send_keys("Escape", "4")
        assert wait_for(lambda: read_rows(csv_path)[0]["score"] == "4", 60), tmux.screen()
        tmux.send_keys("C-q")
