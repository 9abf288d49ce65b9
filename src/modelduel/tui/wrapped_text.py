"""Plain text that grows, wrapped as it grows, and the text of a drawn line.

The body's reasoning and its raw view are plain text: `WrappedText` keeps their finished
lines drawn and draws only the unfinished last one again; `reasoning_head` puts the
reasoning's fold line above it. Markdown is not here
(`tui.markdown_blocks`, `tui.answer_lines`).
"""

from __future__ import annotations

from collections.abc import Callable

from rich.console import RenderableType
from rich.segment import Segment
from rich.text import Text
from textual.strip import Strip

__all__ = ["WrappedText", "reasoning_head", "strip_text"]


class WrappedText:
    """Plain text that grows, wrapped incrementally: finished lines are drawn once.

    Rich wraps each line of a `Text` on its own, so drawing the text up to its last
    newline in pieces, then the unfinished last line, gives the lines drawing it whole
    gives (a test checks).
    """

    def __init__(self, draw: Callable[[str], list[Strip]]) -> None:
        self._draw = draw
        self.text = ""
        self._kept: list[Strip] = []
        self._kept_end = 0  # where the first line not in `_kept` starts
        self._last: list[Strip] = []

    def update(self, text: str) -> None:
        """The text so far (a text that does not extend the last one starts over)."""
        if not text.startswith(self.text):
            self.reset()
        if text == self.text and (self._last or not text):
            return
        self.text = text
        newline = text.rfind("\n")
        if newline >= self._kept_end:
            self._kept.extend(self._draw(text[self._kept_end : newline]))
            self._kept_end = newline + 1
        self._last = self._draw(text[self._kept_end :]) if text else []

    def reset(self) -> None:
        """Forget the text (a new width or style draws it again on the next update)."""
        self.text = ""
        self._kept = []
        self._kept_end = 0
        self._last = []

    @property
    def lines(self) -> list[Strip]:
        """Every line."""
        return self._kept + self._last if self._last else self._kept

    def __len__(self) -> int:
        return len(self._kept) + len(self._last)

    def line(self, index: int) -> Strip:
        """One line (an index within `len`)."""
        kept = len(self._kept)
        return self._kept[index] if index < kept else self._last[index - kept]


def strip_text(strip: Strip) -> str:
    """The plain text of a drawn line."""
    return "".join(segment.text for segment in strip if isinstance(segment, Segment))


def reasoning_head(
    reasoning: WrappedText,
    folded: bool,
    draw: Callable[[RenderableType], list[Strip]],
    blank: Strip,
) -> list[Strip]:
    """The reasoning's lines above an answer: its fold line (`h` folds), the reasoning
    unless folded, and a blank line; none without reasoning."""
    if not reasoning.text:
        return []
    fold = "▶" if folded else "▼"
    count = len(reasoning)
    noun = "line" if count == 1 else "lines"
    header = Text(
        f"{fold} reasoning (h) · {count} {noun}", style="dim", no_wrap=True, overflow="ellipsis"
    )
    lines = draw(header)
    if not folded:
        lines.extend(reasoning.lines)
    lines.append(blank)
    return lines
