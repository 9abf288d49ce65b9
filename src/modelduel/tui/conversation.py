"""A pane's conversation: earlier turns folded to a line each, tool calls as they happen.

The body shows the current turn (its answer with a folded line per answered tool call,
from `core.turns.RunTimeline`); above it, one line per earlier turn; below it, the calls
going on now, their arguments as they stream (`▸ read_file src/tokens.py:1-4 …`).

Blind and veiled (a run of the duel still going), none of it changes: a tool line or a
turn appearing in one pane first would tell the fast model from the slow one, exactly as
its text would. Nothing here names a model or shows a figure.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, TypeVar

from rich.text import Text
from textual.widgets import Static

from modelduel.display import sanitize_terminal
from modelduel.tui.tcss import read_tcss

if TYPE_CHECKING:
    from modelduel.core.meter import StreamText
    from modelduel.core.metrics import StreamStats
    from modelduel.core.turns import RunTimeline
    from modelduel.tui.pane import ResponsePane

__all__ = ["ConversationLines", "shown_stats"]


Shown = TypeVar("Shown", "StreamStats", "StreamText")


def shown_stats(stats: Shown, timeline: RunTimeline | None) -> Shown:
    """The figures with the text a pane's body shows: the current turn's document
    (its answer and tool lines) and reasoning; the figures stay the whole run's.
    (Or the texts alone, `StreamText`: the frame pacer's draw.)"""
    if timeline is None or (len(timeline.turns) == 1 and not timeline.turn.tool_calls):
        return stats  # a plain answer: the meter's text is the document
    turn = timeline.turn
    return replace(stats, text=turn.document(), reasoning_text=turn.reasoning())


class _Lines(Static):
    """Lines that repaint only when they change; hidden while empty."""

    DEFAULT_CSS = read_tcss("conversation-lines.tcss")

    def __init__(self, classes: str) -> None:
        super().__init__(classes=classes)
        self.lines: list[str] = []

    def show_lines(self, lines: list[str]) -> None:
        """Show `lines` (model text: sanitized, never markup)."""
        if lines == self.lines:
            return
        self.lines = lines
        self.display = bool(lines)
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("\n".join(sanitize_terminal(line) for line in lines))
        self.update(text)


class ConversationLines:
    """The folded turns (above a pane's body) and the live tool calls (below it)."""

    def __init__(self) -> None:
        self.folded = _Lines("pane-turns")
        self.live = _Lines("pane-calls")
        self._seen: tuple[int, int, int] | None = None  # (generation, turns, version)

    def update(self, pane: ResponsePane, timeline: RunTimeline | None, veiled: bool) -> None:
        """Bring the lines up to date; a new turn (or a re-run of one) resets the body.

        Veiled, nothing changes (see the module docstring).
        """
        if timeline is None or veiled:
            return
        key = (timeline.generation, len(timeline.turns), timeline.version)
        if key == self._seen:
            return
        before = self._seen
        if before is not None and before[:2] != key[:2]:
            pane.reset()  # the body shows the current turn only: start it afresh
        self._seen = key
        self.folded.show_lines(timeline.folded_lines())
        self.live.show_lines(timeline.live_lines())

    def reset(self) -> None:
        """A fresh run in the pane."""
        self._seen = None
        self.folded.show_lines([])
        self.live.show_lines([])
