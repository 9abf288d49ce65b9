"""The results file a session opened, so a write never lands in a different file.

A session says "saved" for rows in the file the user knows. If that file is moved,
deleted or replaced while the session runs, an append would otherwise create (or add to)
a file at the same path that holds only the newest row, and the screen would say
"saved" for something the user's file does not hold. `OpenedFile` remembers which file
(device and inode) the session opened or created; every write through it checks, with
the file's lock held, that the path still names that file, and refuses with one line
naming the path and the fix if it does not.

Our own updates (and those of another modelduel writing the same CSV) rename a complete
copy over the file, which gives it a new inode; such a copy still holds every row this
session wrote, so a new inode holding them is adopted, and one lacking them is refused
as a replaced file.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from modelduel.errors import CsvError
from modelduel.storage.transcript import OpenedTranscript

__all__ = ["OpenedFile"]

_Identity = tuple[int, int]

# the duel screen's way out; a batch says its own (run it again once the file is back)
_SESSION_FIX = "s retries after you put it back, or quit to save elsewhere"


def _open(path: Path) -> int | None:
    try:
        return os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:  # missing, or unreadable: the write itself will say why
        return None


def _identity(path: Path) -> _Identity | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_dev, st.st_ino


class OpenedFile:
    """Which file a session's results CSV is, and the runs it wrote there.

    It keeps the file open (read-only): an inode still open is never reused, so a new
    file created at the path after a delete cannot pass for the one the session opened.
    """

    def __init__(self, path: Path, *, fix: str = _SESSION_FIX) -> None:
        """Open ``path`` if it exists; ``fix`` ends the refusal (how to get the rows saved)."""
        self.path = path
        self.fix = fix
        self._fd: int | None = None
        self.run_ids: set[str] = set()
        """Runs whose rows this session wrote to the file."""
        self._hold(_open(path))
        self.transcript = OpenedTranscript(path, fix=fix)
        """The transcript beside it, checked the same way (`append_transcript`)."""

    def _hold(self, fd: int | None) -> None:
        if self._fd is not None:
            os.close(self._fd)
        self._fd = fd

    @property
    def identity(self) -> _Identity | None:
        """(device, inode) of the file the session opened; None until one exists."""
        if self._fd is None:
            return None
        st = os.fstat(self._fd)
        return st.st_dev, st.st_ino

    def close(self) -> None:
        """Let go of the file and its transcript (the session is over)."""
        self._hold(None)
        if hasattr(self, "transcript"):  # __del__ of one whose __init__ failed
            self.transcript.close()

    def __del__(self) -> None:
        self.close()

    def moved_message(self) -> str:
        """The one line shown when the path no longer names the session's file."""
        return (
            f"results file {self.path} was moved or deleted since the session opened it; "
            + self.fix
        )

    def may_create(self) -> bool:
        """True if a missing file may be created (the session never had one)."""
        return self.identity is None

    def check(self, ids_in_file: Iterable[str] | None) -> None:
        """Refuse a write if the path no longer names the file the session opened.

        Called with the file's lock held, after it is read.

        Args:
            ids_in_file: The run ids in the file at the path now (None if it is missing).

        Raises:
            CsvError: The file was moved or deleted (the path is missing), or replaced by
                one that lacks the rows this session wrote.
        """
        if self.identity is None:
            return  # nothing opened yet: the first write creates the file
        now = _identity(self.path)
        if now is None or ids_in_file is None:
            raise CsvError(self.moved_message())
        if now == self.identity:
            return
        missing = self.run_ids - set(ids_in_file)
        if missing:
            raise CsvError(
                f"results file {self.path} was replaced since the session opened it "
                f"(it lacks {len(missing)} of this session's rows); " + self.fix
            )
        # another writer's atomic rewrite: the same rows, a new inode
        fd = _open(self.path)
        if fd is not None:
            self._hold(fd)

    def wrote(self, run_id: str | None) -> None:
        """A write went to the path (lock held): remember the file it is now, and the run."""
        fd = _open(self.path)
        if fd is not None:  # else keep the old one: a new inode is then judged by its rows
            self._hold(fd)
        if run_id:
            self.run_ids.add(run_id)
