"""What the app is given: its settings (command line and config) and its duel runner."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.theme import Theme

    from modelduel.config import Config, ResolvedModel
    from modelduel.tasks import Task
    from modelduel.tui.duelview import DuelView

__all__ = ["AppSettings", "Runner"]


@dataclass
class AppSettings:
    """Everything the app needs from the command line and config.

    Attributes:
        config: the loaded config.
        models: the resolved lineup.
        csv_path: the results CSV (always shown in the status bar).
        blind: start in blind mode.
        theme: the theme name to start with.
        themes: extra themes to register (shipped, user, --themes).
        theme_problems: bad theme files, shown once as a notice.
        banner: a line to show on top (demo mode), or "".
        env: the environment the runs see (demo mode points it at the simulator).
        save_theme: called with the theme name when the user picks one.
        recorded: recorded duels to open instead of a prompt (`modelduel score`).
        tasks: a task suite to step through (`modelduel suite`), in order.
        history: duels already in the CSV, listed in the history (not opened).
        history_notes: what reading them found wrong (a transcript's bad line), told at start.
        after_first_frame: called once the first frame is painted (the demo simulator's
            start: what the first frame does not need waits for it).
    """

    config: Config
    models: list[ResolvedModel]
    csv_path: Path
    blind: bool = False
    theme: str = "modelduel-dark"
    themes: tuple[Theme, ...] = ()
    theme_problems: tuple[str, ...] = ()
    banner: str = ""
    env: dict[str, str] | None = None
    save_theme: Callable[[str], None] | None = None
    recorded: tuple[DuelView, ...] = ()
    tasks: tuple[Task, ...] = ()
    history: tuple[DuelView, ...] = ()
    history_notes: tuple[str, ...] = ()
    after_first_frame: tuple[Callable[[], None], ...] = ()


class Runner:
    """What the app needs from a duel runner (the child-process one, or a fake in tests)."""

    async def open(self) -> None:
        """Get ready."""

    async def start(self, plans: list[object]) -> None:
        """Start runs."""

    async def cancel(self, run_id: str) -> None:
        """Cancel one run."""

    async def cancel_all(self) -> None:
        """Cancel every run."""

    async def aclose(self) -> None:
        """Stop."""
