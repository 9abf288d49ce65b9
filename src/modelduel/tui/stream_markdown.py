"""A pane's body: reasoning and a markdown answer that render as they stream, cheaply.

Measured here with three panes at 200 tokens/s: appending to Textual's `Markdown`
widget each tick stalls the event loop by 450-850 ms at p99, and even one widget
per finished block still costs 150 ms, because every change of a widget's height
is a layout of the whole screen and a repaint of every widget. So the body is one
scroll view drawn line by line (Textual's line API, as its `Log` uses): an answer is
cut into blocks at blank lines outside code fences, each finished block is rendered
once (Rich's Markdown: headings, lists, tables, highlighted code) into lines that
are kept, only the unfinished last block is rendered again on a tick, and growing
changes the view's virtual size, not the screen's layout.

Work per update does not grow with the answer (issue 13): the block splitter scans only
what arrived since the last update, one markdown parser serves every block, and an
unfinished fenced code block (a model answering with a whole file) is drawn in chunks:
its finished lines are highlighted once, in chunks of at most `FENCE_CHUNK_LINES`, and
only the lines since the last chunk are drawn again. The result equals Rich's
rendering of the whole block line for line, except that each chunk is lexed from a fresh
lexer state, so a construct spanning a chunk boundary (a multi-line string) may be
coloured differently while it streams; chunks are cut before a line at column 0 to make
that rare.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, ClassVar

from rich.console import RenderableType
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from modelduel.tui.tcss import read_tcss

if TYPE_CHECKING:
    from rich.markdown import Markdown as RichMarkdown
    from rich.syntax import Syntax
    from textual.timer import Timer

__all__ = [
    "BEHIND_SCREENS",
    "CREEP_S",
    "FENCE_CHUNK_LINES",
    "KEEP_SCREENS",
    "AnswerLines",
    "BlockSplitter",
    "PaneBody",
    "WrappedText",
    "split_blocks",
]

_FENCES = ("```", "~~~")
CODE_THEME = "monokai"
FENCE_CHUNK_LINES = 24
"""At most this many finished lines of an unfinished code fence are drawn again per update.

Finished lines are kept (highlighted once) in chunks cut before a line at column 0, or
after this many lines when none comes."""


@dataclass(slots=True)
class BlockSplitter:
    """Cuts an answer into blocks at blank lines outside code fences, incrementally.

    `feed` is given the whole text so far each time (it only grows) and scans only the
    lines that arrived since the previous call.

    Attributes:
        block_start: where the unfinished block begins.
        open_fence_at: where the opening line of a fence still open begins, else -1.
        closed_fence: (opening line, closing line) of a fence that ends the unfinished
            block with nothing after it yet, else None.
    """

    pos: int = 0
    block_start: int = 0
    fence: str | None = None
    open_fence_at: int = -1
    closed_fence: tuple[int, int] | None = None

    def feed(self, text: str) -> list[tuple[int, int, tuple[int, int] | None]]:
        """The blocks finished since the last call, as (start, end, fence).

        `fence` is (opening line start, closing line start) when the block ends with a
        code fence (nothing but blank space after its closing line), else None.
        """
        blocks: list[tuple[int, int, tuple[int, int] | None]] = []
        pos = self.pos
        while True:
            end = text.find("\n", pos)
            if end < 0:
                break  # an unterminated line belongs to the unfinished block
            stripped = text[pos:end].strip()
            if self.fence is None:
                if stripped.startswith(_FENCES):
                    self.fence = stripped[:3]
                    self.open_fence_at = pos
                elif not stripped:
                    if text[self.block_start : pos].strip():
                        blocks.append((self.block_start, pos, self.closed_fence))
                    self.block_start = end + 1
                    self.closed_fence = None
                else:
                    self.closed_fence = None  # text after a fence: the block is not just one
            elif stripped.startswith(self.fence):
                self.fence = None
                self.closed_fence = (self.open_fence_at, pos)
                self.open_fence_at = -1
            pos = end + 1
        self.pos = pos
        return blocks


def split_blocks(text: str, start: int = 0) -> tuple[list[str], int]:
    """The finished blocks of `text[start:]`, and where the unfinished rest begins.

    A block ends at a blank line that is not inside a fenced code block.
    """
    splitter = BlockSplitter(pos=start, block_start=start)
    blocks = splitter.feed(text)
    return [text[a:b] for a, b, _ in blocks], splitter.block_start


@cache
def _markdown_class() -> type[RichMarkdown]:
    """Rich's Markdown on one shared parser, built on first use: markdown-it, Rich's
    Markdown and pygments are not imported before the first frame (nothing to draw yet)."""
    from markdown_it import MarkdownIt  # noqa: PLC0415  not before the first frame
    from rich.markdown import Markdown  # noqa: PLC0415  not before the first frame

    parser = MarkdownIt().enable("strikethrough").enable("table")

    class _Markdown(Markdown):
        """Rich's Markdown on one shared parser: Rich builds a MarkdownIt (0.15 ms) per
        instance, i.e. per block. The attributes are Rich's own (a test renders both)."""

        def __init__(self, markup: str) -> None:
            self.markup = markup
            self.parsed = parser.parse(markup)
            self.code_theme = CODE_THEME
            self.justify = None
            self.style = "none"
            self.hyperlinks = False
            self.inline_code_lexer = None
            self.inline_code_theme = CODE_THEME

    return _Markdown


def _markdown(block: str) -> RichMarkdown:
    # Rich's Markdown never reads console markup: `[/INST]` in an answer stays text.
    return _markdown_class()(block)


Draw = Callable[[RenderableType], list[Strip]]


def _syntax(code: str, lexer: str, top: int, bottom: int) -> Syntax:
    from rich.syntax import Syntax  # noqa: PLC0415  pygments: not before the first frame

    # Rich's CodeBlock: Syntax(code, lexer, theme, word_wrap=True, padding=1)
    return Syntax(code, lexer, theme=CODE_THEME, word_wrap=True, padding=(top, 1, bottom, 1))


@dataclass(slots=True)
class _OpenFence:
    """An unfinished top-level code fence being drawn in chunks."""

    opened_at: int  # where its opening line starts
    code_start: int  # where its first code line starts
    lexer: str
    head: list[Strip]  # the unfinished block's lines above the fence, and the blank between
    kept: list[Strip] = field(default_factory=list)  # drawn chunks, top padding included
    kept_end: int = 0  # where the first line not yet in a kept chunk starts
    bottom: Strip | None = None  # the code block's bottom padding line


class AnswerLines:
    """The drawn lines of a markdown answer that grows; O(1) work per update.

    Finished blocks are kept as spans of `text` (the text is kept once). Eager (the
    default), each is drawn when it finishes; `lazy`, a finished block is only drawn
    when `block(i)` asks for it (it comes into view), and `drop(i)` forgets its lines
    again (far off screen): its height is then known exactly, and before it was first
    drawn `heights[i]` is `estimate(block text)`.

    Args:
        draw: renders a renderable into lines at the current width and style.
        blank: a blank line at the current width and style.
        estimate: a finished block's height before it is drawn (lazy only).
    """

    def __init__(
        self,
        draw: Draw,
        blank: Callable[[], Strip],
        estimate: Callable[[str], int] | None = None,
    ) -> None:
        self._draw = draw
        self._blank = blank
        self._estimate = estimate or (lambda block: block.count("\n") + 1)
        self.lazy = False
        self.cheap_tail = False  # the unfinished block as plain text (a pane over budget)
        self.text = ""
        self._splitter = BlockSplitter()
        self._spans: list[tuple[int, int]] = []
        self._drawn: list[list[Strip] | None] = []
        self.heights: list[int] = []
        self.live: set[int] = set()  # blocks whose lines are kept now
        self.first_changed = 0  # the first block whose height changed since it was reset
        self.moved = 0  # the first block drawn to a height other than it was thought to have
        self.tail_lines: list[Strip] = []
        self._fence: _OpenFence | None = None

    @property
    def consumed(self) -> int:
        """Where the unfinished block begins."""
        return self._splitter.block_start

    @property
    def block_count(self) -> int:
        """How many blocks have finished."""
        return len(self._spans)

    @property
    def block_lines(self) -> list[list[Strip]]:
        """Every finished block's lines (drawing those not drawn)."""
        return [self.block(i) for i in range(len(self._spans))]

    def block_text(self, index: int) -> str:
        """The markdown of a finished block."""
        start, end = self._spans[index]
        return self.text[start:end]

    def is_drawn(self, index: int) -> bool:
        """The block's lines are kept now."""
        return self._drawn[index] is not None

    def block(self, index: int) -> list[Strip]:
        """A finished block's lines, drawn now if they are not kept."""
        lines = self._drawn[index]
        if lines is None:
            lines = self._draw(_markdown(self.block_text(index)))
            self._keep(index, lines)
        return lines

    def drop(self, index: int) -> None:
        """Forget a block's lines (its text and height stay)."""
        self._drawn[index] = None
        self.live.discard(index)

    def _keep(self, index: int, lines: list[Strip]) -> None:
        self._drawn[index] = lines
        self.live.add(index)
        if self.heights[index] != len(lines):
            if self.heights[index] >= 0:
                self.moved = min(self.moved, index)
            self.heights[index] = len(lines)
            self.first_changed = min(self.first_changed, index)

    def reset(self) -> None:
        """Forget the answer."""
        self.text = ""
        self._splitter = BlockSplitter()
        self._spans.clear()
        self._drawn.clear()
        self.heights.clear()
        self.live.clear()
        self.first_changed = 0
        self.moved = 0
        self.tail_lines = []
        self._fence = None

    def update(self, text: str) -> None:
        """The answer so far: draws blocks finished since the last call, and the tail."""
        if not text.startswith(self.text):
            self.reset()
        self.text = text
        for start, end, fence in self._splitter.feed(text):
            index = len(self._spans)
            self._spans.append((start, end))
            self._drawn.append(None)
            lines = self._finish_fence(start, fence)
            if lines is None and not self.lazy:
                lines = self._draw(_markdown(text[start:end]))
            self.heights.append(self._estimate(text[start:end]) if lines is None else -1)
            self.first_changed = min(self.first_changed, index)
            if lines is not None:
                self._keep(index, lines)
        self._draw_tail()

    def redraw(self) -> None:
        """Draw every block again (the width or the style changed)."""
        self.live.clear()
        for index in range(len(self._spans)):
            self._drawn[index] = None
            self.heights[index] = self._estimate(self.block_text(index))
            if not self.lazy:
                self.block(index)
        self.first_changed = self.moved = 0
        self._fence = None
        self._draw_tail()

    # -- the unfinished block ------------------------------------------------------

    def _draw_tail(self) -> None:
        span = self._fence_span()
        fence = None if span is None else self._fence_at(span[0])
        if span is None or fence is None:
            self._fence = None
            tail = self.text[self.consumed :]
            if not tail.strip():
                self.tail_lines = []
            elif self.cheap_tail:
                # over its share of the frame: plain text now, markdown once it finishes
                self.tail_lines = self._draw(Text(tail))
            else:
                self.tail_lines = self._draw(_markdown(tail))
            return
        code_end = len(self.text) if span[1] < 0 else span[1]
        self._keep_chunks(fence, code_end)
        self.tail_lines = fence.head + fence.kept + self._draw_rest(fence, code_end)

    def _fence_span(self) -> tuple[int, int] | None:
        """(opening line, closing line or -1) of a fence that ends the unfinished block."""
        splitter, text = self._splitter, self.text
        if splitter.open_fence_at >= 0:
            return (splitter.open_fence_at, -1) if splitter.open_fence_at >= self.consumed else None
        closed = splitter.closed_fence
        if closed is None or closed[0] < self.consumed:
            return None
        # closed, and the block not finished yet: only an unterminated line can follow
        after = text.find("\n", closed[1]) + 1
        return closed if not text[after:].strip() else None

    def _fence_at(self, opened_at: int) -> _OpenFence | None:
        fence = self._fence
        if fence is not None and fence.opened_at == opened_at:
            return fence
        text = self.text
        line_end = text.find("\n", opened_at)
        opener = text[opened_at:line_end]
        # Only a fence at column 0 opened by exactly three marks is a top-level code block
        # that Rich draws as the head, a blank line, then the code; others are drawn whole.
        if not opener.startswith(_FENCES) or opener[3:4] in ("`", "~"):
            return None
        lexer = opener[3:].strip().partition(" ")[0] or "text"
        head_text = text[self.consumed : opened_at]
        head = [*self._draw(_markdown(head_text)), self._blank()] if head_text.strip() else []
        self._fence = _OpenFence(opened_at, line_end + 1, lexer, head, kept_end=line_end + 1)
        return self._fence

    def _keep_chunks(self, fence: _OpenFence, code_end: int) -> None:
        """Highlight and keep a chunk of finished lines (each line is highlighted once)."""
        text = self.text
        lines: list[tuple[int, int]] = []  # finished lines not kept yet: (start, newline)
        pos = fence.kept_end
        while True:
            newline = text.find("\n", pos, code_end)
            if newline < 0:
                break
            lines.append((pos, newline))
            pos = newline + 1
        if not lines:
            return  # at most FENCE_CHUNK_LINES lines are ever scanned here
        # Cut after a non-blank line followed by a line at column 0 (where a lexer is most
        # likely in its initial state); after FENCE_CHUNK_LINES lines without one, after
        # any non-blank line.
        newest = len(lines)
        cut = -1
        for i in range(newest - 1, -1, -1):
            start, newline = lines[i]
            following = text[newline + 1 : newline + 2]
            if text[start:newline].strip() and following.strip():
                cut = newline
                break
        if cut < 0 and len(lines) >= FENCE_CHUNK_LINES:
            cut = next((nl for st, nl in reversed(lines[:newest]) if text[st:nl].strip()), -1)
        if cut < 0:
            return
        drawn = self._draw(
            _syntax(text[fence.kept_end : cut], fence.lexer, 0 if fence.kept else 1, 1)
        )
        fence.bottom = drawn[-1]
        fence.kept.extend(drawn[:-1])
        fence.kept_end = cut + 1

    def _draw_rest(self, fence: _OpenFence, code_end: int) -> list[Strip]:
        rest = self.text[fence.kept_end : code_end].rstrip()
        if rest:
            return self._draw(_syntax(rest, fence.lexer, 0 if fence.kept else 1, 1))
        if fence.kept and fence.bottom is not None:
            return [fence.bottom]
        return self._draw(_syntax(rest, fence.lexer, 1, 1))

    def _finish_fence(self, start: int, fence_span: tuple[int, int] | None) -> list[Strip] | None:
        """A finished block that is the open fence we drew in chunks: its kept lines."""
        fence = self._fence
        if fence is None or fence_span is None or fence_span[0] != fence.opened_at:
            return None
        self._fence = None
        if start > fence.opened_at:
            return None
        self._keep_chunks(fence, fence_span[1])
        return fence.head + fence.kept + self._draw_rest(fence, fence_span[1])


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


KEEP_SCREENS = 2
BEHIND_SCREENS = 3
"""Following, a pane scrolls no further than its first line not yet shown (so every line is
in view at least once) unless this many view heights of lines wait below the view: then it
is behind (lines come faster than frames) and jumps to the newest line."""
CREEP_S = 0.05
"""A pane that crept (lines still below the view) scrolls on after this long, arrivals or not."""
"""Drawn blocks more than this many view heights away from the view are dropped."""


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
        self._tail_lines: list[Strip] = []
        self._reasoning_text = WrappedText(self._draw_reasoning)
        self._raw_text = WrappedText(self._draw_plain)
        self._head: list[Strip] = []  # the reasoning header, reasoning and the blank after
        self._starts: list[int] = []  # each block's first line, below the head
        self._height = 0
        self._height_drawn = 0  # the height when lines were last repainted
        self._floor = 0  # following: the view's bottom after the last jump (blank below text)
        self._shown_to = 0  # following: the first line not yet in a painted view
        self._live = True
        self._catch_up_timer: Timer | None = None
        self._width = -1
        self._style = Style()
        self._dirty_reasoning = self._dirty_tail = True

    # -- content ----------------------------------------------------------------------

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
            self._rebuild()  # the tail as markdown again, now

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
        return [self._line_at(y, draw=True) for y in range(self._height)]

    @property
    def kept_blocks(self) -> int:
        """How many finished blocks have their lines kept now."""
        return len(self._answer.live)

    # -- drawing ----------------------------------------------------------------------

    def _draw(self, renderable: RenderableType) -> list[Strip]:
        width = max(1, self._content_width())
        console = self.app.console
        options = console.options.update_width(width)
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

    def _rebuild(self) -> None:
        if not self.is_mounted:
            return
        width = self._content_width()
        style = self.rich_style
        view = max(1, self.scrollable_content_region.height)
        top = self.scroll_offset.y
        # following the stream: at the end, or where the last creep left the view
        following = top >= self.max_scroll_y - 1 or (self._floor > 0 and top == self._floor - view)
        # Only the lines that changed are repainted: every repainted line costs Textual
        # tens of microseconds of styling and compositing, a whole pane a frame's budget.
        old_tail_at = self._tail_at()
        old_tail = self._tail_lines
        changed_from = old_tail_at
        if width != self._width or style != self._style:
            self._width = width
            self._style = style
            self._answer.redraw()
            self._reasoning_text.reset()
            self._raw_text.reset()
            self._dirty_reasoning = self._dirty_tail = True
            changed_from = 0
        if self._dirty_reasoning:
            self._reasoning_text.update(self.reasoning)
            self._head = self._draw_head()
            self._dirty_reasoning = False
            changed_from = 0
        if self._dirty_tail:
            if self.notice_text and not self._pending:
                self._tail_lines = self._draw(Text(self.notice_text, style="bold red"))
            else:
                self._answer.update(self._pending)
                self._tail_lines = self._answer.tail_lines
            self._dirty_tail = False
        if self.show_raw:
            self._raw_text.update(self._pending or self.notice_text)
            changed_from = 0
        self._index()
        self._draw_in_view(top)
        if changed_from == old_tail_at and self._tail_at() == old_tail_at:
            # the first line that differs from what was drawn before; an open fence's kept
            # lines are the very same objects, so a long fence is skipped by identity
            new_tail = self._tail_lines
            same = 0
            for old_line, new_line in zip(old_tail, new_tail, strict=False):
                if old_line is not new_line and old_line != new_line:
                    break
                same += 1
            changed_from += same
        elif changed_from == old_tail_at:
            for line in old_tail:
                if changed_from >= self._height or self._line_at(changed_from) != line:
                    break
                changed_from += 1
        moved = self._answer.moved
        if moved < len(self._starts):
            # a block's height was corrected when it was drawn: what follows it moved
            changed_from = min(changed_from, len(self._head) + self._starts[moved])
        self._answer.moved = self._answer.block_count
        height = self._height
        if following and height > top + view:
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
            self._draw_in_view(new_top)
        elif not following:
            self._floor = 0
        size = Size(width, max(self._height, self._floor))
        if size != self.virtual_size:
            # `virtual_size` is a layout reactive: assigning it relayouts and repaints the
            # whole screen. Growing a scroll view's content only needs its scrollbar and
            # its own lines redrawn.
            self.set_reactive(PaneBody.virtual_size, size)
            self._scroll_update(size)
        if following and self._floor:
            self.scroll_to(y=self._floor - view, animate=False, immediate=True)
        new_top = self.scroll_offset.y
        # the last line is not counted as shown: it is still growing, or it is an open
        # fence's bottom padding where the next line will go
        self._shown_to = min(self._height - 1, new_top + view)
        if new_top != top:
            self.refresh()
        elif changed_from < top + view:
            start = max(0, changed_from - top)
            end = min(view, max(self._height, self._height_drawn) - top)
            if end > start:
                self.refresh(Region(0, start, self.size.width, end - start))
        self._height_drawn = self._height

    def _catch_up_later(self) -> None:
        """Scroll on after `CREEP_S` even when no more text arrives (the stream ended)."""
        if self._catch_up_timer is None:
            self._catch_up_timer = self.set_timer(CREEP_S, self._catch_up)

    def _catch_up(self) -> None:
        self._catch_up_timer = None
        self._rebuild()

    def _tail_at(self) -> int:
        """The first line of the unfinished block, as last indexed."""
        answer = self._answer
        if not self._starts or not answer.block_count:
            return len(self._head)
        last = len(self._starts) - 1
        return len(self._head) + self._starts[last] + answer.heights[last] + 1

    def _draw_head(self) -> list[Strip]:
        if not self.reasoning:
            return []
        fold = "▶" if self.reasoning_folded else "▼"
        count = len(self._reasoning_text)
        noun = "line" if count == 1 else "lines"
        header = Text(
            f"{fold} reasoning (h) · {count} {noun}", style="dim", no_wrap=True, overflow="ellipsis"
        )
        lines = self._draw(header)
        if not self.reasoning_folded:
            lines.extend(self._reasoning_text.lines)
        lines.append(Strip.blank(self._width, self._style))
        return lines

    def _index(self) -> None:
        """Where each block starts, recomputed from the first block whose height changed."""
        answer = self._answer
        starts, heights = self._starts, answer.heights
        first = min(answer.first_changed, len(starts))
        del starts[first:]
        y = starts[-1] + heights[len(starts) - 1] + 1 if starts else 0
        for index in range(len(starts), answer.block_count):
            starts.append(y)
            y += heights[index] + 1  # the blank line between blocks
        answer.first_changed = answer.block_count
        if self.show_raw:
            self._height = len(self._raw_text)
        else:
            self._height = len(self._head) + y + len(self._tail_lines)

    def _draw_in_view(self, top: int) -> None:
        """Draw the blocks in view from `top`; drop those far from it."""
        if self.show_raw:
            return
        view = max(1, self.scrollable_content_region.height)
        answer = self._answer
        for _ in range(4):  # drawing corrects heights, which can move what is in view
            following_end = top >= self._height - view
            first = bisect_right(self._starts, top - len(self._head)) - 1
            index = max(0, first)
            bottom = top + view
            drew = False
            while index < answer.block_count:
                if len(self._head) + self._starts[index] >= bottom:
                    break
                if not answer.is_drawn(index):
                    answer.block(index)
                    drew = True
                index += 1
            if not drew:
                break
            self._index()
            if not following_end:
                break
            top = min(top, max(0, self._height - view))
        keep = KEEP_SCREENS * view
        for index in list(answer.live):
            start = len(self._head) + self._starts[index]
            if start + answer.heights[index] < top - keep or start > top + view + keep:
                answer.drop(index)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        """Scrolled: draw the blocks that came into view before they are painted."""
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
        head = self._head
        if index < len(head):
            return head[index]
        y = index - len(head)
        answer = self._answer
        block = bisect_right(self._starts, y) - 1
        if block >= 0:
            offset = y - self._starts[block]
            height = answer.heights[block]
            if offset < height:
                if not draw and not answer.is_drawn(block):
                    return self._blank()
                lines = answer.block(block)
                return lines[offset] if offset < len(lines) else self._blank()
            if offset == height:
                return self._blank()  # between blocks
        blocks_end = self._starts[-1] + answer.heights[-1] + 1 if self._starts else 0
        tail = y - blocks_end
        return self._tail_lines[tail] if 0 <= tail < len(self._tail_lines) else self._blank()

    def _blank(self) -> Strip:
        return Strip.blank(max(1, self._width), self._style)

    def render_line(self, y: int) -> Strip:
        """One line of the view, scrolled."""
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        if index >= self._height:
            return Strip.blank(width, self.rich_style)
        line = self._line_at(index)
        return line if line.cell_length == width else line.crop_extend(0, width, self.rich_style)


def strip_text(strip: Strip) -> str:
    """The plain text of a drawn line."""
    return "".join(segment.text for segment in strip if isinstance(segment, Segment))
