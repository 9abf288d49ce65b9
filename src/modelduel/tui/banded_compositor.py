"""A compositor whose partial repaint renders only the lines that changed.

Textual's `Compositor.render_partial_update` crops a repaint to the box around *all*
the dirty regions of a frame, then asks every widget overlapping that box for *all* of
its lines (`render_lines` of its whole visible region), and keeps only the dirty lines.
On the duel screen one frame typically dirties a pane's header (its top line), a line or
two of its body and its stats (its bottom lines), in three panes side by side: the box is
the whole pane grid, and the screen, the grid, every pane, border, body and line widget
render their full height, some 19 widgets x 40 lines, to show a handful of lines. That
was the largest part of the app's CPU while models stream (~13 ms a repaint, 30 a
second, at 3 x 100 tok/s).

Here each widget is asked only for the dirty lines where a chop it owns is shown and
not covered by a widget in front of it (whole lines: `_render_chops` places a widget's
strip at the widget's left edge). What reaches the terminal is the same: the same
spans, and for each of their lines the same topmost widget's strip
(`tests/test_banded_compositor.py` compares it with Textual's own rendering).

Written against Textual 8.2's `_compositor.py` (`_get_renders`, `_render_chops`,
`render_partial_update`); the test pins the installed version's behaviour, so a Textual
that changes them fails there first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from itertools import pairwise
from typing import TYPE_CHECKING, cast

from textual._compositor import ChopsUpdate, Compositor
from textual.geometry import Region
from textual.strip import Strip

if TYPE_CHECKING:
    from textual.widget import Widget

__all__ = ["BandedCompositor"]


Spans = Mapping[int, Sequence[tuple[int, int]]]
"""For each line to repaint, the column ranges `(x1, x2)` of its dirty spans."""

# A chop that starts exactly where a span ends is only a cursor move in Textual's output
# (`ChopsUpdate` moves there and stops before its first cell): any strip draws the same.
_MOVE_ONLY = Strip([])
_NOT_SHOWN: Mapping[int, Strip] = {}  # a line no span repaints: never read


def _runs(lines: list[int], gap: int = 2) -> list[tuple[int, int]]:
    """`lines` (ascending) as ranges `(top, bottom)`, a gap of up to `gap` lines bridged:
    a widget renders a range at once, and a call costs more than a few lines."""
    runs: list[tuple[int, int]] = []
    for line in lines:
        if runs and line - runs[-1][1] <= gap:
            runs[-1] = (runs[-1][0], line + 1)
        else:
            runs.append((line, line + 1))
    return runs


class BandedCompositor(Compositor):
    """`Compositor` rendering a partial update line by line, each widget only where shown."""

    def _shown_parts(self, crop: Region) -> Iterator[tuple[Widget, Region, Region]]:
        """Each visible widget front to back with its region and its part inside `crop`'s
        rows (at the widget's full visible width), when it has one."""
        rows = Region(0, crop.y, self.size.width, crop.height)
        for widget, (region, clip) in self.visible_widgets.items():
            if crop.overlaps(clip):
                part = region.intersection(clip).intersection(rows)
                if part.width and part.height:
                    yield widget, region, part

    def _render_chops(
        self, crop: Region, is_rendered_line: Callable[[int], bool]
    ) -> Sequence[Mapping[int, Strip]]:
        """As Textual's (a full repaint), but a widget is rendered only on the lines where
        a chop it owns is still open: widgets come front to back and the first strip for
        a cut wins, so a container whose lines its children cover is not rendered."""
        cuts = self.cuts
        chops: list[dict[int, Strip | None]] = [dict.fromkeys(cut_set[:-1]) for cut_set in cuts]
        for widget, region, (x, y, width, height) in self._shown_parts(crop):
            last_x = x + width
            wanted = [
                line
                for line in range(y, y + height)
                if is_rendered_line(line)
                and any(chops[line][cut] is None for cut in cuts[line][:-1] if x <= cut < last_x)
            ]
            for top, bottom in _runs(wanted):
                strips = widget.render_lines(
                    Region(x - region.x, top - region.y, width, bottom - top)
                )
                for line, strip in zip(range(top, bottom), strips, strict=False):
                    if is_rendered_line(line):
                        _place(chops[line], cuts[line], x, last_x, strip)
        return cast("Sequence[Mapping[int, Strip]]", chops)

    def _render_span_chops(self, crop: Region, spans: Spans) -> dict[int, dict[int, Strip]]:
        """The chops of the lines of `crop` that `spans` repaint, a widget rendered only
        where its strip is shown.

        Widgets come front to back and the first strip for a cut wins, so a container
        whose lines are all covered by its children (the screen, the pane grid) was
        rendered only to be thrown away. Here a widget is asked only for the lines where
        a chop it owns is still open and is one the update shows (it overlaps a dirty
        span of that line): a pane's scrollbar or border is not rendered for a changed
        line of its body, nor a pane's body for another pane's stats line. A chop that
        only touches a span's end gets `_MOVE_ONLY`; the others stay None, which
        `ChopsUpdate` skips. Only the repainted lines are looked at (Textual's builds
        every line of the screen for each crop).
        """
        cuts = self.cuts
        chops: dict[int, dict[int, Strip | None]] = {}
        shown: dict[int, list[int]] = {}  # per line: the cuts of the chops shown
        for line in sorted(spans):
            if not crop.y <= line < crop.bottom:
                continue
            ranges = spans[line]
            line_cuts = cuts[line]
            chops_line = chops[line] = dict.fromkeys(line_cuts[:-1])
            shown_line = shown[line] = []
            for cut, end in pairwise(line_cuts):
                if any(cut < x2 and end > x1 for x1, x2 in ranges):
                    shown_line.append(cut)
                elif any(cut == x2 for _, x2 in ranges):
                    chops_line[cut] = _MOVE_ONLY
        lines = list(chops)
        for widget, region, (x, y, width, height) in self._shown_parts(crop):
            last_x = x + width
            wanted = [
                line
                for line in lines
                if y <= line < y + height
                and any(x <= cut < last_x and chops[line][cut] is None for cut in shown[line])
            ]
            for top, bottom in _runs(wanted):
                strips = widget.render_lines(
                    Region(x - region.x, top - region.y, width, bottom - top)
                )
                for line, strip in zip(range(top, bottom), strips, strict=False):
                    if line in chops:  # not a gap bridged by `_runs`
                        _place(chops[line], cuts[line], x, last_x, strip)
        return cast("dict[int, dict[int, Strip]]", chops)

    def render_partial_update(self) -> ChopsUpdate | None:
        """Render the dirty lines only, and on each line only the widgets whose strips
        the update shows."""
        screen_region = self.size.region
        update_regions = self._dirty_regions.copy()
        self._dirty_regions.clear()
        if not update_regions:
            return None
        spans = list(self._regions_to_spans(update_regions))
        by_line: dict[int, list[tuple[int, int]]] = {}
        for y, x1, x2 in spans:
            by_line.setdefault(y, []).append((x1, x2))
        cuts = self.cuts
        # `ChopsUpdate` reads the chops and ends of the spans' lines only
        chops: list[Mapping[int, Strip]] = [_NOT_SHOWN] * len(cuts)
        chop_ends: list[list[int]] = [[] for _ in cuts]
        # the columns of Textual's one crop (so the same widgets take part); the rows are
        # the spans' lines, each widget asked for its own among them in one pass
        crop = Region.from_union(list(update_regions)).intersection(screen_region)
        if not crop:
            return None
        for line, chops_line in self._render_span_chops(crop, by_line).items():
            chops[line] = chops_line
            chop_ends[line] = cuts[line][1:]
        return ChopsUpdate(cast_chops(chops), spans, chop_ends)


def _place(
    chops_line: dict[int, Strip | None], line_cuts: list[int], x: int, last_x: int, strip: Strip
) -> None:
    """A widget's strip for one line (columns `x` to `last_x`) cut at the line's cuts,
    each piece kept where no widget in front of it put one already."""
    final_cuts = [cut for cut in line_cuts if last_x >= cut >= x]
    pieces = strip.divide([cut - x for cut in final_cuts[1:]])
    for cut, piece in zip(final_cuts, pieces, strict=False):
        if chops_line.get(cut) is None:
            chops_line[cut] = piece


def cast_chops(chops: list[Mapping[int, Strip]]) -> Sequence[Mapping[int, Strip]]:
    """The chops as `ChopsUpdate` takes them."""
    return chops
