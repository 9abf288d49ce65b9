"""Cancelling checks: after `CheckStop.cancel()` no check's child process starts, and
the ones running are killed (a sandbox with its whole process group).

A check whose child was killed raises `ChecksCancelled`: cut short, it is no verdict
(not a fail, not "failed to run"), and nothing of it is recorded.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from typing import Any

__all__ = ["CheckStop", "ChecksCancelled"]


class ChecksCancelled(Exception):
    """The checks were cancelled (the batch is stopping): there is no verdict."""


class CheckStop:
    """The child processes of running checks, and whether checks may start any more."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[subprocess.Popen[bytes], bool] = {}  # child -> its own group
        self._killed: set[subprocess.Popen[bytes]] = set()
        self.cancelled = False

    def popen(
        self, args: list[str], *, group: bool = False, **kwargs: Any
    ) -> subprocess.Popen[bytes]:
        """Start a check's child, unless the checks are cancelled.

        Args:
            args: the command.
            group: the child leads its own process group (killed whole).
            kwargs: for `subprocess.Popen`.

        Raises:
            ChecksCancelled: `cancel()` was called; nothing is started.
        """
        with self._lock:  # a cancel either sees this child or comes before it
            if self.cancelled:
                raise ChecksCancelled
            proc: subprocess.Popen[bytes] = subprocess.Popen(
                args, start_new_session=group, **kwargs
            )
            self._running[proc] = group
            return proc

    def ended(self, proc: subprocess.Popen[bytes]) -> None:
        """The child was waited for.

        Raises:
            ChecksCancelled: `cancel()` killed it, so its output is no verdict.
        """
        with self._lock:
            self._running.pop(proc, None)
            killed = proc in self._killed
            self._killed.discard(proc)
        if killed:
            raise ChecksCancelled

    def check(self) -> None:
        """Raises ChecksCancelled once `cancel()` was called (before the next check)."""
        if self.cancelled:
            raise ChecksCancelled

    def cancel(self) -> None:
        """No check starts a child any more; the running children are killed."""
        with self._lock:
            self.cancelled = True
            running = list(self._running.items())
            self._killed.update(proc for proc, _ in running)
        for proc, group in running:
            try:
                if group:
                    os.killpg(proc.pid, signal.SIGKILL)
                else:
                    proc.kill()
            except (ProcessLookupError, PermissionError):
                proc.kill()
