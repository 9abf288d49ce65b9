"""The suite screen's runs-needed hint, read from the results CSV off the UI loop."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from modelduel.core.suite_hints import suite_command, suite_hints
from modelduel.errors import CsvError
from modelduel.storage import read_rows

if TYPE_CHECKING:
    from modelduel.tui.app import ModelduelApp

__all__ = ["load_suite_hints"]


async def load_suite_hints(app: ModelduelApp, *, announce: bool = False) -> None:
    """Recompute `app.suite_hints` from the CSV in a thread; `announce` lists them once."""
    path, tasks = app.settings.csv_path, app.settings.tasks

    def compute() -> dict[str, str]:
        rows = read_rows(path) if path.exists() else []
        return suite_hints(rows, tasks, suite_command(tasks, path))

    try:
        hints = await asyncio.to_thread(compute)
    except (CsvError, OSError):
        return  # a CSV that cannot be read is reported where it is written
    app.suite_hints = hints
    if announce and hints:
        app.notify("\n".join(hints.values()), title="Not separated yet", timeout=12)
    app.update_status()
