"""The real `modelduel` in a tmux pane, driven as a person would: keys in, screen out.

Each use gets a tmux server of its own (`-L`, never reused): a server already running
would give the app its environment, not the test's, sessions of tests running at once never
meet, and a socket name reused at once can meet a server that `kill-server` has told to go
but that has not gone yet ("server exited unexpectedly").
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

from modelduel.storage import read_rows
from tests.support.cli import clean_env, wait_for

__all__ = ["NEEDS_TMUX", "Tmux", "demo_command", "send_first_prompt", "tmux_app"]

_SERVERS = itertools.count()

NEEDS_TMUX = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


class Tmux:
    """One tmux server of the test's own, holding one session (`session`)."""

    def __init__(self, name: str) -> None:
        # -f /dev/null: not the machine's ~/.tmux.conf (its default-shell, its options)
        socket = f"modelduel-{name}-{os.getpid()}-{next(_SERVERS)}"
        self.argv = ["tmux", "-f", "/dev/null", "-L", socket]
        self.session = f"modelduel-{name}"

    def run(self, *args: str) -> str:
        """`tmux ARGS` on this server; its stdout."""
        return subprocess.run(
            [*self.argv, *args], check=True, capture_output=True, text=True, timeout=10
        ).stdout

    def send_keys(self, *keys: str) -> None:
        """`send-keys` to the session (`-l` first: the bytes as given, in one write)."""
        self.run("send-keys", "-t", self.session, *keys)

    def screen(self, history: int = 0) -> str:
        """What the pane shows now (and `history` lines scrolled off above it)."""
        back = ("-S", f"-{history}") if history else ()
        return self.run("capture-pane", "-p", *back, "-t", self.session)

    def pane(self, variable: str) -> str:
        """A pane variable (`pane_pid`, `pane_dead`, `pane_current_command`)."""
        return self.run("display", "-p", "-t", self.session, f"#{{{variable}}}").strip()


def demo_command(csv_path: Path, config: Path | None = None, models: Sequence[str] = ()) -> str:
    """The shell command of the duel screen in demo mode, writing `csv_path`."""
    command = f"{sys.executable} -m modelduel --demo"
    if config is not None:
        command += f" --config {config}"
    command += f" --csv {csv_path}"
    return command + "".join(f" -m {model}" for model in models)


@contextmanager
def tmux_app(name: str, command: str, cwd: Path, *, remain_on_exit: bool = False) -> Iterator[Tmux]:
    """`command` running in a 140x40 tmux pane (clean env, in `cwd`); the server ends after."""
    tmux = Tmux(name)
    # the options go in the same call as the session, before it: set after, a command that
    # ended at once had taken its session and server with it ("no server running" 19
    # times in 20 for `true`); the pane's shell is sh, whatever $SHELL the machine has
    options = ["set-option", "-g", "default-shell", "/bin/sh", ";"]
    if remain_on_exit:  # the pane stays (dead) when the app exits: its screen is read
        options += ["set-option", "-g", "remain-on-exit", "on", ";"]
    size = ["-x", "140", "-y", "40"]
    subprocess.run(
        [*tmux.argv, *options, "new-session", "-d", "-s", tmux.session, *size, command],
        check=True,
        env=clean_env(cwd),
        cwd=cwd,
        timeout=60,
    )
    try:
        yield tmux
    finally:
        subprocess.run([*tmux.argv, "kill-server"], capture_output=True)


def send_first_prompt(
    tmux: Tmux, csv_path: Path, *, rows: int = 1, prompt: str = "Explain CRDTs"
) -> None:
    """Wait for "Ready.", type `prompt`, send it (ctrl+j), wait for `rows` rows in the CSV."""
    assert wait_for(lambda: "Ready." in tmux.screen(), 30), tmux.screen()
    tmux.send_keys(prompt)
    time.sleep(0.5)
    tmux.send_keys("C-j")
    landed = wait_for(lambda: csv_path.exists() and len(read_rows(csv_path)) >= rows, 40)
    assert landed, tmux.screen()
