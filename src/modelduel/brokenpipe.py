"""A reader that quit early (`modelduel route runs.csv | head -1`) is not an error.

Every command ends the same way then: no traceback, no error line, exit status 141
(128 + SIGPIPE, what a shell reports for a program the signal ended), and stdout's
descriptor pointed at /dev/null, so the interpreter's last flush of what is still
buffered cannot print "Exception ignored ... BrokenPipeError" on stderr.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from typing import TextIO

__all__ = ["EXIT_STATUS", "point_at_devnull", "quiet_exit", "reader_gone"]

EXIT_STATUS = 128 + signal.SIGPIPE
"""The status of a command whose reader went away: 141, as if SIGPIPE had ended it."""


def point_at_devnull(stream: TextIO) -> None:
    """Point `stream`'s descriptor at /dev/null: later writes and flushes go nowhere."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, stream.fileno())
        finally:
            os.close(devnull)


def reader_gone(exc: BaseException) -> bool:
    """Whether `exc` says stdout's reader went away.

    A BrokenPipeError itself, or rich's way of reporting one: its Console catches the
    BrokenPipeError and raises SystemExit(1) in its place (while handling it, so the
    BrokenPipeError is the SystemExit's context). Any other SystemExit is not.
    """
    if isinstance(exc, BrokenPipeError):
        return True
    return isinstance(exc, SystemExit) and isinstance(exc.__context__, BrokenPipeError)


def quiet_exit(exc: BaseException) -> int:
    """The exit status for `exc` when its reader went away (141, stdout silenced).

    Raises:
        BaseException: `exc` itself, when it is not about a reader that went away.
    """
    if not reader_gone(exc):
        raise exc
    point_at_devnull(sys.stdout)
    return EXIT_STATUS
