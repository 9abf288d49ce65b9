"""Stopping the duel screen from outside: SIGINT, SIGTERM and SIGHUP end it the way ctrl+q
does, and a closed terminal cannot hang its exit.

Only the signal plumbing: what quitting saves is `tui.quitting`; opening the screen is
`tui.launch`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from types import FrameType

__all__ = ["QUIT_GRACE_S", "STOP_SIGNALS", "exit_on_signals"]

# A closed terminal (SIGHUP), a `kill` (SIGTERM) or a `kill -INT` (the screen's raw mode
# makes ctrl+c a key, so a SIGINT comes from outside) end the app the way ctrl+q does: runs
# still going are cancelled and saved (text kept), and the exit status is 128 + the
# signal's number, as `ask` and `run` give (130 for SIGINT).
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@contextlib.contextmanager
def exit_on_signals(exit_app: Callable[[int], object]) -> Iterator[list[int]]:
    """While the block runs, SIGINT, SIGTERM and SIGHUP call `exit_app(signum)` in the app's loop.

    Textual leaves these signals at their defaults, which kill the process at once (or,
    for SIGINT, end it with status 0 through a KeyboardInterrupt) and lose the runs in
    flight. Here the first one asks the app to quit as ctrl+q does (its
    unmount cancels and saves the runs); a second one, if quitting hangs, kills as before.

    Yields:
        The signals received, in order (empty when the app ended by itself).
    """
    received: list[int] = []
    previous = {signum: signal.getsignal(signum) for signum in STOP_SIGNALS}
    terminal = [fd for fd in (0, 1, 2) if os.isatty(fd)]

    def handler(signum: int, frame: FrameType | None) -> None:
        received.append(signum)
        if len(received) > 1:
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # the app is not running (yet, or any more)
            raise SystemExit(128 + signum) from None
        # A SIGHUP is not always a closed terminal (`kill -HUP`, a multiplexer): while the
        # terminal is there it takes SIGTERM's path, which gives it back in cooked mode.
        if signum == signal.SIGHUP and _hung_up(terminal):
            _terminal_gone()
        # thread-safe: it wakes the loop through its self-pipe from inside a signal handler
        loop.call_soon_threadsafe(exit_app, signum)

    for signum in STOP_SIGNALS:
        signal.signal(signum, handler)
    try:
        yield received
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


QUIT_GRACE_S = 20.0
"""How long a quit after the terminal closed may take (saving the runs) before it is forced."""


def _hung_up(terminal: list[int]) -> bool:
    """Whether the terminal on these descriptors went away (closed, hung up).

    A hung-up terminal fails every terminal request (EIO), so it no longer passes as one.
    """
    return any(not os.isatty(fd) for fd in terminal)


def _terminal_gone() -> None:
    """The terminal closed: writes to it now fail, which would hang Textual's exit.

    Textual writes the screen from a thread; once a write to the closed terminal raises,
    that thread is gone and the app's last writes (leaving the alternate screen) wait on
    its full queue for ever. So the terminal's descriptors are pointed at /dev/null, and,
    should the exit hang all the same, the process ends after a grace period: what was
    saved is on disk (each row is one atomic write), and nothing is left running.
    """
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        os.close(devnull)

    def force_exit() -> None:
        time.sleep(QUIT_GRACE_S)
        os._exit(128 + signal.SIGHUP)

    threading.Thread(target=force_exit, name="modelduel-quit-grace", daemon=True).start()
