"""Writing whole files safely: a reader never sees half a file."""

from __future__ import annotations

import os
from pathlib import Path

from modelduel.errors import ModelduelError

__all__ = ["missing_directory", "write_export", "write_text_atomic"]


def write_text_atomic(path: Path, text: str, *, make_parents: bool = True) -> None:
    """Write `text` to `path` through a temp file and a rename.

    Args:
        path: the file.
        text: its whole new content.
        make_parents: create missing parent directories (the config directory); exports
            refuse instead, as `--csv` does, so a typo in a path is not a new directory.

    Raises:
        OSError: the file or its directory cannot be written; callers word it for the user.
    """
    if make_parents:
        path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def write_export(path: Path, text: str) -> None:
    """Write an export (`-o`, `--export`, `--export-litellm`) the way `--csv` is checked.

    Raises:
        ModelduelError: the directory does not exist (or is a file), the path is a
            directory, or the write fails; one line naming the path.
    """
    if path.is_dir():
        raise ModelduelError(f"{path}: is a directory; pass a file path")
    if not path.parent.is_dir():
        raise ModelduelError(f"{path}: {missing_directory(path.parent)}")
    try:
        write_text_atomic(path, text, make_parents=False)
    except OSError as exc:
        raise ModelduelError(f"{path}: cannot write ({exc.strerror or exc})") from None


def missing_directory(parent: Path) -> str:
    """Why ``parent`` is no directory: missing, or a file where a directory should be.

    The words of every path check (`--csv`, exports), after the path and a colon.
    """
    ancestor = parent
    while not ancestor.exists() and ancestor.parent != ancestor:
        ancestor = ancestor.parent
    if ancestor.exists() and not ancestor.is_dir():
        return f"{ancestor} is a file, not a directory; pick another path"
    return f"the directory {parent} does not exist; create it or pick another path"
