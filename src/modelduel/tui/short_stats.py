"""A pane's stats folded to one line, for a short terminal (the duel screen's `-short`).

The stylesheet decides: under the `-short` breakpoint it gives the stats line a
`max-height` of 1, and the pane, seeing it, folds its three lines (timings; tokens,
cost, rate; score) and any checks or judge lines into one, the score first: a line
cut at the pane's width loses the sparkline, never the score.

Each line is a row of figures, each with how long it is kept: a line wider than the
pane drops its least kept figures whole ("useful 3.…" and "160…" were cut mid-number
at 80 columns); only a first figure alone too wide for the pane is still cut.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.widget import Widget

__all__ = ["Figure", "fit_line", "fold_figures", "folds_to_one_line"]


@dataclass(frozen=True)
class Figure:
    """One figure of a stats line; `keep` higher is dropped later, `sep` goes before it."""

    text: Text
    keep: int = 0
    sep: str = "  "


def fit_line(figures: Sequence[Figure], width: int) -> Text:
    """The figures on one line, the least kept dropped (the later first) until it fits."""
    kept = list(figures)

    def wide(parts: list[Figure]) -> int:
        return sum(f.text.cell_len + (len(f.sep) if i else 0) for i, f in enumerate(parts))

    while len(kept) > 1 and wide(kept) > width:
        drop = min(range(1, len(kept)), key=lambda i: (kept[i].keep, -i))
        del kept[drop]
    line = Text(no_wrap=True, overflow="ellipsis")
    for i, figure in enumerate(kept):
        if i:
            line.append(figure.sep, "dim" if figure.sep.strip() else "")
        line.append_text(figure.text)
    return line


def fold_figures(lines: Sequence[Sequence[Figure]]) -> list[Figure]:
    """The lines as one row: the score line first, ` · ` before each other line."""
    if len(lines) <= SCORE_LINE:
        return [f for line in lines for f in line]
    order = [lines[SCORE_LINE], *lines[:SCORE_LINE], *lines[SCORE_LINE + 1 :]]
    row: list[Figure] = []
    for n, line in enumerate(order):
        for i, figure in enumerate(line):
            row.append(Figure(figure.text, figure.keep, " · " if n and not i else figure.sep))
    return row


SCORE_LINE = 2
"""The index of the score line in the pane's stats (after the timings and the tokens)."""


def folds_to_one_line(widget: Widget) -> bool:
    """The widget's CSS gives it a single line (`max-height: 1`)."""
    room = widget.styles.max_height
    return room is not None and room.is_cells and room.value <= 1
