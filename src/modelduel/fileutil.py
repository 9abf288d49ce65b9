"""Writing whole files safely: a reader never sees half a file."""

from __future__ import annotations

import os
from pathlib import Path

from modelduel.errors import ModelduelError

__all__ = ["write_export", "write_text_atomic"]


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
        ModelduelError: the directory does not exist, the path is a directory, or the
            write fails; one line naming the path.
    """
    if path.is_dir():
        raise ModelduelError(f"{path}: is a directory; pass a file path")
    if not path.parent.is_dir():
        raise ModelduelError(
            f"{path}: the directory {path.parent} does not exist; create it or pick another path"
        )
    try:
        write_text_atomic(path, text, make_parents=False)
    except OSError as exc:
        raise ModelduelError(f"{path}: cannot write ({exc.strerror or exc})") from None
