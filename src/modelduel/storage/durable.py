"""Durable writes shared by the results CSV and its transcript: one append, fsync, undo.

An append is one write() of the whole payload to a file opened with O_APPEND, then an
fsync; if the write fails half-way (a full disk), the file is truncated back to its old
size, so a reader never meets half a row or half a record. A file the append created
also gets its directory entry fsynced.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["append_durably", "followed", "fsync_dir", "write_all"]


def fsync_dir(directory: Path) -> None:
    """Make a created or renamed directory entry durable (best effort where unsupported)."""
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot fsync a directory; the data itself was fsynced
    finally:
        os.close(fd)


def write_all(fd: int, data: bytes) -> None:
    """Write ``data`` with one write() call, looping only if the kernel writes less."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def append_durably(
    path: Path, payload: bytes, *, on_a_new_line: bool = False, create: bool = True
) -> None:
    """Append ``payload`` to ``path`` in one write and fsync it; a failed write is undone.

    The caller holds the file's lock. With ``on_a_new_line``, a file whose last byte is
    not a newline (its writer was killed mid-line) gets one first, so the payload starts
    a line of its own and the incomplete bytes stay in the file rather than being dropped.
    Without ``create``, a missing file is an error (FileNotFoundError), never a new file:
    the caller's file was moved away after it looked.

    Raises:
        OSError: The file cannot be opened (the error names the file: ``filename`` is
            set) or written (``filename`` is None); the file is as it was.
    """
    created = not path.exists()
    access = os.O_RDWR if on_a_new_line else os.O_WRONLY  # reading the last byte needs RDWR
    flags = access | os.O_APPEND | os.O_CLOEXEC | (os.O_CREAT if create else 0)
    fd = os.open(path, flags, 0o666)
    try:
        size = os.fstat(fd).st_size
        if on_a_new_line and size and os.pread(fd, 1, size - 1) != b"\n":
            payload = b"\n" + payload
        try:
            write_all(fd, payload)
        except OSError:
            os.ftruncate(fd, size)  # never leave a torn row or record (e.g. disk full)
            raise
        os.fsync(fd)
    finally:
        os.close(fd)
    if created:
        fsync_dir(path.parent)


def followed(csv_path: Path) -> Path:
    """The file a results CSV path names: a symlink's target, else the path as given.

    Rows written through a symlink land in its target; the transcript and the lock must
    sit beside that file, not beside the link, or a session naming the target directly
    would find no texts and take another lock.
    """
    if os.path.islink(csv_path):
        return Path(os.path.realpath(csv_path))
    return csv_path
