"""Where each line of a pane's body is: the reasoning head, the answer's blocks, the tail.

`BodyLines` maps a line number to a drawn line (blank for a block not drawn yet), keeps
each block's first line as prefix sums recomputed from the first block whose height
changed, draws the blocks that come into view and drops those far from it. It holds no
widget state: what is in view, what repaints and how the view follows the stream are the
widget's (`tui.stream_markdown.PaneBody`); drawing a block is `tui.answer_lines`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable

from textual.strip import Strip

from modelduel.tui.answer_lines import AnswerLines

__all__ = ["KEEP_SCREENS", "BodyLines"]

KEEP_SCREENS = 2
"""Drawn blocks more than this many view heights away from the view are dropped."""


class BodyLines:
    """The body's lines: `head` (reasoning), the answer's finished blocks, `tail`.

    Args:
        answer: the answer's blocks (drawn lazily, or kept).
        blank: a blank line at the body's width and style.
    """

    def __init__(self, answer: AnswerLines, blank: Callable[[], Strip]) -> None:
        self.answer = answer
        self._blank = blank
        self.head: list[Strip] = []  # the reasoning header, reasoning and the blank after
        self.starts: list[int] = []  # each block's first line, below the head
        self.tail: list[Strip] = []  # the unfinished block's lines (or a notice)
        self.height = 0  # every line, as last indexed

    def tail_at(self) -> int:
        """The first line of the unfinished block, as last indexed."""
        answer, starts = self.answer, self.starts
        if not starts or not answer.block_count:
            return len(self.head)
        last = len(starts) - 1
        return len(self.head) + starts[last] + answer.heights[last] + 1

    def first_changed(self, old_tail_at: int, old_tail: list[Strip]) -> int:
        """The first line that differs from what was drawn, when only the tail changed
        since it started at `old_tail_at` with the lines `old_tail`."""
        if self.tail_at() == old_tail_at:
            # an open fence's kept lines are the very same objects, so a long fence is
            # skipped by identity
            same = 0
            for old_line, new_line in zip(old_tail, self.tail, strict=False):
                if old_line is not new_line and old_line != new_line:
                    break
                same += 1
            return old_tail_at + same
        changed_from = old_tail_at  # a block finished: its lines were the old tail's
        for line in old_tail:
            if changed_from >= self.height or self.line_at(changed_from) != line:
                break
            changed_from += 1
        return changed_from

    def index(self) -> None:
        """Where each block starts, recomputed from the first block whose height changed."""
        answer = self.answer
        starts, heights = self.starts, answer.heights
        first = min(answer.first_changed, len(starts))
        del starts[first:]
        y = starts[-1] + heights[len(starts) - 1] + 1 if starts else 0
        for index in range(len(starts), answer.block_count):
            starts.append(y)
            y += heights[index] + 1  # the blank line between blocks
        answer.first_changed = answer.block_count
        self.height = len(self.head) + y + len(self.tail)

    def draw_in_view(self, top: int, view: int) -> None:
        """Draw the blocks in a view of `view` lines from `top`; drop those far from it."""
        answer = self.answer
        for _ in range(4):  # drawing corrects heights, which can move what is in view
            following_end = top >= self.height - view
            first = bisect_right(self.starts, top - len(self.head)) - 1
            index = max(0, first)
            bottom = top + view
            drew = False
            while index < answer.block_count:
                if len(self.head) + self.starts[index] >= bottom:
                    break
                if not answer.is_drawn(index):
                    answer.block(index)
                    drew = True
                index += 1
            if not drew:
                break
            self.index()
            if not following_end:
                break
            top = min(top, max(0, self.height - view))
        keep = KEEP_SCREENS * view
        for index in list(answer.live):
            start = len(self.head) + self.starts[index]
            if start + answer.heights[index] < top - keep or start > top + view + keep:
                answer.drop(index)

    def line_at(self, index: int, draw: bool = False) -> Strip:
        """Line `index`; a block not drawn is blank unless `draw`."""
        head = self.head
        if index < len(head):
            return head[index]
        y = index - len(head)
        answer = self.answer
        block = bisect_right(self.starts, y) - 1
        if block >= 0:
            offset = y - self.starts[block]
            height = answer.heights[block]
            if offset < height:
                if not draw and not answer.is_drawn(block):
                    return self._blank()
                lines = answer.block(block)
                return lines[offset] if offset < len(lines) else self._blank()
            if offset == height:
                return self._blank()  # between blocks
        blocks_end = self.starts[-1] + answer.heights[-1] + 1 if self.starts else 0
        tail = y - blocks_end
        return self.tail[tail] if 0 <= tail < len(self.tail) else self._blank()
