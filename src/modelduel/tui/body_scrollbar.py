"""A pane body's scrollbar that repaints only the rows whose cells changed.

A streaming answer grows its body by a line several times a second, and each time
Textual's scrollbar repaints all its rows (a whole column of the pane, every row
through Textual's line styling: 1-2 ms a repaint, about a fifth of a frame's paint at
three panes of 100 tokens/s). The thumb's ends move by a row or an eighth of one; the
track above and below it stays as it was. Here a repaint the scrollbar asks for itself
(its position, thumb or window changed) draws the bar first and refreshes only the
rows that differ from what was painted; anything else (a new size, a style or theme
change, a region given) repaints as Textual does.
"""

from __future__ import annotations

from typing import Self

from rich.segment import Segment
from textual.geometry import Region
from textual.scrollbar import ScrollBar

__all__ = ["BodyScrollBar"]

_Rows = list[tuple[Segment, ...]]


class BodyScrollBar(ScrollBar):
    """A vertical `ScrollBar` whose own repaints cover the changed rows only."""

    def __init__(self, *, thickness: int) -> None:
        super().__init__(vertical=True, name="vertical", thickness=thickness)
        self._painted: tuple[object, _Rows] | None = None  # (what they depend on, rows)

    def refresh(
        self,
        *regions: Region,
        repaint: bool = True,
        layout: bool = False,
        recompose: bool = False,
    ) -> Self:
        """Repaint the rows that changed when nothing but the bar's figures did."""
        if regions or layout or recompose or not repaint or not self._can_compare():
            self._painted = None  # what is painted is no longer known row by row
            return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)
        key = self._depends_on()
        rows = self._rows()
        painted, self._painted = self._painted, (key, rows)
        if painted is None or painted[0] != key or len(painted[1]) != len(rows):
            return super().refresh()
        width = self.size.width
        changed = [y for y, row in enumerate(rows) if row != painted[1][y]]
        if changed:
            super().refresh(*(Region(0, y, width, 1) for y in changed))
        return self

    def _can_compare(self) -> bool:
        return self.is_mounted and self.parent is not None and self.size.area > 0

    def _depends_on(self) -> object:
        """What the painted rows depend on besides the cells `render` gives: the size,
        and the bar's own styles (a tint or opacity Textual applies when it paints)."""
        return (self.size, self.styles._cache_key)

    def _rows(self) -> _Rows:
        """The bar's rows as Rich draws them (cheap: a few segments a row)."""
        console = self.app.console
        width, height = self.size
        options = console.options.update_dimensions(width, height)
        return [tuple(line) for line in console.render_lines(self.render(), options)]
