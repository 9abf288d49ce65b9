"""The real `modelduel --demo` driven in tmux, as a person would: keys in, CSV out."""

from __future__ import annotations

import time
from pathlib import Path

from modelduel.storage import read_rows
from tests.support.cli import wait_for
from tests.support.tmux_app import NEEDS_TMUX, demo_command, send_first_prompt, tmux_app

pytestmark = NEEDS_TMUX


def test_demo_in_tmux_scores_land_in_the_csv(tmp_path: Path) -> None:
    csv_path = tmp_path / "results.csv"
    command = demo_command(csv_path) + "; exec sleep 30"  # the default demo line-up: three models
    with tmux_app("demo", command, tmp_path) as tmux:
        send_first_prompt(tmux, csv_path, rows=3)

        def screen_done() -> bool:
            screen = tmux.screen()
            return screen.count("ttft") == 3 and screen.count("done") >= 3

        assert wait_for(screen_done, 60)  # the panes catch up on their next tick
        tmux.send_keys("Escape")
        time.sleep(0.5)
        # what a laggy SSH link delivers: several keys in ONE write (-l sends the bytes
        # as given): score, score, score (the focus moves on after each), two left
        # arrows back to the first pane, and a re-score: every key must count, in order
        tmux.send_keys("-l", "432\x1b[D\x1b[D1")

        def scores_in_pane_order() -> list[str]:
            rows = sorted(read_rows(csv_path), key=lambda r: int(r["pane"]))
            return [r["score"] for r in rows]

        assert wait_for(lambda: scores_in_pane_order() == ["1", "3", "2"], 60), (
            scores_in_pane_order()
        )
        tmux.send_keys("C-q")
        # the app exits (the pane moves on to `sleep`), taking its simulator with it
        assert wait_for(lambda: tmux.pane("pane_current_command") == "sleep", 60)
