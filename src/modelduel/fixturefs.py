"""A task's fixture folder, scanned and checked: the read-only file system its tools serve.

The folder must lie inside the task file's folder, and so must everything in it: a
symlink whose target resolves outside the fixture folder is refused when the task loads
(one line naming it), so no tool answer can ever carry a byte from elsewhere. Symlinks to
files inside are served under their own name; symlinked folders are not descended into
(a loop cannot be built). Limits keep a snapshot small enough to hold in memory: the tool
world reads the whole folder once and never touches the disk again.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

__all__ = [
    "MAX_FIXTURE_BYTES",
    "MAX_FIXTURE_FILES",
    "FixtureError",
    "read_fixture_tree",
    "resolve_fixture_dir",
    "scan_fixture_tree",
]

MAX_FIXTURE_FILES = 5000
MAX_FIXTURE_BYTES = 64 * 1024 * 1024


class FixtureError(ValueError):
    """The fixture folder is missing, outside the task folder, or holds an escaping link."""


def resolve_fixture_dir(task_dir: Path, name: str) -> Path:
    """The fixture folder `name` (relative to `task_dir`), resolved; it must stay inside.

    Raises:
        FixtureError: absolute, outside the task's folder (also through a symlink), or not
            a folder.
    """
    if not name.strip():
        raise FixtureError("a fixture folder path is blank")
    if Path(name).is_absolute():
        raise FixtureError(f"{name!r} is absolute; give a folder relative to the task file")
    base = task_dir.resolve()
    full = (task_dir / name).resolve()
    if not full.is_relative_to(base):
        raise FixtureError(f"{name!r} resolves to {full}, outside the task's folder {base}")
    if not full.is_dir():
        raise FixtureError(f"{name!r} is not a folder (looked for {full})")
    return full


def scan_fixture_tree(root: Path) -> dict[str, Path]:
    """Every file under `root` by its POSIX path relative to it, checked for escapes.

    Args:
        root: a resolved fixture folder.

    Returns:
        relative path → the real file to read, sorted by path.

    Raises:
        FixtureError: a symlink resolves outside `root`, or the folder is over the limits.
    """
    files: dict[str, Path] = {}
    total = 0
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        for d in list(dirnames):
            link = here / d
            if link.is_symlink():
                _inside(root, link)
                dirnames.remove(d)  # not descended: loops and duplicates stay impossible
        dirnames.sort()
        for f in sorted(filenames):
            entry = here / f
            real = _inside(root, entry) if entry.is_symlink() else entry
            if not real.is_file():
                continue  # a dangling link inside, a socket, a fifo: not served
            rel = PurePosixPath(entry.relative_to(root).as_posix())
            files[str(rel)] = real
            total += real.stat().st_size
            if len(files) > MAX_FIXTURE_FILES:
                raise FixtureError(f"more than {MAX_FIXTURE_FILES} files")
            if total > MAX_FIXTURE_BYTES:
                raise FixtureError(f"more than {MAX_FIXTURE_BYTES // (1024 * 1024)} MB of files")
    return dict(sorted(files.items()))


def _inside(root: Path, link: Path) -> Path:
    real = link.resolve()
    if not real.is_relative_to(root):
        rel = link.relative_to(root).as_posix()
        raise FixtureError(f"{rel!r} is a symlink to {real}, outside the fixture folder")
    return real


def read_fixture_tree(root: Path) -> dict[str, bytes]:
    """Snapshot the whole fixture folder: relative path → bytes (checked as by `scan`)."""
    return {rel: real.read_bytes() for rel, real in scan_fixture_tree(root).items()}
