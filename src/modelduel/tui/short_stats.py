"""A pane's stats folded to one line, for a short terminal (the duel screen's `-short`).

The stylesheet decides: under the `-short` breakpoint it gives the stats line a
`max-height` of 1, and the pane, seeing it, folds its three lines (timings; tokens,
cost, rate; score) and any checks or judge lines into one, the score first: a line
cut at the pane's width loses the sparkline, never the score.
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

__all__ = ["fold_stats", "folds_to_one_line"]

SCORE_LINE = 2
"""The index of the score line in the pane's stats (after the timings and the tokens)."""


def folds_to_one_line(widget: Widget) -> bool:
    """The widget's CSS gives it a single line (`max-height: 1`)."""
    room = widget.styles.max_height
    return room is not None and room.is_cells and room.value <= 1


def fold_stats(text: Text) -> Text:
    """The stats lines as one: the score line, then the others in order, ` · ` between."""
    lines = text.split("\n")
    if len(lines) <= SCORE_LINE:
        return text
    parts = [lines[SCORE_LINE], *lines[:SCORE_LINE], *lines[SCORE_LINE + 1 :]]
    line = Text(no_wrap=True, overflow="ellipsis")
    for i, part in enumerate(parts):
        if i:
            line.append(" · ", "dim")
        line.append_text(part)
    return line
