"""The task panel: what the panes are scored against, above them.

Suite tasks show their title, their prompt (folded to a few lines: the context
files can be long) and their success criteria and output format in full. A duel
reopened from history shows the prompt it was sent. `p` cycles the panel through
open, prompt unfolded, and folded to its title line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from modelduel.display import sanitize_terminal
from modelduel.tui.tcss import read_tcss

__all__ = ["TaskInfo", "TaskPanel"]

PROMPT_LINES = 3
"""Lines of the prompt shown while it is folded."""


@dataclass(frozen=True)
class TaskInfo:
    """What the panel shows.

    Attributes:
        title: the task's id and title, or "Prompt" for an ad-hoc duel.
        prompt: the prompt as sent (without the criteria and format when they are known).
        criteria: the success criteria, in order (empty for ad-hoc duels).
        output_format: the required output format, or "".
    """

    title: str
    prompt: str
    criteria: Sequence[str] = ()
    output_format: str = ""


class TaskPanel(VerticalScroll, can_focus=False):
    """The task of the duel on screen; hidden when there is none to show."""

    DEFAULT_CSS = read_tcss("task-panel.tcss")
    STATES: ClassVar[tuple[str, ...]] = ("open", "full", "folded")

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._info: TaskInfo | None = None
        self.state = "open"
        self._text = Static(classes="task-text")

    def compose(self) -> ComposeResult:
        """One block of text."""
        yield self._text

    def show_task(self, info: TaskInfo | None) -> None:
        """Show a task (None hides the panel)."""
        self._info = info
        self.display = info is not None
        self._render_info()

    def cycle(self) -> str:
        """Open -> prompt unfolded -> folded -> open; returns the new state."""
        self.state = self.STATES[(self.STATES.index(self.state) + 1) % len(self.STATES)]
        self._render_info()
        return self.state

    @property
    def shown_text(self) -> str:
        """The panel's text as drawn (for tests and the screen reader)."""
        return self._content().plain

    def _render_info(self) -> None:
        self._text.update(self._content())

    def _content(self) -> Text:
        info = self._info
        text = Text()
        if info is None:
            return text
        text.append(sanitize_terminal(info.title), "bold")
        if self.state == "folded":
            text.append("  (p unfolds)", "dim")
            return text
        lines = sanitize_terminal(info.prompt.strip()).splitlines()
        text.append("  (p: more / fold)\n", "dim")
        if self.state == "open" and len(lines) > PROMPT_LINES:
            shown = lines[:PROMPT_LINES]
            text.append("\n".join(shown))
            text.append(f"\n… {len(lines) - PROMPT_LINES} more lines (p unfolds)", "dim")
        else:
            text.append("\n".join(lines))
        if info.criteria:
            text.append("\nSuccess criteria:", "bold")
            for i, criterion in enumerate(info.criteria, 1):
                text.append(f"\n  {i}) {sanitize_terminal(criterion.strip())}")
        if info.output_format:
            text.append("\nOutput format: ", "bold")
            text.append(sanitize_terminal(info.output_format.strip()))
        return text
