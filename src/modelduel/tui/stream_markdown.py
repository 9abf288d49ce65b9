"""A pane's body: reasoning and a markdown answer that render as they stream, cheaply.

One scroll view drawn line by line (Textual's line API, as its `Log` uses), not a
`Markdown` widget per answer or block: every change of a widget's height is a layout of
the whole screen (450-850 ms loop stalls at p99, three panes at 200 tokens/s). Growing
changes the view's virtual size, not the screen's layout. This module is the widget: what
is in view, what repaints, how the view follows the stream. Beside it: `body_lines` (which
line is where), `answer_lines` (blocks kept or drawn lazily, an open fence in kept
chunks), `markdown_blocks` (the incremental splitter, one parser), `wrapped_text`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from rich.console import ConsoleOptions, RenderableType
from rich.style import Style
from rich.text import Text
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.strip import Strip

from modelduel.tui.answer_lines import AnswerLines
from modelduel.tui.body_lines import BodyLines
from modelduel.tui.body_scrollbar import BodyScrollBar
from modelduel.tui.markdown_blocks import _FENCES
from modelduel.tui.tcss import read_tcss
from modelduel.tui.wrapped_text import WrappedText, reasoning_head

if TYPE_CHECKING:
    from textual.timer import Timer

__all__ = ["BEHIND_SCREENS", "CREEP_S", "PaneBody"]

BEHIND_SCREENS = 3
"""Following, a pane scrolls no further than its first line not yet shown (so every line is
in view at least once) unless this many view heights of lines wait below the view: then it
is behind (lines come faster than frames) and jumps to the newest line."""
CREEP_S = 0.05
"""A pane that crept (lines still below the view) scrolls on after this long, arrivals or not."""

_paint_clock: Callable[[], float] = time.perf_counter
"""The clock the body's paint is timed with (a test replaces it)."""


class PaneBody(ScrollView, can_focus=False):
    """Reasoning (dimmed, foldable) above the answer, drawn from kept lines.

    Only the blocks in view are drawn (a block scrolled past while a pane floods is never
    drawn until it is scrolled back to), and blocks far out of view drop their lines, so
    the work per frame and the memory follow what is visible, not the answer's length.
    """

    # The scrollbar is always there: one appearing mid-stream would be a relayout.
    DEFAULT_CSS = read_tcss("pane-body.tcss")
    COMPONENT_CLASSES: ClassVar[set[str]] = {"pane-body--reasoning"}  # the theme's $reasoning

    def __init__(self) -> None:
        super().__init__()
        self.reasoning = ""
        self._reasoning_folded = False
        self.show_raw = False
        self.notice_text = ""  # shown instead of an answer (an error with no text)
        self._answer = AnswerLines(
            self._draw, lambda: Strip.blank(self._width, self._style), self._estimate
        )
        self._answer.lazy = True
        self._pending = ""  # the answer as last given; drawn on the next rebuild
        self._reasoning_text = WrappedText(self._draw_reasoning)
        self._raw_text = WrappedText(self._draw_plain)
        self._lines = BodyLines(self._answer, self._blank)
        self._height = 0
        self._height_drawn = 0  # the height when lines were last repainted
        self._was_following = True  # the last rebuild followed the stream
        self._user_moved = False  # the user scrolled since the last rebuild
        self._scrolling = False  # following is scrolling the view (not the user)
        self._floor = 0  # following: the view's bottom after the last jump (blank below text)
        self.follow = True
        """Keep the newest text in view. Off for an answer shown whole (a recorded run):
        it is read from its start."""
        self._shown_to = 0  # following: the first line not yet painted (see `render_line`)
        self._live = True
        self._catch_up_timer: Timer | None = None
        self._width = -1
        self._style = Style()
        self._style_key: tuple[int, ...] = ()  # the styles' versions `_rich_style` is of
        self._rich_style = Style()
        self._options: tuple[int, ConsoleOptions] | None = None  # (width, options)
        self._dirty_reasoning = self._dirty_tail = True
        self._paint_s = 0.0  # the compositor's time in this body since `take_paint_s`

    # -- content ----------------------------------------------------------------------

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        """Textual's, but one that repaints only its changed rows (`BodyScrollBar`)."""
        if self._vertical_scrollbar is None:
            scroll_bar = BodyScrollBar(thickness=self.scrollbar_size_vertical)
            self._vertical_scrollbar = scroll_bar
            scroll_bar.display = False  # as Textual's: shown once the layout says so
            self.app._start_widget(self, scroll_bar)
        return self._vertical_scrollbar

    @property
    def reasoning_folded(self) -> bool:
        """The reasoning shows as its header line only."""
        return self._reasoning_folded

    @reasoning_folded.setter
    def reasoning_folded(self, value: bool) -> None:
        if value != self._reasoning_folded:
            self._reasoning_folded = value
            self._dirty_reasoning = True

    @property
    def cheap(self) -> bool:
        """The unfinished block is drawn as plain text (the pane is over its budget)."""
        return self._answer.cheap_tail

    @cheap.setter
    def cheap(self, value: bool) -> None:
        if value == self._answer.cheap_tail:
            return
        self._answer.cheap_tail = value
        self._dirty_tail = True
        if not value:
            self._answer.unplain()  # blocks in view as markdown again, now
            self._rebuild()  # the tail as markdown again, now
            if self.is_mounted:
                self.refresh()  # a block's markdown may have its plain text's height

    @property
    def live(self) -> bool:
        """The answer is still streaming: the view may creep (see `_rebuild`)."""
        return self._live

    @live.setter
    def live(self, value: bool) -> None:
        if value == self._live:
            return
        self._live = value
        if not value:
            # the stream ended: following, the view goes to the end now, as a finished
            # answer is shown, not one creep step at a time
            self._rebuild()

    def set_answer(self, text: str) -> None:
        """The answer so far (it only grows between resets)."""
        if not text.startswith(self._pending):
            self.reset()
        if text == self._pending:
            return
        self._pending = text
        self._dirty_tail = True
        self._rebuild()

    def set_reasoning(self, text: str) -> None:
        """The reasoning so far."""
        if text != self.reasoning:
            self.reasoning = text
            self._dirty_reasoning = True
            self._rebuild()

    def set_message(self, text: str) -> None:
        """A line shown in place of an answer (an error before any text)."""
        if text != self.notice_text:
            self.notice_text = text
            self._dirty_tail = True
            self._rebuild()

    def toggle_reasoning(self) -> None:
        """Fold or unfold the reasoning."""
        self.reasoning_folded = not self.reasoning_folded
        self._rebuild()

    def toggle_raw(self) -> None:
        """Raw text instead of rendered markdown, or back."""
        self.show_raw = not self.show_raw
        self._rebuild()

    def reset(self) -> None:
        """Forget everything (a re-run)."""
        self._answer.reset()
        self._reasoning_text.reset()
        self._raw_text.reset()
        self.follow = True
        self._was_following = True
        self._pending = ""
        self.reasoning = ""
        self.notice_text = ""
        self._shown_to = 0
        self.reasoning_folded = False
        self._dirty_reasoning = self._dirty_tail = True
        self._rebuild()

    @property
    def drawn_lines(self) -> list[Strip]:
        """Every line of the body (drawing blocks not drawn; tests read the text)."""
        if not self.show_raw:
            for index in range(self._answer.block_count):
                self._answer.block(index)  # exact heights first: estimates move what follows
            self._index()
        return [self._line_at(y, draw=True) for y in range(self._height)]

    @property
    def kept_blocks(self) -> int:
        """How many finished blocks have their lines kept now."""
        return len(self._answer.live)

    # -- drawing ----------------------------------------------------------------------

    def _draw(self, renderable: RenderableType) -> list[Strip]:
        # the width of the last rebuild (which runs on every resize, before it draws)
        width = self._width if self._width > 0 else self._content_width()
        console = self.app.console
        if self._options is None or self._options[0] != width:
            # built once per width: `console.options` asks the terminal's size each time
            self._options = (width, console.options.update_width(width))
        options = self._options[1]
        # padded to the full width and styled once here, so painting a line is a lookup
        rendered = console.render_lines(renderable, options, style=self._style, pad=True)
        return [Strip(line, width) for line in rendered]

    def _draw_reasoning(self, text: str) -> list[Strip]:
        style = self.get_component_rich_style("pane-body--reasoning", partial=True)
        return self._draw(Text(text, style=style))

    def _draw_plain(self, text: str) -> list[Strip]:
        return self._draw(Text(text))

    def _estimate(self, block: str) -> int:
        """A block's height before it is drawn: its lines wrapped at the width."""
        width = max(1, self._content_width())
        lines = block.split("\n")
        height = sum(max(1, -(-len(line) // width)) for line in lines)
        return height + 2 if block.lstrip().startswith(_FENCES) else height

    def _content_width(self) -> int:
        # the scrollbar is always shown (see DEFAULT_CSS), so this width never changes
        # as an answer grows, and kept lines never need re-wrapping
        return max(1, self.scrollable_content_region.width)

    def _body_style(self) -> Style:
        """`rich_style`, computed again only when a style of the body or an ancestor
        changed: it walks every ancestor's styles (0.1 ms, on every rebuild and painted
        line)."""
        key = tuple(node.styles._cache_key for node in self.ancestors_with_self)
        if key != self._style_key:
            self._style_key = key
            self._rich_style = self.rich_style
        return self._rich_style

    def _rebuild(self) -> None:
        if not self.is_mounted:
            return
        region = self.scrollable_content_region
        width = max(1, region.width)
        style = self._body_style()
        view = max(1, region.height)
        top = self.scroll_offset.y
        # at the end, or where the last creep left the view
        at_end = top >= self.max_scroll_y - 1 or (self._floor > 0 and top == self._floor - view)
        # Geometry alone cannot tell a resize from the user: a layout change passes through
        # sizes where Textual clamps the scroll, leaving the view above the end. So the
        # view follows on as it did at the last rebuild unless the user scrolled since;
        # then it follows again once they are back at the end.
        following = self.follow and (at_end if self._user_moved else self._was_following or at_end)
        self._user_moved = False
        self._was_following = following
        # Only the lines that changed are repainted: every repainted line costs Textual
        # tens of microseconds of styling and compositing, a whole pane a frame's budget.
        old_tail_at = self._lines.tail_at()
        old_tail = self._lines.tail
        changed_from = old_tail_at
        if width != self._width or style != self._style:
            self._width = width
            self._style = style
            self._answer.redraw()
            self._reasoning_text.reset()
            self._raw_text.reset()
            self._dirty_reasoning = self._dirty_tail = True
            changed_from = 0
            # the last jump's floor was measured in the old wrapping: kept, it held the
            # view far below a text that re-wrapped shorter (a recorded answer, laid out
            # once at a narrow width, then shown blank at the real one)
            self._floor = 0
        if self._dirty_reasoning:
            self._reasoning_text.update(self.reasoning)
            self._lines.head = reasoning_head(
                self._reasoning_text, self.reasoning_folded, self._draw, self._blank()
            )
            self._dirty_reasoning = False
            changed_from = 0
        if self._dirty_tail:
            if self.notice_text and not self._pending:
                self._lines.tail = self._draw(Text(self.notice_text, style="bold red"))
            else:
                self._answer.update(self._pending)
                self._lines.tail = self._answer.tail_lines
            self._dirty_tail = False
        if self.show_raw:
            self._raw_text.update(self._pending or self.notice_text)
            changed_from = 0
        self._index()
        self._draw_in_view(top, view)
        if changed_from == old_tail_at and not self.show_raw:
            changed_from = self._lines.first_changed(old_tail_at, old_tail)
        moved = self._answer.moved
        if moved < len(self._lines.starts):
            # a block's height was corrected when it was drawn: what follows it moved
            changed_from = min(changed_from, len(self._lines.head) + self._lines.starts[moved])
        self._answer.moved = self._answer.block_count
        height = self._height
        if following and not self._live:
            # the stream has ended: its last line at the view's bottom, as a finished
            # answer is shown, not half a view of blank below it (the jumps' room)
            self._floor = 0
            end_top = max(0, height - view)
            if top != end_top:
                self._draw_in_view(end_top, view)
                self._floor = end_top + view
        elif following and height > top + view:
            # Jump, do not creep: the newest line goes to the middle of the view, so the
            # next half view of lines repaints only themselves, not every line scrolled.
            new_top = height - view + view // 2
            unseen = max(top, self._shown_to)
            if (
                new_top > unseen
                and self._live
                and not self.cheap
                and height - unseen <= BEHIND_SCREENS * view
            ):
                # ... but never past a line the user has not seen: more than half a view
                # arrived since the last frame, so creep by what arrived; only a pane that
                # is behind (lines faster than frames, or flooding) or whose stream has
                # ended skips text.
                new_top = unseen
                self._catch_up_later()
            self._floor = new_top + view
            self._draw_in_view(new_top, view)
        elif not following:
            self._floor = 0
        size = Size(width, max(self._height, self._floor))
        if size != self.virtual_size:
            # `virtual_size` is a layout reactive: assigning it relayouts and repaints the
            # whole screen. Growing a scroll view's content only needs its scrollbar and
            # its own lines redrawn.
            self.set_reactive(PaneBody.virtual_size, size)
            self._scroll_update(size)
        if following and self._floor and self.scroll_offset.y != self._floor - view:
            self._scroll_ours(self._floor - view)
        limit = max(0, max(self._height, self._floor) - view)
        if self.scroll_offset.y > limit:  # the content shrank under the view (re-wrapped)
            self._scroll_ours(limit)
            self._draw_in_view(limit, view)
        new_top = self.scroll_offset.y
        if new_top != top:
            self.refresh()
        elif changed_from < top + view:
            start = max(0, changed_from - top)
            end = min(view, max(self._height, self._height_drawn) - top)
            if end > start:
                # the text's columns only: the scrollbar beside them repaints itself
                # when it changes, and rendering it for every changed line cost as
                # much as the line
                self.refresh(Region(0, start, width, end - start))
        self._height_drawn = self._height

    def _catch_up_later(self) -> None:
        """Scroll on after `CREEP_S` even when no more text arrives (the stream ended)."""
        if self._catch_up_timer is None:
            self._catch_up_timer = self.set_timer(CREEP_S, self._catch_up)

    def _catch_up(self) -> None:
        self._catch_up_timer = None
        self._rebuild()

    def _index(self) -> None:
        """Where each block starts, and the body's height (the raw text's when raw)."""
        self._lines.index()
        self._height = len(self._raw_text) if self.show_raw else self._lines.height

    def _draw_in_view(self, top: int, view: int | None = None) -> None:
        """Draw the blocks in view from `top` (a view of `view` lines, the body's height
        if not given); drop those far from it."""
        if not self.show_raw:
            height = max(1, self.scrollable_content_region.height) if view is None else view
            self._lines.draw_in_view(top, height)
            self._height = self._lines.height

    def scroll_by_user(self, how: str) -> None:
        """A scroll key: `up` / `down` a line, `page_up` / `page_down`, `home` / `end`
        (at the end, a streaming answer is followed again)."""
        self._user_moved = True
        if how in ("up", "down"):
            self.scroll_relative(y=-1 if how == "up" else 1, animate=False, immediate=True)
        elif how == "page_up":
            self.scroll_page_up(animate=False)
        elif how == "page_down":
            self.scroll_page_down(animate=False)
        elif how == "home":
            self.scroll_home(animate=False, immediate=True)
        elif how == "end":
            self.scroll_end(animate=False, immediate=True)

    def on_mouse_scroll_up(self) -> None:
        """The wheel: the user's scroll (see `_rebuild`)."""
        self._user_moved = True

    def on_mouse_scroll_down(self) -> None:
        """The wheel: the user's scroll (see `_rebuild`)."""
        self._user_moved = True

    def on_scroll_up(self) -> None:
        """A click on the scrollbar: the user's scroll."""
        self._user_moved = True

    def on_scroll_down(self) -> None:
        """A click on the scrollbar: the user's scroll."""
        self._user_moved = True

    def on_scroll_to(self) -> None:
        """The scrollbar dragged: the user's scroll."""
        self._user_moved = True

    def _scroll_ours(self, y: int) -> None:
        """Scroll where following puts the view (not the user's scroll)."""
        self._scrolling = True
        try:
            self.scroll_to(y=y, animate=False, immediate=True)
        finally:
            self._scrolling = False

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        """Scrolled: draw the blocks that came into view before they are painted.

        A scroll that is not following's own, nor Textual clamping the view to a new
        end (a shorter content or a taller view moves it up to exactly the end), is the
        user's: any way they scroll (keys, wheel, scrollbar, a scroll call).
        """
        clamped = new_value < old_value and round(new_value) >= self.max_scroll_y
        if not self._scrolling and not clamped:
            self._user_moved = True
        if self.is_mounted and not self.show_raw and self._width > 0:
            self._draw_in_view(round(new_value))
            self._index()
        super().watch_scroll_y(old_value, new_value)

    def on_resize(self) -> None:
        """A new width re-wraps every kept block (rare; not on every tick)."""
        self._rebuild()

    def on_mount(self) -> None:
        """Draw whatever arrived before the widget was on screen."""
        self._rebuild()

    def _line_at(self, index: int, draw: bool = False) -> Strip:
        """Line `index` of the body; a block not drawn is blank unless `draw`."""
        if self.show_raw:
            return self._raw_text.line(index) if index < len(self._raw_text) else self._blank()
        return self._lines.line_at(index, draw)

    def _blank(self) -> Strip:
        return Strip.blank(max(1, self._width), self._style)

    def take_paint_s(self) -> float:
        """Seconds the compositor spent painting this body since the last call.

        The frame pacer adds it to the pane's cost: a pane's drawing is only part of its
        frame; painting what it changed (a flooding pane's whole view, every frame) comes
        later, on the same loop, and was the larger part.
        """
        paint, self._paint_s = self._paint_s, 0.0
        return paint

    def render_lines(self, crop: Region) -> list[Strip]:
        """The lines the compositor paints, timed (see `take_paint_s`)."""
        start = _paint_clock()
        lines = super().render_lines(crop)
        self._paint_s += _paint_clock() - start
        return lines

    def render_line(self, y: int) -> Strip:
        """One line of the view, scrolled."""
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        if index >= self._height:
            return Strip.blank(width, self._body_style())
        if index < self._height - 1 and index >= self._shown_to:
            # painted now: following may scroll past it. Counted here, when the compositor
            # asks for the line, not when the view moved: several updates can come between
            # two paints on a busy loop, and a line scrolled past before any paint was
            # never on screen. The last line is not counted: it is still growing, or it is
            # an open fence's bottom padding where the next line will go.
            self._shown_to = index + 1
        line = self._line_at(index)
        return line if line.cell_length == width else line.crop_extend(0, width, self._body_style())
