"""Why runs were cancelled, in words the CSV and the panes show.

`stop_reason` names a stop signal ("the terminal closed (SIGHUP)"); `CancelReasons` puts
such a reason on a cancelled run's final event. Used by the worker's child and by the
in-process runner of `ask --json`; the parent's worker client reads `stop_reason` when a
signal arrives. It holds no runner and no process handling.
"""

from __future__ import annotations

import dataclasses
import signal
from collections.abc import Iterable

from modelduel.events import Stamped, StreamFailed

__all__ = ["CancelReasons", "signal_name", "stop_reason", "stopped_by"]


def stop_reason(signum: int) -> str:
    """What the runs a stop signal cancelled say happened: their error's message.

    The CSV's `error` cell and the pane read `cancelled: modelduel received SIGTERM`
    (kind, then this). "cancelled by the user" would be wrong for a `kill` or a terminal
    that went away, and whoever reads the row later should know which it was.
    """
    if signum == signal.SIGHUP:
        return "the terminal closed (SIGHUP)"
    if signum == signal.SIGINT:
        return "cancelled by the user (Ctrl+C)"
    return f"modelduel received {signal_name(signum)}"


def signal_name(signum: int) -> str:
    """`SIGTERM` for 15; `signal 99` for a number with no name."""
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


def stopped_by(signum: int) -> str:
    """How a stop line names the signal that stopped a command: `ctrl+c`, `SIGTERM`, ..."""
    if signum == signal.SIGINT:
        return "ctrl+c"
    if signum == signal.SIGHUP:
        return "the terminal closed, SIGHUP"
    return signal_name(signum)


class CancelReasons:
    """Why runs were cancelled, applied to their final event on its way out.

    `DuelRunner` ends a cancelled run with a `cancelled` failure saying "cancelled by the
    user"; a run cancelled for another reason (a stop signal, a batch that cannot save)
    gets that reason instead. The first reason given for a run wins.
    """

    def __init__(self) -> None:
        self._by_run: dict[str, str] = {}

    def mark(self, run_ids: Iterable[str], reason: str) -> None:
        """Say why these runs are being cancelled."""
        for run_id in run_ids:
            self._by_run.setdefault(run_id, reason)

    def apply(self, run_id: str, stamped: Stamped) -> Stamped:
        """The event with a cancelled failure's message replaced by the run's reason."""
        event = stamped.event
        reason = self._by_run.get(run_id)
        if reason is None or not isinstance(event, StreamFailed):
            return stamped
        if event.error.kind != "cancelled":
            return stamped
        del self._by_run[run_id]  # a run id is used once
        error = dataclasses.replace(event.error, message=reason)
        return dataclasses.replace(stamped, event=dataclasses.replace(event, error=error))
