"""The advisory lock every writer of a results CSV takes.

modelduel is POSIX-only (Linux, macOS; the package's classifiers say so): the lock is
`flock()`. On any other platform taking it raises, rather than silently not locking and
letting two writers interleave.

The lock lives on a sidecar file (``.NAME.lock`` beside the CSV), not on the CSV itself:
a row update replaces the CSV with a new file (a new inode), and a lock held on the old
inode would no longer exclude anyone. The sidecar is never deleted, for the same reason.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from modelduel.storage.durable import followed

__all__ = ["POSIX_ONLY", "file_lock", "lock_path", "platform_supported"]

POSIX_ONLY = (
    "modelduel runs on POSIX systems only (Linux, macOS): its results CSV is protected by "
    "flock(), which Windows lacks; use WSL on Windows"
)


def platform_supported(platform: str | None = None) -> bool:
    """Whether the results CSV can be locked here (`sys.platform` unless given)."""
    return (platform or sys.platform) != "win32"


def lock_path(csv_path: Path) -> Path:
    """The sidecar lock file of a CSV: ``.NAME.lock`` in the same directory (as the file
    a symlinked CSV names: every writer of that file meets the same lock)."""
    real = followed(csv_path)
    return real.parent / f".{real.name}.lock"


@contextmanager
def file_lock(csv_path: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on ``csv_path`` for the duration of the block.

    Args:
        csv_path: The CSV to lock (the lock file is created beside it if needed).

    Raises:
        OSError: The lock file cannot be created or locked (callers turn this into a
            one-line `CsvError`).
    """
    if not platform_supported():
        raise OSError(POSIX_ONLY)
    import fcntl  # noqa: PLC0415 - POSIX only: importing it at the top would fail on Windows

    fd = os.open(lock_path(csv_path), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    try:
        # flock locks belong to the open file description, so two threads of one process
        # exclude each other too (each call opens its own descriptor).
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        # Closing the descriptor releases the lock, also if the block raised.
        os.close(fd)
