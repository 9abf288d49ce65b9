"""The real `modelduel --demo` driven in tmux, as a person would: keys in, CSV out."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from modelduel.storage import read_rows

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

KEY_VARS = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY")


def tmux(*args: str) -> str:
    return subprocess.run(
        ["tmux", *args], check=True, capture_output=True, text=True, timeout=10
    ).stdout


def wait_for(predicate: object, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.2)
    return False


def test_demo_in_tmux_scores_land_in_the_csv(tmp_path: Path) -> None:
    session = f"modelduel-test-{os.getpid()}"
    csv_path = tmp_path / "results.csv"
    env = {k: v for k, v in os.environ.items() if k not in KEY_VARS}
    env.pop("MODELDUEL_CONFIG", None)
    env["XDG_CONFIG_HOME"] = str(tmp_path)  # no user config, no saved theme
    command = f"{sys.executable} -m modelduel --demo --csv {csv_path}; sleep 30"
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "140", "-y", "40", command],
        check=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        assert wait_for(lambda: "Ready." in tmux("capture-pane", "-p", "-t", session), 30)
        tmux("send-keys", "-t", session, "Explain CRDTs")
        time.sleep(0.5)
        tmux("send-keys", "-t", session, "C-j")
        assert wait_for(lambda: csv_path.exists() and len(read_rows(csv_path)) == 3, 40)

        def screen_done() -> bool:
            screen = tmux("capture-pane", "-p", "-t", session)
            return screen.count("ttft") == 3 and screen.count("done") >= 3

        assert wait_for(screen_done, 10)  # the panes catch up on their next tick
        tmux("send-keys", "-t", session, "Escape")
        time.sleep(0.5)
        # what a laggy SSH link delivers: several keys in ONE write (-l sends the bytes
        # as given): score, score, score (the focus moves on after each), two left
        # arrows back to the first pane, and a re-score: every key must count, in order
        tmux("send-keys", "-t", session, "-l", "432\x1b[D\x1b[D1")

        def scores_in_pane_order() -> list[str]:
            rows = sorted(read_rows(csv_path), key=lambda r: int(r["pane"]))
            return [r["score"] for r in rows]

        assert wait_for(lambda: scores_in_pane_order() == ["1", "3", "2"], 10), (
            scores_in_pane_order()
        )
        tmux("send-keys", "-t", session, "C-q")
        # the app exits (the pane moves on to `sleep`), taking its simulator with it
        assert wait_for(
            lambda: (
                tmux("display", "-p", "-t", session, "#{pane_current_command}").strip() == "sleep"
            ),
            15,
        )
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
